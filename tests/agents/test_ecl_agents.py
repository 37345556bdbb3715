"""ECL policies (ECLCooperator, CausalDecisionTheorist), Superrational, and simulate_ecl."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesim.agents.ecl import (CausalDecisionTheorist, ECLCooperator, ECLPolicy, Superrational,
                                simulate_ecl)
from gamesim.sim.catalogue import chicken, matching_pennies, prisoners_dilemma, public_goods_game, stag_hunt
from gamesim.sim.ecl import ECLBayesianGame, treutlein_example_35
from gamesim.sim.environment import Environment
from gamesim.sim.protocol import Strategy

FAST = settings(max_examples=40, deadline=None)


@st.composite
def independent_games(draw):
    m = draw(st.integers(1, 4))
    K = draw(st.integers(1, 3))
    n = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    C = rng.integers(-3, 4, size=(m, m, K)).astype(float)
    p = rng.random(m) + 0.05
    return ECLBayesianGame.independent(C, p / p.sum(), n)


# ---------------------------------------------------------------------------
# ECLCooperator and CDT
# ---------------------------------------------------------------------------
def test_cooperator_and_cdt_in_example_35():
    for n, want in [(2, [1, 1]), (3, [1, 1]), (4, [0, 0]), (10, [0, 0])]:
        assert ECLCooperator().table(treutlein_example_35(n)).tolist() == want, n
        assert CausalDecisionTheorist().table(treutlein_example_35(n)).tolist() == [1, 1]
    g = treutlein_example_35(10)
    plan = ECLCooperator().plan(g)
    assert plan.compromise.profile == (0, 0) and plan.check.holds and plan.bayesian_nash == (1, 1)
    # Equation (49) with p(D | t', t, C) = 1 - b: -1 + 9 b (0.5 * (-1) + 0.5 * 2) = -1 + 4.5 b >= 0 iff b >= 2/9.
    assert ECLCooperator(0.2).table(g).tolist() == [1, 1]
    assert ECLCooperator(0.25).table(g).tolist() == [0, 0]
    # Per type: type 1's cooperators believe no type-2 player cooperates, type 2's believe all do.
    # Type 1 fails equation (49) and plays its Bayesian Nash action; against that, type 2's
    # own gain from cooperating is -5.5 (its cooperation helps type 1, who no longer returns
    # it), so type 2 drops out too: the consistent table is the Bayesian Nash profile.
    split = ECLCooperator(belief_cooperators=[[1.0, 0.0], [1.0, 1.0]])
    assert g.gains_from_trade((1, 0), non_cooperator=[[0.0, 1.0], [0.0, 0.0]]).tolist() == [0.0, -5.5]
    assert split.table(g).tolist() == [1, 1]
    types = np.array([[0, 1, 1, 0], [1, 1, 1, 1]])
    np.testing.assert_array_equal(split.actions(g, types), np.ones((2, 4), int))


@FAST
@given(independent_games(), st.floats(0, 1))
def test_cooperator_plays_compromise_exactly_where_condition_holds(game, belief):
    bne = np.array(game.bayesian_nash_profile().profile)
    np.testing.assert_array_equal(CausalDecisionTheorist().table(game), bne)
    comp = game.compromise_profile()
    # Full belief: the compromise never makes a type lose (it is chosen among such
    # profiles), so equation (41) holds for every type and it is played everywhere.
    np.testing.assert_array_equal(ECLCooperator().table(game), comp.profile)
    # Reference: drop the types whose equation (49) fails against the profile actually
    # played, one round at a time, until none drops (a plain loop over types).
    alpha = np.array(comp.profile)
    coop = [True] * game.n_types
    while True:
        played = tuple(int(alpha[t]) if coop[t] else int(bne[t]) for t in range(game.n_types))
        gains = game.gains_from_trade(played, non_cooperator=1.0 - belief)
        drops = [t for t in range(game.n_types) if coop[t] and alpha[t] != bne[t] and gains[t] < -1e-9]
        if not drops:
            break
        for t in drops:
            coop[t] = False
    want = np.where(coop, alpha, bne)
    table = ECLCooperator(belief).table(game)
    np.testing.assert_array_equal(table, want)
    # Every type that cooperates gains (weakly) against the table actually played.
    final = game.gains_from_trade(tuple(int(a) for a in table), non_cooperator=1.0 - belief)
    assert np.all(final[table != bne] >= -1e-9)
    types = game.sample_types(50, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(ECLCooperator(belief).actions(game, types), want[types])


def test_policy_errors_and_metadata():
    g = treutlein_example_35(10)
    with pytest.raises(ValueError, match="^belief_cooperators"):
        ECLCooperator(1.5)
    with pytest.raises(ValueError, match="^belief_cooperators"):
        ECLCooperator([[1.0, 0.5]])
    with pytest.raises(ValueError, match="^belief_cooperators"):
        ECLCooperator(np.ones((3, 3))).table(g)
    with pytest.raises(ValueError, match="^types"):
        ECLCooperator().actions(g, np.array([0, 2]))
    with pytest.raises(ValueError, match="^types"):
        ECLCooperator().actions(g, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="^game"):
        ECLCooperator().table(prisoners_dilemma())
    assert ECLCooperator().name == "ECLCooperator" and ECLCooperator(0.5).name == "ECLCooperator(0.5)"
    assert hash(ECLCooperator(np.eye(2))) == hash(ECLCooperator([[1, 0], [0, 1]]))
    assert ECLCooperator.memory_depth == 0 and not ECLCooperator.stochastic
    assert isinstance(CausalDecisionTheorist(), ECLPolicy)
    assert ECLCooperator().table(g).flags.writeable is False


# ---------------------------------------------------------------------------
# Superrational
# ---------------------------------------------------------------------------
def test_superrational_pd_threshold():
    pd = prisoners_dilemma()             # (R, S, T, P) = (3, 0, 5, 1): threshold (P - S) / (R - S) = 1/3
    for s in [0.0, 0.1, 0.3, 0.333]:
        assert Superrational(s).action(pd) == 1, s
    for s in [1 / 3, 0.334, 0.5, 1.0]:
        assert Superrational(s).action(pd) == 0, s
    np.testing.assert_allclose(Superrational(0.0).nash_strategy(pd), [0.0, 1.0])
    # C is worth s R + (1 - s) S = 3 s, D is worth P = 1 whatever s.
    np.testing.assert_allclose(Superrational(0.25).values(pd), [0.75, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.floats(-5, 5), st.floats(0.1, 3), st.floats(0.1, 3), st.floats(0.1, 3), st.floats(0, 1))
def test_superrational_pd_threshold_general(S, dP, dR, dT, s):
    P, R = S + dP, S + dP + dR
    T = R + dT
    pd = prisoners_dilemma(R=R, S=S, T=T, P=P)
    threshold = (P - S) / (R - S)
    if abs(s - threshold) < 1e-9:
        return
    assert Superrational(s).action(pd) == (0 if s > threshold else 1)


def test_superrational_other_games():
    # Three-player public goods (cost 1, benefit 2/3): C is worth s * 1 + (1 - s) * (-1/3),
    # D is worth 0 (everyone else defects at the symmetric equilibrium): threshold 1/4.
    pg = public_goods_game(3)
    assert Superrational(0.2).action(pg) == 1 and Superrational(0.3).action(pg) == 0
    # Stag hunt: two symmetric pure equilibria; the non-like-minded play the payoff-dominant Stag.
    sh = stag_hunt()
    np.testing.assert_allclose(Superrational(0.0).nash_strategy(sh), [1.0, 0.0])
    assert Superrational(0.0).action(sh) == 0
    # Chicken has no symmetric pure equilibrium: the symmetric mixed one (Dare w.p. 1/3).
    ch = chicken()
    np.testing.assert_allclose(Superrational(0.5).nash_strategy(ch), [1 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(Superrational(0.0).values(ch), [14 / 3, 14 / 3])
    assert Superrational(0.0).action(ch) == 0          # tie: lowest index
    assert Superrational(0.5).action(ch) == 1          # (C, C) pays 6 > (D, D) 0
    with pytest.raises(ValueError, match="^game"):
        Superrational().action(matching_pennies())
    with pytest.raises(ValueError, match="^similarity"):
        Superrational(-0.1)


def test_superrational_in_round_robin():
    pd = prisoners_dilemma()
    assert isinstance(Superrational(), Strategy)
    r = Environment(pd, [Superrational(1.0), Superrational(1.0)], rounds=25, seed=0, keep_history=True).run()
    assert r.history.shape[0] == 25
    assert np.all(r.history == 0)                                    # every seat cooperates every round
    assert r.strategy_scores(include_self_play=True) == pytest.approx({"Superrational": 3.0})
    # Mixed with a low-similarity superrational player, which defects.
    r = Environment(pd, [Superrational(1.0), Superrational(0.1)], rounds=10, seed=0).run()
    np.testing.assert_allclose(r.pairwise_payoff, [[3.0, 0.0], [5.0, 1.0]])


# ---------------------------------------------------------------------------
# simulate_ecl
# ---------------------------------------------------------------------------
def test_simulate_ecl_reproducible_and_consistent():
    g = treutlein_example_35(10)
    mix = {ECLCooperator(): 0.7, CausalDecisionTheorist(): 0.3}
    a = simulate_ecl(g, mix, 10, 300, 42)
    b = simulate_ecl(g, mix, 10, 300, np.random.SeedSequence(42))
    c = simulate_ecl(g, mix, 10, 300, 43)
    for f in ("types", "actions", "policy_index", "utilities"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.types, c.types)
    assert a.policies == ("ECLCooperator", "CausalDecisionTheorist")
    assert abs((a.policy_index == 0).mean() - 0.7) < 0.03
    # cooperators play action 0, CDTs action 1
    np.testing.assert_array_equal(a.actions, a.policy_index)
    np.testing.assert_array_equal(a.type_counts, np.bincount(a.types.ravel(), minlength=2))
    np.testing.assert_allclose(a.gains, a.mean_utility - a.bne_mean_utility)
    np.testing.assert_allclose(a.bne_expected_utility, [16.5, 16.5])
    # Generators are spawned from: the same generator state gives the same draws.
    d = simulate_ecl(g, mix, 10, 50, np.random.default_rng(5))
    e = simulate_ecl(g, mix, 10, 50, np.random.default_rng(5))
    np.testing.assert_array_equal(d.utilities, e.utilities)


def test_simulate_ecl_matches_expected_utility():
    g = treutlein_example_35(10)
    r = simulate_ecl(g, ECLCooperator(), n_universes=4000, seed=1, keep_players=False)
    assert r.types is None and r.utilities is None
    # Everyone cooperates: every player gets 2 * 10 = 20 whatever the types.
    np.testing.assert_allclose(r.mean_utility, [20.0, 20.0])
    # The BNE outcome averages 3 + 9 * 1.5 = 16.5 per type (types i.i.d. uniform); the
    # standard error is about 3 * 1.5 / sqrt(4000) = 0.07 (players of a universe are correlated).
    np.testing.assert_allclose(r.bne_mean_utility, [16.5, 16.5], atol=0.3)
    np.testing.assert_allclose(r.gains, [3.5, 3.5], atol=0.3)
    # Policy by type: type 1 cooperates, type 2 plays CDT.
    r = simulate_ecl(g, {0: ECLCooperator(), 1: CausalDecisionTheorist()}, n_universes=4000, seed=2)
    np.testing.assert_array_equal(r.actions, r.types)
    np.testing.assert_allclose(r.mean_utility, g.expected_utility([0, 1]), atol=0.3)
    r2 = simulate_ecl(g, [ECLCooperator(), CausalDecisionTheorist()], n_universes=4000, seed=2)
    np.testing.assert_array_equal(r.utilities, r2.utilities)


def test_simulate_ecl_million_players():
    rng = np.random.default_rng(3)
    m, K = 10, 2
    C = rng.normal(size=(m, m, K))
    g = ECLBayesianGame.independent(C, np.full(m, 0.1), 1_000_000)
    r = simulate_ecl(g, ECLCooperator(), n_universes=1, seed=0)
    assert r.utilities.shape == (1, 1_000_000)
    # With a million players the realised means are close to the ex-interim expectations.
    plan = ECLCooperator().plan(g)
    np.testing.assert_allclose(r.mean_utility, g.expected_utility(plan.table), rtol=0.02, atol=50)


def test_simulate_ecl_other_n_and_errors():
    g = treutlein_example_35(2)
    r = simulate_ecl(g, ECLCooperator(), n_players=10, n_universes=5, seed=0)
    assert r.game.n_players == 10 and np.all(r.actions == 0)            # cooperators see n = 10
    r = simulate_ecl(g, ECLCooperator(), n_universes=5, seed=0)
    assert np.all(r.actions == 1)
    with pytest.raises(ValueError, match="^n_players"):
        simulate_ecl(g, ECLCooperator(), n_players=0)
    with pytest.raises(ValueError, match="^n_universes"):
        simulate_ecl(g, ECLCooperator(), n_universes=0)
    with pytest.raises(ValueError, match="^policy: shares"):
        simulate_ecl(g, {ECLCooperator(): 0.5, CausalDecisionTheorist(): 0.6})
    with pytest.raises(ValueError, match="^policy: a policy per type"):
        simulate_ecl(g, {0: ECLCooperator()})
    with pytest.raises(ValueError, match="^policy"):
        simulate_ecl(g, [ECLCooperator()])
    with pytest.raises(ValueError, match=r"^policy\[1\]"):
        simulate_ecl(g, [ECLCooperator(), "nope"])
    with pytest.raises(ValueError, match="^seed"):
        simulate_ecl(g, ECLCooperator(), seed="x")
    with pytest.raises(ValueError, match="^game"):
        simulate_ecl(prisoners_dilemma(), ECLCooperator())
