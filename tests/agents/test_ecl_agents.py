"""ECL policies (ECLCooperator, CausalDecisionTheorist), Superrational, and simulate_ecl."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamesim.agents.ecl import (CausalDecisionTheorist, ECLCooperator, ECLPolicy, Superrational,
                                sample_actions, simulate_ecl)
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


def _mixed_split_game(n_players=2):
    """Two equally likely types; "give" costs the giver 1 and gives the other type 3 (type 0) or 6 (type 1).

    With n = 2, EU_0 = 1.5 (1 - x0) + 3 x1 and EU_1 = 1.5 x0 + 1.5 (1 - x1) for giving
    probabilities x.  The Bayesian Nash profile keeps (x = 0, d = (1.5, 1.5)); no pure profile
    gains for both types, but the Nash product (3 x1 - 1.5 x0)(1.5 x0 - 1.5 x1) is maximal at
    x0 = 1, x1 = 3/4: gains (3/4, 3/8), EU = (2.25, 1.875).
    """
    C = np.zeros((2, 2, 2))
    C[0, 0] = [1.0, 0.0]       # type 0 keeps (1 to itself) or gives (3 to type 1)
    C[0, 1] = [0.0, 3.0]
    C[1, 1] = [1.0, 0.0]
    C[1, 0] = [0.0, 6.0]
    return ECLBayesianGame.independent(C, [0.5, 0.5], n_players, actions=("keep", "give"))


def test_cooperator_mixes_when_the_oracle_splits_a_type():
    g = _mixed_split_game()
    assert g.compromise(method="pure").method == "disagreement"
    comp = g.compromise()
    assert comp.method == "nbs" and comp.profile is None
    np.testing.assert_allclose(comp.strategy, [[0.0, 1.0], [0.25, 0.75]], atol=1e-7)
    np.testing.assert_allclose(comp.expected_utility, [2.25, 1.875], atol=1e-7)
    np.testing.assert_allclose(comp.gains, [0.75, 0.375], atol=1e-7)
    coop = ECLCooperator()
    np.testing.assert_allclose(coop.strategy_table(g), comp.strategy)
    assert coop.plan(g).check.holds and coop.plan(g).check.profile is None
    with pytest.raises(ValueError, match="^game: the compromise mixes"):
        coop.table(g)
    with pytest.raises(ValueError, match="^rng"):
        coop.actions(g, np.array([0, 1]))
    assert coop.actions(g, np.zeros(5, np.intp)).tolist() == [1] * 5        # type 0 gives for sure
    a = coop.actions(g, np.ones(200_000, np.intp), np.random.default_rng(0))
    assert abs(a.mean() - 0.75) < 0.005                                      # 4.5 standard errors
    # The pure-compromise cooperator finds nothing to trade and keeps.
    assert ECLCooperator(compromise="pure").table(g).tolist() == [0, 0]
    # In simulation each type-1 player gives independently with probability 3/4: with
    # n = 2 the realized means match the ex-interim expected utilities.
    r = simulate_ecl(g, coop, n_universes=200_000, seed=7, keep_players=False)
    se = 3.0 / np.sqrt(100_000)
    np.testing.assert_allclose(r.mean_utility, [2.25, 1.875], atol=5 * se)
    np.testing.assert_allclose(r.gains, [0.75, 0.375], atol=5 * se)
    r2 = simulate_ecl(g, coop, n_universes=50, seed=7)
    r3 = simulate_ecl(g, coop, n_universes=50, seed=7)
    np.testing.assert_array_equal(r2.actions, r3.actions)
    # A cooperator that believes only a quarter of the others reason alike: (49) for type 1 is
    # -1.5 * 0.75 + ... < 0 once the others' share is small, so both fall back to keeping.
    low = ECLCooperator(0.25)
    assert low.plan(g).cooperating.tolist() == [False, False] and low.table(g).tolist() == [0, 0]


def _grid_best_log_nash_product(game, steps=400):
    """Brute force for two types with two actions: every pair of giving probabilities on a grid.

    By separability EU is affine in each type's probability of action 1, so the grid's
    expected utilities come from the four pure profiles.
    """
    x = np.linspace(0.0, 1.0, steps + 1)
    X0, X1 = np.meshgrid(x, x, indexing="ij")
    base = game.expected_utility([0, 0])
    d0 = game.expected_utility([1, 0]) - base
    d1 = game.expected_utility([0, 1]) - base
    EU = base + X0[..., None] * d0 + X1[..., None] * d1
    gains = EU - game.expected_utility(game.bayesian_nash_profile().profile)
    # gains at rounding level are not gains (the library uses the same 1e-9 scale)
    tol = 1e-9 * (1 + np.abs(game.contributions).max()) * game.n_players
    ok = np.all(gains > tol, axis=-1)
    if not ok.any():
        return -np.inf
    return float(np.max(np.log(gains[ok]) @ game.prior))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_nbs_compromise_is_at_least_as_good_as_any_grid_or_pure_profile(seed):
    rng = np.random.default_rng(seed)
    g = ECLBayesianGame.independent(rng.normal(size=(2, 2, 2)), rng.dirichlet([2, 2]), int(rng.integers(2, 8)))
    comp = g.compromise()
    pure = g.compromise(method="pure")
    grid = _grid_best_log_nash_product(g)
    assert comp.log_nash_product >= pure.log_nash_product - 1e-9
    assert comp.log_nash_product >= grid - 1e-9
    if comp.method == "nbs":
        # the lotteries implement the oracle's point, and no type loses (equation (41))
        np.testing.assert_allclose(g.expected_utility_mixed(comp.strategy), comp.outcome.point,
                                   atol=1e-7 * (1 + np.abs(g.contributions).max() * g.n_players))
        assert g.cooperation_is_dependency_equilibrium(comp.strategy).holds
        # the grid's optimum is close to the oracle's (within the grid's resolution)
        assert comp.log_nash_product - grid < 0.1 or not np.isfinite(grid)
    else:
        assert grid == -np.inf and pure.method == "disagreement"


@FAST
@given(independent_games(), st.floats(0, 1))
def test_cooperator_plays_compromise_exactly_where_condition_holds(game, belief):
    bne = np.array(game.bayesian_nash_profile().profile)
    np.testing.assert_array_equal(CausalDecisionTheorist().table(game), bne)
    comp = game.compromise()
    alpha = np.asarray(comp.strategy)
    beta = np.eye(game.n_actions)[bne]
    # Full belief: the compromise makes no type lose, so equation (41) holds for every
    # type and it is played everywhere.
    np.testing.assert_array_equal(ECLCooperator().strategy_table(game), alpha)
    # Reference: drop the types whose equation (49) fails against the profile actually
    # played, one round at a time, until none drops (a plain loop over types).
    coop = [True] * game.n_types
    tol = 1e-9 * (1 + np.abs(game.contributions).max()) * game.n_players
    while True:
        played = np.array([alpha[t] if coop[t] else beta[t] for t in range(game.n_types)])
        gains = game.gains_from_trade(played, non_cooperator=1.0 - belief)
        drops = [t for t in range(game.n_types)
                 if coop[t] and not np.array_equal(alpha[t], beta[t]) and gains[t] < -tol]
        if not drops:
            break
        for t in drops:
            coop[t] = False
    want = np.where(np.array(coop)[:, None], alpha, beta)
    policy = ECLCooperator(belief)
    np.testing.assert_array_equal(policy.strategy_table(game), want)
    # Every type that cooperates gains (weakly) against the profile actually played.
    final = game.gains_from_trade(want, non_cooperator=1.0 - belief)
    assert np.all(final[np.array(coop) & np.any(alpha != beta, axis=1)] >= -tol)
    types = game.sample_types(50, 2, np.random.default_rng(0))
    acts = policy.actions(game, types, np.random.default_rng(1))
    assert np.all(want[types, acts] > 0)                                  # drawn from the support
    pure_rows = want.max(axis=1) == 1.0
    np.testing.assert_array_equal(acts[pure_rows[types]], want.argmax(axis=1)[types][pure_rows[types]])
    # The enumeration variant plays the best pure profile where (41) holds.
    pure = game.compromise(method="pure")
    np.testing.assert_array_equal(ECLCooperator(compromise="pure").table(game), pure.profile)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(0, 200), st.integers(0, 2**32 - 1))
def test_sample_actions_against_a_per_player_loop(R, K, n, seed):
    rng = np.random.default_rng(seed)
    S = rng.random((R, K)) * (rng.random((R, K)) > 0.4)
    pure = rng.random(R) < 0.4
    S[pure] = np.eye(K)[rng.integers(0, K, pure.sum())]
    S[S.sum(axis=1) == 0, -1] = 1.0
    S /= S.sum(axis=1, keepdims=True)
    rows = rng.integers(0, R, size=(2, n))
    got = sample_actions(S, rows, np.random.default_rng(seed + 1))
    # Reference: one draw per entry in C order, used by the entries with a mixed row; the
    # first action whose running total exceeds it (a plain loop).
    ref_rng = np.random.default_rng(seed + 1)
    any_mixed = any(S[r].max() < 1.0 for r in rows.ravel())
    u = ref_rng.random(rows.size) if any_mixed else np.zeros(rows.size)
    draws = {i: u[i] for i, r in enumerate(rows.ravel()) if S[r].max() < 1.0}
    want = []
    for i, r in enumerate(rows.ravel()):
        if i not in draws:
            want.append(int(np.argmax(S[r])))
            continue
        total, pick = 0.0, None
        for a in range(K):
            total += S[r, a]
            if draws[i] < total and S[r, a] > 0:
                pick = a
                break
        want.append(pick if pick is not None else int(np.flatnonzero(S[r] > 0)[-1]))
    np.testing.assert_array_equal(got.ravel(), want)
    assert np.all(S[rows, got] > 0)                    # never an action of probability 0


def test_sample_actions_inputs_and_common_random_numbers():
    S = np.array([[0.0, 1.0], [0.25, 0.75]])
    rng = np.random.default_rng
    for bad, message in [([0.5, 0.5], "^strategies: expected an"), ([[0.5, 0.6]], "^strategies: every row"),
                         ([[np.nan, 1.0]], "^strategies: every row"), ([[-0.5, 1.5]], "^strategies: every row"),
                         (np.zeros((1, 0)), "^strategies: expected an")]:
        with pytest.raises(ValueError, match=message):
            sample_actions(bad, np.array([0]), rng(0))
    for rows, message in [([2], r"^rows: indices must lie in 0\.\.1"), ([-1], "^rows: indices"),
                          ([0.7], "^rows: expected integer")]:
        with pytest.raises(ValueError, match=message):
            sample_actions(S, np.array(rows), rng(0))
    assert sample_actions([[0.0, 1.0]], [0, 0], None).tolist() == [1, 1]      # lists are fine
    # A player's draw does not depend on which other players mix: the same generator state
    # gives the mixing players the same actions when others switch from mixed to pure.
    rows = np.ones(1000, np.intp)
    a = sample_actions(S, rows, rng(3))
    rows2 = rows.copy()
    rows2[::2] = 0
    b = sample_actions(S, rows2, rng(3))
    np.testing.assert_array_equal(a[1::2], b[1::2])


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
    assert ECLCooperator.memory_depth == 0 and ECLCooperator.stochastic
    assert not CausalDecisionTheorist.stochastic
    with pytest.raises(ValueError, match="^compromise"):
        ECLCooperator(compromise="best")
    with pytest.raises(ValueError, match="^weights: must be non-negative"):
        ECLCooperator(weights=(1.0, -1.0)).strategy_table(g)
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
    np.testing.assert_allclose(r.mean_utility, g.expected_utility_mixed(plan.strategy), rtol=0.02, atol=50)


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
