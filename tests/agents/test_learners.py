"""Learning agents against known results.

Fictitious play, regret matching, Hedge and best-response dynamics are checked
against results known in closed form or computed independently (LP game values,
NashConv, CE / coarse-CE violations from :mod:`gamesim.analysis.equilibria`), on
rectangular games whose equilibria are not uniform; the vectorized runners and the
event-driven fast fictitious play are checked against plain per-unit /
per-iteration reference implementations.

Tolerances were set after measuring (seeded runs); each test states its figure.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import itertools
import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import gamesim as gs
from gamesim.agents import (
    BestResponseDynamics, FictitiousPlay, Hedge, RegretMatching, StochasticFictitiousPlay,
)
from gamesim.agents.dynamics import replicator_dynamics, two_population_replicator
from gamesim.agents.fast_fp import batch_seed, fictitious_play
from gamesim.analysis.equilibria import (
    ce_violation, coarse_ce_violation, nash_conv, nash_equilibria, pure_nash_equilibria, zero_sum_value,
)
from gamesim.sim.catalogue import (
    battle_of_the_sexes, chicken, matching_pennies, prisoners_dilemma, shapley_game, stag_hunt,
)
from gamesim.sim.environment import Environment

NOTES_START = ((1.5, 2), (2, 1.5))      # the notes: P1 believes (1.5, 2) about P2, P2 (2, 1.5) about P1
H, T = 0, 1


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def runner_of(env: Environment, strategy):
    """The runner the environment made for ``strategy``."""
    return env.runner(strategy)


def empirical_joint(history: np.ndarray, shape) -> np.ndarray:
    """Empirical joint distribution of one match's history ``(T, P)``."""
    idx = np.ravel_multi_index(tuple(history.T), shape)
    return np.bincount(idx, minlength=int(np.prod(shape))).reshape(shape) / history.shape[0]


def frequencies(actions: np.ndarray, m: int) -> np.ndarray:
    return np.bincount(actions, minlength=m) / actions.size


def random_bimatrix(seed: int, m: int, n: int, low=-3, high=6):
    rng = np.random.default_rng(seed)
    A = rng.integers(low, high, (m, n)).astype(float)
    B = rng.integers(low, high, (m, n)).astype(float)
    return gs.NormalFormGame.from_bimatrix(A, B)


def reference_fp(A, B, iterations, w_row, w_col, tie_break="first", rng=None) -> np.ndarray:
    """Plain round-by-round fictitious play in exact rational arithmetic.

    Each round both players best-respond to their current weights (uniform if all
    zero); ties: lowest index, or ``rng.integers(#ties)``, row player first.  Floats
    are read as their shortest decimal (``Fraction(repr(x))``), as fast_fp reads
    short decimals.
    """
    A = np.asarray(A, float)
    B = np.asarray(B, float)
    m, n = A.shape

    def q(x):
        return Fraction(repr(float(x)))

    Af = [[q(x) for x in row] for row in A]
    Bf = [[q(x) for x in row] for row in B]
    cr = [q(x) for x in w_row]
    cc = [q(x) for x in w_col]

    def pick(v):
        mx = max(v)
        ties = [i for i, x in enumerate(v) if x == mx]
        if tie_break == "first" or len(ties) == 1:
            return ties[0]
        return ties[int(rng.integers(len(ties)))]

    out = []
    for _ in range(iterations):
        w = cr if sum(cr) > 0 else [Fraction(1)] * n
        vr = [sum(Af[i][j] * w[j] for j in range(n)) for i in range(m)]
        w = cc if sum(cc) > 0 else [Fraction(1)] * m
        vc = [sum(w[i] * Bf[i][j] for i in range(m)) for j in range(n)]
        a, b = pick(vr), pick(vc)
        out.append((a, b))
        cr[b] += 1
        cc[a] += 1
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def dominance_solvable_game():
    """A 3x3 game solved by four rounds of iterated strict dominance, ending at (row 2, col 1).

    Column 2 is strictly dominated (by column 1) for the column player; then row 0 (by
    row 1) for the row player; then column 0 (by column 1); then row 1 (by row 2) -- so
    (2, 1) is the unique equilibrium.  Row 0 looks best to a row player who expects
    column 2, and column 0 to a column player who expects row 0.
    """
    A = np.array([[1, 0, 9], [2, 3, 0], [0, 4, 1]], dtype=float)
    B = np.array([[6, 2, 0], [1, 2, 0], [0, 4, 2]], dtype=float)
    return gs.NormalFormGame.from_bimatrix(A, B)


def iterated_strict_dominance(g):
    rows, cols = list(range(g.n_actions[0])), list(range(g.n_actions[1]))
    A, B = g.payoffs
    changed = True
    while changed:
        changed = False
        for r in list(rows):
            if any(all(A[q, c] > A[r, c] for c in cols) for q in rows if q != r):
                rows.remove(r)
                changed = True
        for c in list(cols):
            if any(all(B[r, d] > B[r, c] for r in rows) for d in cols if d != c):
                cols.remove(c)
                changed = True
    return rows, cols


# ---------------------------------------------------------------------------
# fictitious play: the notes' matching pennies
# ---------------------------------------------------------------------------
def test_fp_notes_matching_pennies_first_moves_through_environment():
    g = matching_pennies()
    fp = FictitiousPlay(initial_weights=NOTES_START)
    env = Environment(g, {fp: 2}, matching="pairs", rounds=10_000, seed=0, keep_history=True)
    env.step()
    run = runner_of(env, fp)
    # Round 1: P1 believes (1.5, 2) -> T; P2 believes (2, 1.5) -> mismatches with T.  Player 1 wins.
    assert env.result().history[0, 0].tolist() == [T, T]
    # Beliefs now (1.5, 3) and (2, 2.5).
    np.testing.assert_allclose(run.beliefs(0, [0])[0], [[1.5 / 4.5, 3 / 4.5]])
    np.testing.assert_allclose(run.beliefs(1, [1])[0], [[2 / 4.5, 2.5 / 4.5]])
    hist = env.run().history[:, 0, :]
    # "Player 1 plays T and player 2 plays H.  Repeat..." -> then (T, H), (H, H), (H, H), (H, H), (H, T)
    assert hist[:8].tolist() == [[T, T], [T, H], [T, H], [H, H], [H, H], [H, H], [H, T], [H, T]]
    # Empirical frequencies converge to (1/2, 1/2); measured |f - 1/2| = 0.0005 and 0.0065
    # after 10^4 rounds (the error decays like 1/sqrt(t), see the fast_fp test).
    for p in range(2):
        assert abs(frequencies(hist[:, p], 2)[H] - 0.5) < 0.01
    # The environment's play is exactly the standalone fast fictitious play's.
    np.testing.assert_array_equal(hist, fictitious_play(g, 10_000, NOTES_START).actions())


def test_fp_notes_matching_pennies_fast_fp_converges_like_one_over_sqrt_t():
    g = matching_pennies()
    r1 = fictitious_play(g, 1, NOTES_START)
    np.testing.assert_allclose(r1.row_beliefs, [1.5 / 4.5, 3 / 4.5])
    np.testing.assert_allclose(r1.col_beliefs, [2 / 4.5, 2.5 / 4.5])
    r = fictitious_play(g, 1_000_000, NOTES_START)
    assert r.actions()[:4].tolist() == [[T, T], [T, H], [T, H], [H, H]]
    t = r.times
    for f in (r.row_frequencies, r.col_frequencies):
        dev = np.abs(f[:, H] - 0.5)
        # measured max over t >= 100 of |f - 1/2| sqrt(t): 0.73
        assert np.all(dev[99:] <= 1 / np.sqrt(t[99:]))
        assert dev[-1] < 0.002
    np.testing.assert_allclose(r.row_beliefs, [0.5, 0.5], atol=0.002)


# ---------------------------------------------------------------------------
# fictitious play: convergence theorems and Shapley's counterexample
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed,shape", [(1, (3, 4)), (2, (2, 5)), (3, (3, 4)), (4, (4, 3))])
def test_fp_zero_sum_approaches_the_lp_value(seed, shape):
    # Robinson (1951).  Measured NashConv after 20k rounds: 0.0084, 0.0013, 0.0054, 0.0046.
    A = np.random.default_rng(seed).uniform(-1, 1, shape).round(2)
    g = gs.NormalFormGame.zero_sum(A)
    sol = zero_sum_value(A)
    assert np.max(sol.row_strategy) < 0.99 and np.max(sol.col_strategy) < 0.99   # a mixed, non-uniform value
    r = fictitious_play(g, 20_000, record_every=1000)
    x, y = r.row_frequencies[-1], r.col_frequencies[-1]
    lower, upper = np.min(x @ A), np.max(A @ y)      # what x guarantees, what y concedes
    assert lower <= sol.value + 1e-12 <= upper + 2e-12
    assert upper - lower < 0.02
    assert abs(x @ A @ y - sol.value) < 0.02
    assert nash_conv(g, [x, y]) < 0.02
    assert nash_conv(g, [x, y]) < 0.5 * nash_conv(g, [r.row_frequencies[0], r.col_frequencies[0]])


def test_fp_zero_sum_environment_equals_fast_fp():
    # The vectorized runner (float, incremental values) and the exact event-driven FP play alike.
    A = np.random.default_rng(2).uniform(-1, 1, (2, 5)).round(2)
    g = gs.NormalFormGame.zero_sum(A)
    fp = FictitiousPlay()
    env = Environment(g, {fp: 6}, matching="pairs", rounds=3000, seed=0, keep_history=True)
    hist = env.run().history
    ref = fictitious_play(g, 3000).actions()
    for k in range(3):
        np.testing.assert_array_equal(hist[:, k, :], ref)


def test_fp_dominance_solvable_game_converges_to_the_unique_equilibrium():
    g = dominance_solvable_game()
    assert iterated_strict_dominance(g) == ([2], [1])
    eqs = nash_equilibria(g)
    assert len(eqs) == 1 and eqs[0].is_pure
    # Start with beliefs that make the dominated path look best.
    r = fictitious_play(g, 200_000, ((0, 0, 5), (5, 0, 0)), record_every=1000)
    # Play walks down the elimination order: (0, 0) -> (1, 0) -> (1, 1) -> (2, 1), then stays.
    assert r.segments[:, 3:].tolist() == [[0, 0], [1, 0], [1, 1], [2, 1]]
    # The dominated actions' frequencies then decay like 1/t (measured 0.85 after 5000 rounds).
    assert r.row_frequencies[-1][2] > 0.99 and r.col_frequencies[-1][1] > 0.99


def test_fp_potential_game_converges_to_a_pure_equilibrium():
    # Stag hunt (a potential game), 200 random integer priors side by side.
    g = stag_hunt()
    pure = set(pure_nash_equilibria(g))
    assert pure == {(0, 0), (1, 1)}
    rng = np.random.default_rng(0)
    W = (rng.integers(0, 6, (200, 2)), rng.integers(0, 6, (200, 2)))
    r = fictitious_play(g, 2000, W, keep_actions=True, record_every=None)
    ends = set()
    for k in range(200):
        a, b = r.actions(k)[-1]
        assert (int(a), int(b)) in pure
        ends.add((int(a), int(b)))
        assert r.row_frequencies[k, -1, a] > 0.99 and r.col_frequencies[k, -1, b] > 0.99
    assert ends == pure            # both equilibria are reached from some priors


def test_fp_shapley_game_does_not_settle():
    # Shapley (1964): from a pure start fictitious play cycles with growing phases.
    # Measured over T = 2^10 .. 2^19: NashConv >= 0.278, |f(T) - f(2T)| >= 0.20.
    g = shapley_game()
    r = fictitious_play(g, 2 ** 20, ((1, 0, 0), (0, 1, 0)))
    for k in range(10, 21):
        Tk = 2 ** k
        x, y = r.row_frequencies[Tk - 1], r.col_frequencies[Tk - 1]
        assert nash_conv(g, [x, y]) > 0.2
        if k < 20:
            assert np.abs(x - r.row_frequencies[2 * Tk - 1]).max() > 0.1
    # The phases grow geometrically: few segments for a million rounds.
    assert r.segments.shape[0] < 200


# ---------------------------------------------------------------------------
# regret matching
# ---------------------------------------------------------------------------
def test_unconditional_regret_matching_external_regret_bound_and_cce():
    # Hart and Mas-Colell (2000); Blackwell: E max_k R_T(k)+ <= range sqrt((m - 1) T).
    # Measured (100 pairs, rectangular 3x4 game): mean 0.10 and max 0.33 of the bound, at
    # every T; the coarse-CE violation of the empirical joint play halves as T quadruples.
    g = random_bimatrix(5, 3, 4)
    rm = RegretMatching()
    T_ = 8000
    env = Environment(g, {rm: 200}, matching="pairs", rounds=T_, seed=3, keep_history=True)
    hist = env.run().history
    run = runner_of(env, rm)
    rows, cols = np.arange(0, 200, 2), np.arange(1, 200, 2)
    reg = [run.regrets(0, rows).max(axis=1), run.regrets(1, cols).max(axis=1)]
    for p, m_own in ((0, 3), (1, 4)):
        rng_p = np.ptp(g.payoffs[p])
        bound = rng_p * math.sqrt((m_own - 1) / T_)
        assert np.all(reg[p] <= bound)
        assert reg[p].mean() <= 0.2 * bound
    # The same bound at every horizon, from the history: average regret of player 0 over
    # the first t rounds, max_k mean_s A[k, b_s] - A[a_s, b_s].
    A = g.payoffs[0]
    for t in (100, 500, 2000, 8000):
        a, b = hist[:t, :, 0], hist[:t, :, 1]                       # (t, 100)
        avg_regret = (A[:, b].mean(axis=1) - A[a, b].mean(axis=0)).max(axis=0)
        assert np.all(avg_regret <= np.ptp(A) * math.sqrt(2 / t))
    np.testing.assert_allclose(avg_regret, reg[0], atol=1e-9)
    # The runner's regrets are exactly the coarse-CE violation of the empirical joint play.
    cce = np.array([coarse_ce_violation(g, empirical_joint(hist[:, k], g.n_actions)) for k in range(100)])
    np.testing.assert_allclose(cce, np.maximum(np.maximum(reg[0], reg[1]), 0), atol=1e-9)
    early = np.mean([coarse_ce_violation(g, empirical_joint(hist[:500, k], g.n_actions)) for k in range(100)])
    assert cce.mean() < 0.35 * early           # measured 0.0200 vs 0.0833 (500 -> 8000 rounds)


def test_conditional_regret_matching_on_chicken_reaches_correlated_equilibria():
    # Measured max CE violation over 10 pairs: 0.02 after 1000 rounds, 0.004 after 5000.
    g = chicken()
    rm = RegretMatching(conditional=True)
    env = Environment(g, {rm: 20}, matching="pairs", rounds=5000, seed=3, keep_history=True)
    hist = env.run().history
    run = runner_of(env, rm)
    ce = np.array([ce_violation(g, empirical_joint(hist[:, k], g.n_actions)) for k in range(10)])
    assert np.all(ce < 0.02)
    # The runner's conditional regrets are exactly the CE violation of the joint play.
    R = np.maximum(run.regrets(0, np.arange(0, 20, 2)).max(axis=(1, 2)), run.regrets(1, np.arange(1, 20, 2)).max(axis=(1, 2)))
    np.testing.assert_allclose(ce, np.maximum(R, 0), atol=1e-9)
    assert np.all(run.mu[0] > (2 - 1) * 7)     # mu exceeds the largest possible regret sum


def test_conditional_but_not_unconditional_regret_matching_approaches_ce_in_shapley_game():
    # Shapley's game: external regret matching only reaches coarse CE; the conditional
    # procedure reaches CE.  Measured mean CE violation after 10k rounds (10 pairs):
    # conditional 0.041, unconditional 0.094 (min 0.081).
    g = shapley_game()
    out = {}
    for cond in (True, False):
        env = Environment(g, {RegretMatching(cond): 20}, matching="pairs", rounds=10_000, seed=3, keep_history=True)
        hist = env.run().history
        out[cond] = np.mean([ce_violation(g, empirical_joint(hist[:, k], g.n_actions)) for k in range(10)])
        cce = np.mean([coarse_ce_violation(g, empirical_joint(hist[:, k], g.n_actions)) for k in range(10)])
        assert cce < 0.02
    assert out[True] < 0.06
    assert out[False] > 0.075


def test_regret_matching_mu_validation():
    with pytest.raises(ValueError, match="mu"):
        RegretMatching(conditional=False, mu=10)
    with pytest.raises(ValueError, match="mu"):
        RegretMatching(conditional=True, mu=3).runner(chicken(), 2, np.random.default_rng(0))


# ---------------------------------------------------------------------------
# Hedge
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eta", [0.1, 0.05, "anytime"])
def test_hedge_regret_within_freund_schapire_bound(eta):
    # A rectangular zero-sum game; the column player is the adversary: each round it plays
    # the column that is worst for Hedge's current mixed strategy.
    rng = np.random.default_rng(7)
    A = rng.integers(-4, 5, (3, 5)).astype(float)
    g = gs.NormalFormGame.zero_sum(A)
    lo, span = A.min(), np.ptp(A)
    run = Hedge(eta).runner(g, 1, np.random.default_rng(0))
    T_ = 2000
    expected_gain = 0.0
    cum = np.zeros(3)
    for _ in range(T_):
        p = run.strategy(0, [0])[0]
        b = int(np.argmin(p @ A))
        a = int(run.act(np.array([0]), np.array([0]))[0])
        g_t = (A[:, b] - lo) / span                    # gains in [0, 1]
        expected_gain += p @ g_t
        cum += g_t
        run.observe(np.array([0]), np.array([0]), np.array([[a, b]]), np.array([A[a, b]]))
    regret = cum.max() - expected_gain
    m = 3
    if eta == "anytime":
        bound = 2 * math.sqrt(T_ * math.log(m) / 2) + math.sqrt(math.log(m) / 8)
    else:
        bound = math.log(m) / eta + eta * T_ / 8
        # Freund and Schapire (1997), Thm 2, with losses 1 - g and beta = exp(-eta):
        beta = math.exp(-eta)
        loss_hedge, loss_best = T_ - expected_gain, T_ - cum.max()
        assert loss_hedge <= (math.log(1 / beta) * loss_best + math.log(m)) / (1 - beta) + 1e-9
    assert regret <= bound
    assert regret > -bound                               # and it is a regret, not a fluke
    np.testing.assert_allclose(run.gains[0][0], cum)


# ---------------------------------------------------------------------------
# stochastic fictitious play, best-response dynamics
# ---------------------------------------------------------------------------
def test_stochastic_fp_frequencies_near_the_mixed_equilibrium():
    # Zero-sum [[3, -1], [-2, 1]]: x* = (3/7, 4/7), y* = (2/7, 5/7).  Measured mean
    # frequencies over 10 pairs after 5000 rounds: (0.435, 0.282).
    g = gs.NormalFormGame.zero_sum([[3, -1], [-2, 1]])
    sfp = StochasticFictitiousPlay(temperature=0.05)
    env = Environment(g, {sfp: 20}, matching="pairs", rounds=5000, seed=3, keep_history=True)
    hist = env.run().history
    x = np.mean([frequencies(hist[:, k, 0], 2) for k in range(10)], axis=0)
    y = np.mean([frequencies(hist[:, k, 1], 2) for k in range(10)], axis=0)
    np.testing.assert_allclose(x, [3 / 7, 4 / 7], atol=0.02)
    np.testing.assert_allclose(y, [2 / 7, 5 / 7], atol=0.02)


def test_best_response_dynamics_cycles_without_inertia_and_coordinates_with_it():
    # Battle of the sexes: best responses to uniform play miscoordinate, (B, F); the
    # simultaneous best responses then swap for ever.  With inertia the pair coordinates.
    g = battle_of_the_sexes()
    hist = Environment(g, {BestResponseDynamics(): 20}, matching="pairs", rounds=50, seed=1,
                       keep_history=True).run().history
    assert np.all(hist[:, :, 0] != hist[:, :, 1])
    assert hist[:4, 0].tolist() == [[0, 1], [1, 0], [0, 1], [1, 0]]
    hist = Environment(g, {BestResponseDynamics(inertia=0.5): 40}, matching="pairs", rounds=60, seed=1,
                       keep_history=True).run().history
    assert np.all(hist[-10:, :, 0] == hist[-10:, :, 1])


def test_best_response_dynamics_solves_the_dominance_solvable_game():
    g = dominance_solvable_game()
    hist = Environment(g, {BestResponseDynamics(): 2}, matching="pairs", rounds=10, keep_history=True).run().history
    assert hist[-1, 0].tolist() == [2, 1]


# ---------------------------------------------------------------------------
# the contract every learner keeps
# ---------------------------------------------------------------------------
LEARNER_INSTANCES = [
    FictitiousPlay(), FictitiousPlay(NOTES_START, tie_break="random"), StochasticFictitiousPlay(0.2),
    RegretMatching(), RegretMatching(conditional=True), Hedge(), Hedge("anytime"),
    BestResponseDynamics(), BestResponseDynamics(0.3),
]


def public_goods_3(r=1.5):
    """Three players each keep (0) or contribute (1) one unit; contributions times r are shared.

    Keeping is strictly dominant when r < 3.
    """
    pay = np.zeros((3, 2, 2, 2))
    for a in itertools.product((0, 1), repeat=3):
        pot = r * sum(a) / 3
        for i in range(3):
            pay[(i,) + a] = pot + (1 - a[i])
    return gs.NormalFormGame(pay)


@pytest.mark.parametrize("strategy", LEARNER_INSTANCES, ids=lambda s: s.name)
class TestLearnerContract:
    def test_metadata(self, strategy):
        cls = type(strategy)
        assert cls.memory_depth == float("inf")
        assert isinstance(cls.stochastic, bool)
        assert strategy.is_stochastic() in (True, False)
        if cls in (StochasticFictitiousPlay, RegretMatching, Hedge):
            assert strategy.is_stochastic()
        assert not cls.two_player_only
        doc = inspect.getdoc(cls)
        assert doc and any(ch.isdigit() for ch in doc.splitlines()[0]), "first line names who proposed it, and when"

    def test_clone_is_equal_and_hashable(self, strategy):
        clone = copy.deepcopy(strategy)
        assert clone == strategy and hash(clone) == hash(strategy) and clone is not strategy
        with pytest.raises(Exception):
            strategy.tie_break = "x"

    @pytest.mark.parametrize("matching", ["round_robin", "pairs", "random", "graph"])
    def test_modes_seeding_reset_and_dominance(self, strategy, matching):
        # Every learner learns the prisoner's dilemma's dominant action in every matching.
        g = prisoners_dilemma()
        match = nx.cycle_graph(6) if matching == "graph" else matching
        # Under random matching state is kept per seat, so each seat learns from about half
        # the rounds (Hedge(0.1) is the slowest: 0.90 defection in the last fifth of 200 rounds).
        env = Environment(g, {strategy: 6}, matching=match, rounds=300, seed=5, keep_history=True)
        first = env.run().history
        second = env.run().history                                   # run() resets
        again = Environment(g, {strategy: 6}, matching=match, rounds=300, seed=5, keep_history=True).run().history
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, again)
        assert np.mean(first[-60:] == 1) > 0.9
        if not strategy.is_stochastic():
            other = Environment(g, {strategy: 6}, matching=match, rounds=300, seed=6, keep_history=True).run().history
            if matching != "random":
                np.testing.assert_array_equal(first, other)

    @pytest.mark.parametrize("matching", ["pairs", "random"])
    def test_three_player_game(self, strategy, matching):
        g = public_goods_3()
        if getattr(strategy, "initial_weights", None) is not None:     # those are two-player priors
            strategy = dataclasses.replace(strategy, initial_weights=None)
        env = Environment(g, {strategy: 9}, matching=matching, rounds=300, seed=2, keep_history=True)
        hist = env.run().history
        assert hist.shape == (300, 3, 3)
        assert np.mean(hist[-60:] == 0) > 0.9                       # keeping is dominant
        run = runner_of(env, strategy)
        for p in range(3):
            probs = run.strategy(p)
            assert probs.shape == (9, 2)
            np.testing.assert_allclose(probs.sum(axis=1), 1.0)
        emp = run.empirical(0)
        assert emp.shape == (9, 2)

    def test_mixed_population_with_reactive_strategies(self, strategy):
        from gamesim.agents import TitForTat
        g = prisoners_dilemma()
        env = Environment(g, {strategy: 2, TitForTat(): 2}, rounds=50, seed=0)
        res = env.run()
        assert res.rounds_played == 50


def test_three_player_random_game_fp_plays_best_response_to_product_beliefs():
    # A rectangular 3-player game (2 x 3 x 4); beliefs about each other player separately.
    rng = np.random.default_rng(11)
    g = gs.NormalFormGame(rng.integers(0, 7, (3, 2, 3, 4)).astype(float))
    fp = FictitiousPlay()
    env = Environment(g, {fp: 6}, matching="pairs", rounds=30, seed=0, keep_history=True)
    hist = env.run().history
    run = runner_of(env, fp)
    for k in range(2):
        for p in range(3):
            others = [j for j in range(3) if j != p]
            bel = run.beliefs(p, [3 * k + p])
            for j, b in zip(others, bel):
                np.testing.assert_allclose(b[0], frequencies(hist[:, k, j], g.n_actions[j]))
            profile = [None] * 3
            for j, b in zip(others, bel):
                profile[j] = b[0]
            vals = gs.sim.engine.action_values(g, p, profile)
            np.testing.assert_allclose(run.expected_values(p, [3 * k + p])[0], vals)
            assert vals[run.strategy(p, [3 * k + p])[0].argmax()] >= vals.max() - 1e-9


# ---------------------------------------------------------------------------
# vectorized runners against a per-unit pure-Python reference
# ---------------------------------------------------------------------------
class Reference:
    """Per-unit, per-seat pure-Python versions of the learners (probabilities only)."""

    def __init__(self, strategy, game, n_units):
        self.s, self.g, self.n = strategy, game, n_units
        P, m = game.n_players, game.n_actions
        self.P, self.m = P, m
        self.obs = [[[0] * m[j] for j in range(P)] for _ in range(n_units)]
        self.reg = [[[0.0] * m[p] for p in range(P)] for _ in range(n_units)]
        self.swap = [[[[0.0] * m[p] for _ in range(m[p])] for p in range(P)] for _ in range(n_units)]
        self.last = [[None] * P for _ in range(n_units)]
        self.rounds = [[0] * P for _ in range(n_units)]
        self.gain = [[[0.0] * m[p] for p in range(P)] for _ in range(n_units)]
        self.last_cf = [[None] * P for _ in range(n_units)]
        prior = [[None] * P for _ in range(P)]
        iw = getattr(strategy, "initial_weights", None)
        for p in range(P):
            others = [j for j in range(P) if j != p]
            for idx, j in enumerate(others):
                if iw is None:
                    prior[p][j] = [0.0] * m[j]
                else:
                    e = iw[p]
                    prior[p][j] = list(e) if all(isinstance(x, float) for x in e) else list(e[idx])
        self.prior = prior

    def cf(self, p, joint):
        out = []
        for i in range(self.m[p]):
            a = list(joint)
            a[p] = i
            out.append(float(self.g.payoffs[(p,) + tuple(a)]))
        return out

    def values(self, u, p, exact):
        """Expected payoff of each own action against the normalised product beliefs."""
        P, m = self.P, self.m
        bel = {}
        for j in range(P):
            if j == p:
                continue
            w = [Fraction(self.prior[p][j][a]) + self.obs[u][j][a] for a in range(m[j])]
            tot = sum(w)
            bel[j] = [x / tot for x in w] if tot > 0 else [Fraction(1, m[j])] * m[j]
        out = []
        for i in range(m[p]):
            v = Fraction(0)
            for rest in itertools.product(*[range(m[j]) for j in range(P) if j != p]):
                a = list(rest)
                a.insert(p, i)
                pr = Fraction(1)
                for j in range(P):
                    if j != p:
                        pr *= bel[j][a[j]]
                v += Fraction(float(self.g.payoffs[(p,) + tuple(a)])) * pr
            out.append(v)
        return out if exact else [float(x) for x in out]

    def probs(self, u, p):
        s, m = self.s, self.m[p]
        if isinstance(s, FictitiousPlay):
            v = self.values(u, p, exact=True)
            mx = max(v)
            ties = [i for i in range(m) if v[i] == mx]
            if s.tie_break == "first":
                return [1.0 if i == ties[0] else 0.0 for i in range(m)]
            return [1.0 / len(ties) if i in ties else 0.0 for i in range(m)]
        if isinstance(s, StochasticFictitiousPlay):
            v = self.values(u, p, exact=False)
            mx = max(v)
            e = [math.exp((x - mx) / s.temperature) for x in v]
            return [x / sum(e) for x in e]
        if isinstance(s, RegretMatching) and not s.conditional:
            pos = [max(x, 0.0) for x in self.reg[u][p]]
            return [x / sum(pos) for x in pos] if sum(pos) > 0 else [1.0 / m] * m
        if isinstance(s, RegretMatching):
            j = self.last[u][p]
            if j is None:
                return [1.0 / m] * m
            span = float(np.ptp(self.g.payoffs[p]))
            mu = 2 * (m - 1) * span if (m - 1) * span > 0 else 1.0
            t = self.rounds[u][p]
            q = [max(self.swap[u][p][j][k] / t, 0.0) / mu if k != j else 0.0 for k in range(m)]
            q[j] = 1.0 - sum(q)
            return q
        if isinstance(s, Hedge):
            eta = math.sqrt(8 * math.log(m) / (self.rounds[u][p] + 1)) if s.eta == "anytime" else s.eta
            x = [eta * gg for gg in self.gain[u][p]]
            mx = max(x)
            e = [math.exp(v - mx) for v in x]
            return [v / sum(e) for v in e]
        if isinstance(s, BestResponseDynamics):
            if self.last_cf[u][p] is None:
                others = tuple(j for j in range(self.P) if j != p)
                v = list(np.asarray(self.g.payoffs[p]).mean(axis=others))
            else:
                v = self.last_cf[u][p]
            br = [1.0 if i == int(np.argmax(v)) else 0.0 for i in range(m)]
            if s.inertia > 0 and self.last[u][p] is not None:
                br = [(1 - s.inertia) * x for x in br]
                br[self.last[u][p]] += s.inertia
            return br
        raise AssertionError(s)

    def observe(self, u, p, joint):
        for j in range(self.P):
            if j != p:
                self.obs[u][j][joint[j]] += 1
        cf = self.cf(p, joint)
        own = joint[p]
        for k in range(self.m[p]):
            self.reg[u][p][k] += cf[k] - cf[own]
            self.swap[u][p][own][k] += cf[k] - cf[own]
        lo = float(np.min(self.g.payoffs[p]))
        span = float(np.ptp(self.g.payoffs[p]))
        for k in range(self.m[p]):
            self.gain[u][p][k] += (cf[k] - lo) / span if span > 0 else 0.0
        self.last_cf[u][p] = cf
        self.last[u][p] = own
        self.rounds[u][p] += 1


@settings(max_examples=60, deadline=None)
@given(strategy=st.sampled_from(LEARNER_INSTANCES + [FictitiousPlay(((1, 0.5, 2), (0, 2)), "random"),
                                                    FictitiousPlay(((2, 0.5, 0), (1, 0)))]),
       n_players=st.integers(2, 3), seed=st.integers(0, 2 ** 31 - 1), n_units=st.integers(1, 6),
       rounds=st.integers(1, 12))
def test_vectorized_runner_equals_per_unit_reference(strategy, n_players, seed, n_units, rounds):
    rng = np.random.default_rng(seed)
    iw = getattr(strategy, "initial_weights", None)
    if iw is not None and n_players == 3:
        strategy = dataclasses.replace(strategy, initial_weights=None)
        iw = None
    if iw is not None:                      # seat 0's weights are about player 1, and vice versa
        shape = (len(iw[1]), len(iw[0]))
    else:
        shape = tuple(int(x) for x in rng.integers(1, 5, n_players))
    g = gs.NormalFormGame(rng.integers(-2, 3, (n_players,) + tuple(shape)).astype(float))
    run = strategy.runner(g, n_units, np.random.default_rng(0))
    ref = Reference(strategy, g, n_units)
    for _ in range(rounds):
        for p in range(n_players):
            for u in range(n_units):
                np.testing.assert_allclose(run.strategy(p, [u])[0], ref.probs(u, p), atol=1e-9)
        k = int(rng.integers(1, n_units + 1))
        units = rng.choice(n_units, size=k, replace=False)
        players = rng.integers(0, n_players, k)
        acts = run.act(units, players)
        for i, (u, p) in enumerate(zip(units, players)):
            probs = ref.probs(int(u), int(p))
            assert probs[acts[i]] > 0                       # only actions it may play
        joint = np.stack([rng.integers(0, g.n_actions[j], k) for j in range(n_players)], axis=1)
        joint[np.arange(k), players] = acts
        pay = g.payoffs[(players,) + tuple(joint.T)]
        run.observe(units, players, joint, pay)
        for u, p, row in zip(units, players, joint):
            ref.observe(int(u), int(p), [int(x) for x in row])


# ---------------------------------------------------------------------------
# fast fictitious play against the round-by-round reference
# ---------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2 ** 31 - 1), m=st.integers(1, 4), n=st.integers(1, 5),
       kind=st.sampled_from(["small-int", "float", "decimal", "dyadic"]), tie_break=st.sampled_from(["first", "random"]),
       prior=st.sampled_from(["none", "int", "half", "float"]), iterations=st.integers(1, 200))
def test_fast_fp_equals_reference_exactly(seed, m, n, kind, tie_break, prior, iterations):
    rng = np.random.default_rng(seed)
    if kind == "small-int":        # many exact ties
        A, B = rng.integers(-1, 2, (m, n)).astype(float), rng.integers(-1, 2, (m, n)).astype(float)
    elif kind == "float":
        A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    elif kind == "decimal":        # ties in decimal must be ties
        A, B = rng.integers(-4, 5, (m, n)) / 10, rng.integers(-40, 50, (m, n)) / 100
    else:
        A, B = rng.integers(-4, 5, (m, n)) / 8, rng.integers(-4, 5, (m, n)) * 0.1
    scale = {"none": 0.0, "int": 1.0, "half": 0.5, "float": 0.3}[prior]
    wr, wc = rng.integers(0, 3, n) * scale, rng.integers(0, 3, m) * scale
    got = fictitious_play((A, B), iterations, (wr, wc), tie_break, seed=seed)
    ref = reference_fp(A, B, iterations, wr, wc, tie_break, np.random.default_rng(seed))
    np.testing.assert_array_equal(got.actions(), ref)
    counts_r = np.cumsum(np.eye(m)[ref[:, 0]], axis=0)
    counts_c = np.cumsum(np.eye(n)[ref[:, 1]], axis=0)
    t = np.arange(1, iterations + 1)[:, None]
    np.testing.assert_allclose(got.row_frequencies, counts_r / t)
    np.testing.assert_allclose(got.col_frequencies, counts_c / t)
    # A batch of differently seeded / weighted runs equals the single runs.
    R = 3
    WR = np.stack([wr, rng.integers(0, 4, n), np.zeros(n)])
    WC = np.stack([wc, rng.integers(0, 4, m), np.zeros(m)])
    rb = fictitious_play((A, B), iterations, (WR, WC), tie_break, seed=seed, keep_actions=True, record_every=7)
    for r in range(R):
        single = fictitious_play((A, B), iterations, (WR[r], WC[r]), tie_break, seed=batch_seed(seed, r), record_every=7)
        np.testing.assert_array_equal(rb.actions(r), single.actions())
        np.testing.assert_array_equal(rb.row_frequencies[r], single.row_frequencies)
        np.testing.assert_array_equal(rb.col_frequencies[r], single.col_frequencies)
        np.testing.assert_array_equal(rb.row_counts[r], single.row_counts)


def test_fast_fp_matching_pennies_with_ties_equals_reference():
    # Zero prior: the value differences hit exact ties at every crossing.
    g = matching_pennies()
    for tb in ("first", "random"):
        got = fictitious_play(g, 3000, tie_break=tb, seed=4).actions()
        np.testing.assert_array_equal(got, reference_fp(g.payoffs[0], g.payoffs[1], 3000, [0, 0], [0, 0], tb,
                                                        np.random.default_rng(4)))
    got = fictitious_play(g, 3000, NOTES_START).actions()
    np.testing.assert_array_equal(got, reference_fp(g.payoffs[0], g.payoffs[1], 3000, *NOTES_START))


def test_fast_fp_batch_with_python_int_arithmetic_equals_single_runs():
    # Weights like 0.1 need 2^55 scaling: the batch falls back to exact Python integers.
    g = shapley_game()
    rng = np.random.default_rng(0)
    W = (rng.random((4, 3)), rng.random((4, 3)))
    rb = fictitious_play(g, 5000, W, keep_actions=True, record_every=250)
    assert "python-int" in rb.method
    for r in range(4):
        single = fictitious_play(g, 5000, (W[0][r], W[1][r]), record_every=250)
        np.testing.assert_array_equal(rb.actions(r), single.actions())
        np.testing.assert_array_equal(rb.row_frequencies[r], single.row_frequencies)


def test_fast_fp_result_and_validation():
    g = matching_pennies()
    r = fictitious_play(g, 10, record_every=4)
    assert r.times.tolist() == [4, 8, 10]
    assert r.row_frequencies.shape == (3, 2) and r.params["iterations"] == 10
    assert r.row_counts.sum() == 10 and "event-driven" in r.method
    assert fictitious_play(g, 10, record_every=None).times.tolist() == [10]
    rb = fictitious_play(g, 10, batch=5)
    assert rb.row_frequencies.shape == (5, 10, 2) and rb.segments is None
    with pytest.raises(ValueError, match="run"):
        fictitious_play(g, 10, batch=2, keep_actions=True).actions()
    for kwargs, field in [({"iterations": 0}, "iterations"), ({"tie_break": "last"}, "tie_break"),
                          ({"initial_weights": ((1, 2, 3), (1, 1))}, "initial_weights"),
                          ({"initial_weights": ((-1, 2), (1, 1))}, "initial_weights"),
                          ({"batch": 0}, "batch"), ({"record_every": 0}, "record_every")]:
        kw = {"iterations": 10, **kwargs}
        with pytest.raises(ValueError, match=field):
            fictitious_play(g, **kw)
    with pytest.raises(ValueError, match="two-player"):
        fictitious_play(public_goods_3(), 10)


def test_learner_parameter_validation():
    with pytest.raises(ValueError, match="tie_break"):
        FictitiousPlay(tie_break="last")
    with pytest.raises(ValueError, match="temperature"):
        StochasticFictitiousPlay(temperature=0)
    with pytest.raises(ValueError, match="eta"):
        Hedge(eta=-1)
    with pytest.raises(ValueError, match="inertia"):
        BestResponseDynamics(inertia=1.0)
    with pytest.raises(ValueError, match="initial_weights"):
        FictitiousPlay(((1, 2, 3), (1, 1))).runner(matching_pennies(), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="initial_weights"):
        FictitiousPlay(((1, 2),)).runner(matching_pennies(), 2, np.random.default_rng(0))


# ---------------------------------------------------------------------------
# replicator dynamics
# ---------------------------------------------------------------------------
def test_replicator_chicken_converges_to_the_mixed_equilibrium():
    starts = np.array([[0.05, 0.95], [0.5, 0.5], [0.95, 0.05]])
    r = replicator_dynamics(chicken(), starts, steps=600, dt=0.05)
    assert r.trajectory.shape == (601, 3, 2)
    np.testing.assert_allclose(r.final, np.tile([1 / 3, 2 / 3], (3, 1)), atol=1e-6)
    assert "Runge-Kutta" in r.method and r.params["dt"] == 0.05


def test_replicator_dominated_strategy_dies_out_and_states_stay_on_the_simplex():
    r = replicator_dynamics(prisoners_dilemma(), [[0.99, 0.01], [0.5, 0.5]], steps=2000, dt=0.05)
    assert np.all(r.final[:, 1] > 0.999)
    assert np.all(r.trajectory >= 0) and np.allclose(r.trajectory.sum(axis=-1), 1.0)


def test_replicator_conserves_the_constant_of_motion_of_a_skew_symmetric_game():
    # A = -A^T with interior equilibrium x* = (3, 2, 1)/6 (A x* = 0): sum x*_i ln x_i is constant.
    A = np.array([[0, 1, -2], [-1, 0, 3], [2, -3, 0]], dtype=float)
    xs = np.array([3, 2, 1]) / 6
    np.testing.assert_allclose(A @ xs, 0, atol=1e-12)
    r = replicator_dynamics(A, [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], steps=4000, dt=0.005)
    H = np.log(r.trajectory) @ xs                                     # (steps + 1, batch)
    assert np.abs(H - H[0]).max() < 1e-8
    assert np.ptp(r.trajectory[:, 0, 0]) > 0.2                         # it does move (cycles)
    # Euler drifts outward (H decreases); RK4 is far more accurate.
    e = replicator_dynamics(A, [0.2, 0.3, 0.5], steps=4000, dt=0.005, method="euler")
    He = np.log(e.trajectory) @ xs
    assert He[-1] < He[0] - 1e-4


def test_replicator_rk4_is_fourth_order():
    A = np.array([[0, 1, -2], [-1, 0, 3], [2, -3, 0]], dtype=float)
    x0 = [0.2, 0.3, 0.5]
    exact = replicator_dynamics(A, x0, steps=3200, dt=0.000625).final
    e1 = np.abs(replicator_dynamics(A, x0, steps=100, dt=0.02).final - exact).max()
    e2 = np.abs(replicator_dynamics(A, x0, steps=200, dt=0.01).final - exact).max()
    assert 10 < e1 / e2 < 22                                          # ~16 for a 4th-order method


def test_two_population_replicator_conserves_kl_in_a_non_uniform_zero_sum_game():
    # [[3, -1], [-2, 1]]: x* = (3/7, 4/7), y* = (2/7, 5/7); sum x* ln x + sum y* ln y is constant.
    g = gs.NormalFormGame.zero_sum([[3, -1], [-2, 1]])
    r = two_population_replicator(g, [[0.6, 0.4], [0.2, 0.8]], [[0.5, 0.5], [0.1, 0.9]], steps=4000, dt=0.005)
    xs, ys = np.array([3, 4]) / 7, np.array([2, 5]) / 7
    H = np.log(r.x) @ xs + np.log(r.y) @ ys
    assert np.abs(H - H[0]).max() < 1e-8
    assert r.x.shape == (4001, 2, 2) and r.y.shape == (4001, 2, 2)


def test_two_population_replicator_rectangular_dominance():
    # 2 x 3: column 0 strictly dominates for the column player; against it row 0 is best,
    # although row 1 grows at first (it does better against columns 1 and 2).
    A = np.array([[1, 0, 5], [0, 2, 5]], dtype=float)
    B = np.array([[2, 1, 0], [3, 0, 1]], dtype=float)
    r = two_population_replicator((A, B), [0.1, 0.9], [0.1, 0.1, 0.8], steps=4000, dt=0.01)
    assert r.x[10][1] > r.x[0][1]
    assert r.y[-1][0] > 0.999 and r.x[-1][0] > 0.999


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 31 - 1), m=st.integers(2, 4), n=st.integers(2, 4))
def test_two_population_replicator_stays_on_the_simplex(seed, m, n):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, n)) * 5, rng.normal(size=(m, n)) * 5
    x0, y0 = rng.dirichlet(np.ones(m), 3), rng.dirichlet(np.ones(n), 3)
    r = two_population_replicator((A, B), x0, y0, steps=200, dt=0.05)
    for z in (r.x, r.y):
        assert np.all(z >= 0) and np.allclose(z.sum(axis=-1), 1.0)
    e = two_population_replicator((A, B), x0, y0, steps=50, dt=0.001, method="euler")
    k = two_population_replicator((A, B), x0, y0, steps=50, dt=0.001)
    np.testing.assert_allclose(e.x[-1], k.x[-1], atol=1e-3)


def test_replicator_validation():
    with pytest.raises(ValueError, match="symmetric"):
        replicator_dynamics(battle_of_the_sexes(), [0.5, 0.5], 10, 0.1)
    with pytest.raises(ValueError, match="x0"):
        replicator_dynamics(chicken(), [0.5, 0.6], 10, 0.1)
    with pytest.raises(ValueError, match="dt"):
        replicator_dynamics(chicken(), [0.5, 0.5], 10, 0)
    with pytest.raises(ValueError, match="method"):
        replicator_dynamics(chicken(), [0.5, 0.5], 10, 0.1, method="rk45")
    with pytest.raises(ValueError, match="y0"):
        two_population_replicator(chicken(), [0.5, 0.5], [1.0], 10, 0.1)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_fp_converges_in_generic_2xn_games(n, seed):
    # Notes: fictitious play converges in 2 x n games with generic payoffs (Berger 2005,
    # "Fictitious play in 2 x n games", J. Econ. Theory 120), and a limit of FP is a
    # Nash equilibrium.  Continuous random payoffs are generic with probability 1.
    # Measured over 60 seeds: normalised NashConv <= 0.0035 after 20,000 iterations.
    from gamesim.agents.fast_fp import fictitious_play
    from gamesim.analysis import nash_conv

    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(2, n)), rng.normal(size=(2, n))
    g = gs.NormalFormGame.from_bimatrix(A, B)
    r = fictitious_play(g, 20_000, record_every=None)
    x = [np.asarray(r.row_frequencies).reshape(-1, 2)[-1], np.asarray(r.col_frequencies).reshape(-1, n)[-1]]
    assert nash_conv(g, x) <= 0.02 * np.ptp(np.stack([A, B]))
