"""Tests for gamesim.bargaining.disagreement: Nash / minmax points, Nash's threat
solution (checked by bisection and brute force), and the CE fallback."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gamesim.analysis.equilibria import ce_violation, zero_sum_value
from gamesim.bargaining.disagreement import (
    CEFallback,
    DisagreementPoint,
    ThreatSolution,
    ce_fallback,
    minmax_point,
    nash_point,
    threat_point,
)
from gamesim.bargaining.values import coco_value
from gamesim.sim.catalogue import prisoners_dilemma, treutlein_example_60
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bimatrix(A, B) -> NormalFormGame:
    return NormalFormGame.from_bimatrix(np.asarray(A, float), np.asarray(B, float))


def bos():
    return bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])


def bos_torture():
    return bimatrix([[3, 0], [0, 2], [-1, -1]], [[2, 0], [0, 3], [-10, -10]])


def aumann_chicken():
    return bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])


@st.composite
def small_bimatrices(draw, max_rows=3, max_cols=3):
    m = draw(st.integers(1, max_rows))
    k = draw(st.integers(1, max_cols))
    A = draw(arrays(float, (m, k), elements=st.integers(-5, 5).map(float)))
    B = draw(arrays(float, (m, k), elements=st.integers(-5, 5).map(float)))
    return bimatrix(A, B)


# ---------------------------------------------------------------------------
# independent references for the threat solution
# ---------------------------------------------------------------------------
def brute_nbs(P: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NBS over conv(P) for a batch of disagreement points, by scanning every segment
    between two outcome points (the Pareto boundary is a union of such segments).

    Returns (points (K, 2), products (K,)).  No hull code involved.
    """
    d = np.atleast_2d(d)
    pairs = [(i, j) for i in range(len(P)) for j in range(i, len(P))]
    p = P[[i for i, _ in pairs]]
    q = P[[j for _, j in pairs]]
    delta = q - p                                            # (S, 2)
    g = p[None, :, :] - d[:, None, :]                        # (K, S, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.zeros(g.shape[:2])
        hi = np.ones(g.shape[:2])
        feasible = np.ones(g.shape[:2], dtype=bool)
        for c in range(2):
            dc = delta[None, :, c]
            bound = -g[:, :, c] / dc
            lo = np.where(dc > 0, np.maximum(lo, bound), lo)
            hi = np.where(dc < 0, np.minimum(hi, bound), hi)
            feasible &= ~((dc == 0) & (g[:, :, c] < 0))
        feasible &= lo <= hi
        lo = np.where(feasible, lo, 0.0)
        hi = np.where(feasible, hi, 0.0)
        a = delta[None, :, 0] * delta[None, :, 1]
        b = g[:, :, 0] * delta[None, :, 1] + g[:, :, 1] * delta[None, :, 0]
        star = np.where(a < 0, -b / (2 * a), lo)
    cands = np.stack([lo, hi, np.clip(star, lo, hi)])        # (3, K, S)
    ok = feasible
    x = p[None, None] + cands[..., None] * delta[None, None]  # (3, K, S, 2)
    prod = (x[..., 0] - d[None, :, None, 0]) * (x[..., 1] - d[None, :, None, 1])
    prod = np.where(ok[None], prod, -np.inf)
    flat = prod.transpose(1, 0, 2).reshape(len(d), -1)
    best = np.argmax(flat, axis=1)
    pts = x.transpose(1, 0, 2, 3).reshape(len(d), -1, 2)[np.arange(len(d)), best]
    return pts, flat[np.arange(len(d)), best]


def upper_frontier(P: np.ndarray, c: float) -> tuple[float, float]:
    """h(c) = max{x2 : (c, x2) in conv(P)} and the slope -mu of the upper boundary there,
    by scanning every segment between two outcome points (exact; c must be generic)."""
    best, slope = -np.inf, 0.0
    for p, q in itertools.combinations(P, 2):
        if p[0] > q[0]:
            p, q = q, p
        if p[0] < c < q[0]:
            s = (q[1] - p[1]) / (q[0] - p[0])
            h = p[1] + s * (c - p[0])
            if h > best:        # near a vertex the boundary edge still wins by > rounding
                best, slope = h, s
    return best, -slope


def bisection_threat_value(game: NormalFormGame, iters: int = 75) -> float:
    """Player 1's NBS payoff under optimal threats, by bisection on the frontier position
    c: player 1 can force NBS_1 >= c iff val(n1 A - n2 B) >= n1 c - n2 h(c) (ALGORITHMS 2).

    The interval is cut at an irrational fraction so that c never lands exactly on a
    vertex of integer data (where the frontier's normal is not unique)."""
    A, B = game.payoffs
    P = game.outcome_payoffs()
    top = P[:, 1].max()
    left = P[P[:, 1] >= top - 1e-12, 0].max()
    right = P[:, 0].max()
    if right - left <= 1e-12:
        return left
    lo, hi = left, right
    for _ in range(iters):
        if hi - lo < 1e-10:    # closer to a vertex, rounding could pick the wrong segment
            break
        c = lo + (np.sqrt(2) - 1) * (hi - lo)
        h, mu = upper_frontier(P, c)
        n1, n2 = mu / (1 + mu), 1 / (1 + mu)
        if zero_sum_value(n1 * A - n2 * B).value >= n1 * c - n2 * h:
            lo = c
        else:
            hi = c
    return 0.5 * (lo + hi)


def simplex_grid(m: int, steps: int) -> np.ndarray:
    pts = [np.array(c) / steps for c in itertools.product(range(steps + 1), repeat=m) if sum(c) == steps]
    return np.array(pts)


# ---------------------------------------------------------------------------
# Nash and minmax points
# ---------------------------------------------------------------------------
def test_nash_point_example_60():
    dp = nash_point(treutlein_example_60())
    assert isinstance(dp, DisagreementPoint) and dp.kind == "nash"
    np.testing.assert_allclose(dp.point, [3, 3])
    np.testing.assert_allclose(dp.strategies[0], [0, 1])       # b2
    np.testing.assert_allclose(dp.strategies[1], [0, 1, 0])    # a2
    np.testing.assert_allclose(dp.joint, [[0, 0, 0], [0, 1, 0]])
    # Known result: the threat solution (2.5, 4.75) is worse for player 1 than (3, 3).
    assert threat_point(treutlein_example_60()).point[0] < dp.point[0]


@pytest.mark.parametrize("A, B, expect", [
    # NE (3,3) and (6,1); minmax (2, 3/4): products 2.25 vs 1.
    ([[3, 0], [0, 6]], [[3, 0], [0, 1]], {"max-nash-product": [3, 3], "welfare": [6, 1], "first": [3, 3]}),
    ([[6, 0], [0, 3]], [[1, 0], [0, 3]], {"max-nash-product": [3, 3], "welfare": [6, 1], "first": [6, 1]}),
])
def test_nash_point_selection_rules(A, B, expect):
    g = bimatrix(A, B)
    for rule, point in expect.items():
        dp = nash_point(g, selection=rule)
        np.testing.assert_allclose(dp.point, point, atol=1e-9)
        assert dp.details["selection"] == rule
        assert len(dp.details["equilibria"]) == 3


def test_nash_point_ties_go_to_welfare_then_order():
    # Battle of the sexes: both pure equilibria tie on product and welfare -> the first.
    from gamesim.sim.catalogue import battle_of_the_sexes
    dp = nash_point(battle_of_the_sexes())
    np.testing.assert_allclose(dp.point, [2, 1])
    assert dp.details["nash_products"][0] == pytest.approx(dp.details["nash_products"][1])


def test_nash_point_three_players():
    # Public goods: defecting is dominant, the unique equilibrium pays 0 to everyone.
    U = np.zeros((3, 2, 2, 2))
    for a in itertools.product(range(2), repeat=3):
        c = [x == 0 for x in a]
        for i in range(3):
            U[(i,) + a] = 2 / 3 * sum(c) - c[i]
    dp = nash_point(NormalFormGame(U))
    np.testing.assert_allclose(dp.point, [0, 0, 0], atol=1e-12)
    assert dp.joint.shape == (2, 2, 2)


def test_nash_point_errors():
    with pytest.raises(ValueError, match="^selection: "):
        nash_point(prisoners_dilemma(), selection="best")
    with pytest.raises(ValueError, match="^game: "):
        nash_point([[1, 2]])


def test_minmax_point():
    dp = minmax_point(prisoners_dilemma())
    np.testing.assert_allclose(dp.point, [1, 1])
    assert dp.kind == "minmax" and dp.strategies is None and dp.joint is None
    assert dp.details["exact"] is True
    np.testing.assert_allclose(minmax_point(bos()).point, [1.2, 1.2])
    np.testing.assert_allclose(minmax_point(bos_torture()).point, [1.2, -10])


# ---------------------------------------------------------------------------
# Nash's variable-threat solution
# ---------------------------------------------------------------------------
def test_threat_point_worked_example():
    ts = threat_point(treutlein_example_60())
    assert isinstance(ts, ThreatSolution)
    np.testing.assert_allclose(ts.point, [2.5, 4.75], atol=1e-12)
    np.testing.assert_allclose(ts.disagreement, [-3, 2], atol=1e-12)       # (b2, a3)
    np.testing.assert_allclose(ts.weights, [1 / 3, 2 / 3], atol=1e-12)     # edge x1 + 2 x2 = 12
    np.testing.assert_allclose(ts.threats[0], [0, 1])
    np.testing.assert_allclose(ts.threats[1], [0, 0, 1])
    assert ts.certificate["case"] == "edge"
    # The published (5.5, 2.75) is the gain vector, not a payoff.
    np.testing.assert_allclose(ts.point - ts.disagreement, [5.5, 2.75], atol=1e-12)


def test_threat_point_worked_example_brute_force_grid():
    g = treutlein_example_60()
    A, B = g.payoffs
    P = g.outcome_payoffs()
    T1 = simplex_grid(2, 20)
    T2 = simplex_grid(3, 10)
    d = np.array([[t1 @ A @ t2, t1 @ B @ t2] for t1 in T1 for t2 in T2])
    x, prod = brute_nbs(P, d)
    phi = x[:, 0].reshape(len(T1), len(T2))
    maxmin = phi.min(axis=1).max()
    minmax = phi.max(axis=0).min()
    assert maxmin == pytest.approx(2.5, abs=1e-9)
    assert minmax == pytest.approx(2.5, abs=1e-9)
    assert bisection_threat_value(g) == pytest.approx(2.5, abs=1e-9)


def test_threat_point_column_reading_is_degenerate():
    """ALGORITHMS section 2: with u1 read as the column player's, the threat point is (4, 4)."""
    g = treutlein_example_60()
    A, B = g.payoffs
    swapped = bimatrix(A.T, B.T)             # rows a1..a3 now belong to the player with u1
    ts = threat_point(swapped)
    np.testing.assert_allclose(ts.point, [4, 4], atol=1e-12)


def _check_threat_solution(g: NormalFormGame) -> str:
    ts = threat_point(g)
    A, B = g.payoffs
    P = g.outcome_payoffs()
    scale = 1 + np.abs(P).max()
    x, d = ts.point, ts.disagreement
    t1, t2 = ts.threats
    # The threats produce d.
    np.testing.assert_allclose(d, [t1 @ A @ t2, t1 @ B @ t2], atol=1e-9 * scale)
    # x is player 1's optimal-threat NBS payoff (independent bisection).
    assert x[0] == pytest.approx(bisection_threat_value(g), abs=1e-7 * scale)
    # x is Pareto optimal in F and supported by the weights.
    w = ts.weights
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    assert (P @ w).max() <= w @ x + 1e-9 * scale
    assert ts.certificate["nbs_residual"] == pytest.approx(0.0, abs=1e-9 * scale)
    # NBS(F, d) = x, by scanning every segment (when d is strictly improvable).
    nb, prod = brute_nbs(P, d)
    if prod[0] > 1e-9 * scale ** 2:
        np.testing.assert_allclose(nb[0], x, atol=1e-7 * scale)
    # Guarantees: each threat secures its side of the threat game(s).
    for e, gdict in ts.certificate["guarantees"].items():
        if "player1_min" in gdict:
            assert gdict["player1_min"] >= gdict["value"] - 1e-9 * scale
        if "player2_max" in gdict:
            assert gdict["player2_max"] <= gdict["value"] + 1e-9 * scale
    return ts.certificate["case"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bimatrices())
def test_threat_point_random_games(g):
    note(f"payoffs {g.payoffs.tolist()}")
    _check_threat_solution(g)


def test_threat_point_covers_edge_and_vertex_cases():
    rng = np.random.default_rng(2024)
    cases = set()
    for _ in range(40):
        m, k = rng.integers(2, 4, size=2)
        g = bimatrix(rng.integers(-5, 6, (m, k)), rng.integers(-5, 6, (m, k)))
        cases.add(_check_threat_solution(g))
    assert {"edge", "vertex"} <= cases


def test_threat_point_vertex_case_brute_force():
    # Find a seeded game whose solution is a vertex and check it by the threat grid too.
    rng = np.random.default_rng(5)
    for _ in range(200):
        A, B = rng.integers(-5, 6, (2, 2, 2)).astype(float)
        g = bimatrix(A, B)
        ts = threat_point(g)
        if ts.certificate["case"] == "vertex" and 0 < ts.certificate["vertex"] < len(ts.certificate["frontier"]) - 1:
            break
    else:  # pragma: no cover
        pytest.fail("no interior-vertex example found")
    T = simplex_grid(2, 60)
    d = np.array([[t1 @ A @ t2, t1 @ B @ t2] for t1 in T for t2 in T])
    x, _ = brute_nbs(g.outcome_payoffs(), d)
    phi = x[:, 0].reshape(len(T), len(T))
    maxmin, minmax = phi.min(axis=1).max(), phi.max(axis=0).min()
    assert maxmin - 0.05 <= ts.point[0] <= minmax + 0.05
    assert ts.point[0] == pytest.approx(bisection_threat_value(g), abs=1e-7)


def test_threat_point_single_point_frontier():
    g = bimatrix([[5, 0], [0, 0]], [[5, 0], [0, 1]])
    ts = threat_point(g)
    np.testing.assert_allclose(ts.point, [5, 5])
    assert ts.certificate["case"] == "single-point"
    _check_threat_solution(g)


def test_threat_point_tu_game_equals_coco():
    """With a single linear frontier x1 + x2 = T the threat solution is the CoCo value."""
    g = bimatrix([[3, 0, 1], [4, 2, 0]], [[1, 4, 3], [0, 2, 4]])     # every outcome sums to 4
    ts = threat_point(g)
    np.testing.assert_allclose(ts.point, coco_value(g).values, atol=1e-12)


def test_threat_point_needs_two_players():
    with pytest.raises(ValueError, match="^game: "):
        threat_point(NormalFormGame(np.zeros((3, 2, 2, 2))))


# ---------------------------------------------------------------------------
# correlated-equilibrium fallback
# ---------------------------------------------------------------------------
def _check_fallback(g: NormalFormGame, fb: CEFallback) -> None:
    n = g.n_players
    Uf = g.payoffs.reshape(n, -1)
    scale = 1 + np.abs(Uf).max()
    assert ce_violation(g, fb.joint) <= 1e-8 * scale
    np.testing.assert_allclose(Uf @ fb.joint.ravel(), fb.point, atol=1e-7 * scale)
    np.testing.assert_allclose(Uf @ fb.ntu_joint.ravel(), fb.ntu_point, atol=1e-7 * scale)
    assert np.all(fb.worst_point <= fb.point + 1e-7 * scale)
    assert np.all(fb.point <= fb.best_point + 1e-7 * scale)
    assert np.all(fb.ntu_point >= fb.point - 1e-7 * scale)
    T = Uf.sum(axis=0).max()
    np.testing.assert_allclose(fb.tu_value, fb.point + (T - fb.point.sum()) / n, atol=1e-12 * scale)
    assert fb.tu_value.sum() == pytest.approx(T)


def test_ce_fallback_chicken():
    g = aumann_chicken()
    fb = ce_fallback(g)
    np.testing.assert_allclose(fb.worst_point, [2, 2], atol=1e-9)
    np.testing.assert_allclose(fb.point, [5.25, 5.25], atol=1e-7)
    np.testing.assert_allclose(fb.tu_value, [6, 6], atol=1e-7)
    np.testing.assert_allclose(fb.ntu_point, [6, 6], atol=1e-7)
    np.testing.assert_allclose(fb.joint, [[0.5, 0.25], [0.25, 0]], atol=1e-6)
    _check_fallback(g, fb)


def test_ce_fallback_bos():
    fb = ce_fallback(bos())
    np.testing.assert_allclose(fb.worst_point, [1.2, 1.2], atol=1e-9)
    for pt in (fb.point, fb.tu_value, fb.ntu_point):
        np.testing.assert_allclose(pt, [2.5, 2.5], atol=1e-7)
    _check_fallback(bos(), fb)


def test_ce_fallback_bos_torturizer_resists_threat():
    fb = ce_fallback(bos_torture())
    np.testing.assert_allclose(fb.worst_point, [1.2, 1.2], atol=1e-9)
    for pt in (fb.point, fb.tu_value, fb.ntu_point):
        np.testing.assert_allclose(pt, [2.5, 2.5], atol=1e-7)
    assert fb.joint[2].sum() == 0.0                      # torture is never recommended
    _check_fallback(bos_torture(), fb)
    # By contrast CoCo moves to (7, -2) and Nash's threat solution to (3, 2).
    np.testing.assert_allclose(coco_value(bos_torture()).values, [7, -2], atol=1e-12)
    np.testing.assert_allclose(threat_point(bos_torture()).point, [3, 2], atol=1e-9)


def test_ce_fallback_example_60():
    g = treutlein_example_60()
    fb = ce_fallback(g)
    np.testing.assert_allclose(fb.worst_point, [3, 3], atol=1e-9)
    np.testing.assert_allclose(fb.point, [3, 3], atol=1e-9)
    np.testing.assert_allclose(fb.joint, [[0, 0, 0], [0, 1, 0]], atol=1e-9)     # (b2, a2)
    np.testing.assert_allclose(fb.tu_value, [4, 4], atol=1e-9)
    np.testing.assert_allclose(fb.ntu_point, [4, 4], atol=1e-7)
    assert fb.details["active"] == ()                   # the CE is unique: d = r
    _check_fallback(g, fb)


def test_ce_fallback_dummy_player_bargains_with_the_others():
    g = treutlein_example_60()
    U = np.zeros((3, 2, 3, 1))
    U[:2, ..., 0] = g.payoffs
    g3 = NormalFormGame(U)
    fb = ce_fallback(g3)
    np.testing.assert_allclose(fb.point, [3, 3, 0], atol=1e-9)
    np.testing.assert_allclose(fb.ntu_point, [4, 4, 0], atol=1e-7)       # the dummy stays at d
    np.testing.assert_allclose(fb.tu_value, [3 + 2 / 3, 3 + 2 / 3, 2 / 3], atol=1e-9)
    assert fb.details["improvable"] == (0, 1)
    _check_fallback(g3, fb)


def _add_torturizer(g: NormalFormGame, c: float) -> NormalFormGame:
    """A player-1 row strictly dominated for player 1 that costs player 2 dearly."""
    A, B = g.payoffs
    k = A.shape[1]
    return bimatrix(np.vstack([A, np.full(k, A.min() - 1)]), np.vstack([B, np.full(k, B.min() - c)]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bimatrices(max_rows=3, max_cols=3), st.sampled_from([5.0, 50.0, 1000.0]))
def test_ce_fallback_is_threat_resistant(g, c):
    A, B = g.payoffs
    # big enough that the threat row raises player 1's competitive value by more than 1:
    # the gain is at least (c - 1 - (max A - min A)) / 2
    c = c + 2 * float(np.abs(A).max() + np.abs(B).max()) + 2
    g2 = _add_torturizer(g, c)
    fb, fb2 = ce_fallback(g), ce_fallback(g2)
    tol = 1e-6 * (1 + c)
    np.testing.assert_allclose(fb2.worst_point, fb.worst_point, atol=tol)
    np.testing.assert_allclose(fb2.point, fb.point, atol=tol)
    np.testing.assert_allclose(fb2.tu_value, fb.tu_value, atol=tol)
    np.testing.assert_allclose(fb2.ntu_point, fb.ntu_point, atol=tol)
    assert np.all(fb2.joint[-1] == 0)
    _check_fallback(g2, fb2)
    # ... while the CoCo value rewards the threat.
    assert coco_value(g2).values[0] > coco_value(g).values[0] + 1.0


def test_ce_fallback_three_players_threat_resistant():
    rng = np.random.default_rng(8)
    U = rng.integers(-3, 4, size=(3, 2, 2, 2)).astype(float)
    g = NormalFormGame(U)
    U2 = np.concatenate([U, np.zeros((3, 2, 2, 1))], axis=3)
    U2[2, :, :, 2] = U[2].min() - 1                  # strictly dominated for player 3
    U2[0, :, :, 2] = U[0].min() - 40                 # ... and it hurts players 1 and 2
    U2[1, :, :, 2] = U[1].min() - 40
    g2 = NormalFormGame(U2)
    fb, fb2 = ce_fallback(g), ce_fallback(g2)
    np.testing.assert_allclose(fb2.point, fb.point, atol=1e-6)
    np.testing.assert_allclose(fb2.ntu_point, fb.ntu_point, atol=1e-6)
    _check_fallback(g, fb)
    _check_fallback(g2, fb2)
    assert coco_value(g2).values[2] > coco_value(g).values[2] + 1.0


def test_ce_fallback_one_bargainer():
    # Player 2 is indifferent everywhere: only player 1's CE payoff varies, so d
    # is player 1's best CE and player 2 stays at 0.
    g = bimatrix([[1, 0], [0, 2]], [[0, 0], [0, 0]])
    fb = ce_fallback(g)
    np.testing.assert_allclose(fb.worst_point, [2 / 3, 0], atol=1e-9)
    np.testing.assert_allclose(fb.point, [2, 0], atol=1e-9)
    np.testing.assert_allclose(fb.ntu_point, [2, 0], atol=1e-9)
    assert fb.details["active"] == (0,) and fb.details["improvable"] == ()
    _check_fallback(g, fb)
    # Player 1 indifferent: player 2 picks its best CE.
    g = bimatrix([[1, 1], [1, 1]], [[3, 0], [0, 2]])
    fb = ce_fallback(g)
    np.testing.assert_allclose(fb.worst_point, [1, 1.2], atol=1e-9)
    np.testing.assert_allclose(fb.point, [1, 3], atol=1e-9)
    _check_fallback(g, fb)


def test_ce_fallback_one_player_game():
    g = NormalFormGame(np.array([[1.0, 4.0, 2.0]]))
    fb = ce_fallback(g)
    assert fb.point.tolist() == [4.0] and fb.ntu_point.tolist() == [4.0] and fb.tu_value.tolist() == [4.0]
    np.testing.assert_allclose(fb.joint, [0, 1, 0])


def test_ce_fallback_ntu_weights_support_f():
    g = aumann_chicken()
    fb = ce_fallback(g)
    w = fb.ntu_weights
    assert w is not None and w.sum() == pytest.approx(1.0) and np.all(w >= 0)
    assert (g.outcome_payoffs() @ w).max() <= w @ fb.ntu_point + 1e-7


def test_ce_fallback_rejects_non_games():
    with pytest.raises(ValueError, match="^game: "):
        ce_fallback(np.zeros((2, 2, 2)))
