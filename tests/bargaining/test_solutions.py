"""Tests for gamesim.bargaining.solutions: worked examples, axioms, independent references.

Expected numbers come from ALGORITHMS.md section 1 (worked-examples table) and from
Treutlein, "Modeling evidential cooperation in large worlds" (arXiv:2307.04879); each
is also recomputed here by a method independent of the library (segment enumeration,
plain SLSQP, LPs written in the test, 1-D searches over the frontier angle).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize, minimize_scalar

from gamesim.bargaining.feasible import (
    PolytopeSet,
    SmoothSet,
    exponential_set,
    feasible_set,
    from_points,
    minkowski_sum,
    quarter_disc,
    quarter_ellipse,
)
from gamesim.bargaining.solutions import (
    BargainingSolution,
    egalitarian,
    kalai_smorodinsky,
    nash_solution,
    utilitarian,
)
from gamesim.sim.catalogue import chicken, treutlein_example_60

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXAMPLE = np.array([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]], dtype=float)
P3 = np.array([[3, 0, 0], [0, 3, 0], [0, 0, 3], [2, 2, 0], [1, 1, 1]], dtype=float)
SQ2 = math.sqrt(2.0)


# ---------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------
def nbs_2d_by_segments(P, d, w):
    """Exact 2-D NBS: the maximiser lies on a segment between two points of P.

    On the segment A + th (B - A) the first-order condition of
    ``w1 log(x1 - d1) + w2 log(x2 - d2)`` is linear in th; clamp it to where both
    gains are positive.  Every candidate is feasible, so the best one is the NBS.
    """
    best, best_x = -np.inf, None
    for A in P:
        for B in P:
            D, a = B - A, A - d
            lo, hi = 0.0, 1.0
            for k in range(2):
                if D[k] > 0:
                    lo = max(lo, -a[k] / D[k])
                elif D[k] < 0:
                    hi = min(hi, -a[k] / D[k])
                elif a[k] <= 0:
                    lo, hi = 1.0, 0.0
            if lo > hi:
                continue
            cands = [lo, hi]
            if D[0] * D[1] != 0:
                th = -(w[0] * D[0] * a[1] + w[1] * D[1] * a[0]) / ((w[0] + w[1]) * D[0] * D[1])
                cands.append(min(max(th, lo), hi))
            for th in cands:
                x = A + th * D
                if np.all(x > d):
                    v = w @ np.log(x - d)
                    if v > best:
                        best, best_x = v, x
    return best_x


def nbs_primal_slsqp(P, d, w, lam0, A_ub=None):
    """Plain SLSQP over the lottery (ALGORITHMS 'Algorithm C'), from a feasible start."""
    m = len(P)
    cons = [{"type": "eq", "fun": lambda lam: lam.sum() - 1.0}]
    if A_ub is not None:
        cons.append({"type": "ineq", "fun": lambda lam: -A_ub @ lam})
    res = minimize(lambda lam: -w @ np.log(np.maximum(P.T @ lam - d, 1e-300)), lam0, method="SLSQP",
                   bounds=[(0, 1)] * m, constraints=cons, options={"ftol": 1e-15, "maxiter": 1000})
    return P.T @ res.x


def pareto_excess(P, x):
    """max sum(s) s.t. P^T lam >= x + s, s >= 0: zero iff x is (strictly) Pareto optimal in conv(P)."""
    m, n = P.shape
    c = np.concatenate([np.zeros(m), -np.ones(n)])
    A = np.hstack([-P.T, np.eye(n)])
    res = linprog(c, A_ub=A, b_ub=-x, A_eq=np.concatenate([np.ones(m), np.zeros(n)])[None, :],
                  b_eq=[1.0], bounds=[(0, None)] * (m + n), method="highs")
    assert res.status == 0
    return -res.fun


def lp_ray(P, d, r):
    """max t s.t. P^T lam >= d + t r (free-disposal ray)."""
    m, n = P.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A = np.hstack([-P.T, r[:, None]])
    res = linprog(c, A_ub=A, b_ub=-d, A_eq=np.append(np.ones(m), 0.0)[None, :], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return -res.fun


def lp_ideal(P, d):
    m, n = P.shape
    out = []
    for i in range(n):
        res = linprog(-P[:, i], A_ub=-P.T, b_ub=-d, A_eq=np.ones((1, m)), b_eq=[1.0],
                      bounds=[(0, None)] * m, method="highs")
        out.append(-res.fun)
    return np.array(out)


def ellipse_support(a, b, p):
    s = math.hypot(a * p[0], b * p[1])
    return np.array([a * a * p[0], b * b * p[1]]) / s


def frontier_point(theta, pieces):
    """Point of the frontier of a sum of quarter ellipses at normal angle theta."""
    p = np.array([math.cos(theta), math.sin(theta)])
    return sum(ellipse_support(a, b, p) for a, b in pieces)


def nbs_by_angle(pieces, d, w):
    """1-D search over the normal angle of the frontier of a sum of quarter ellipses."""
    def f(theta):
        gap = frontier_point(theta, pieces) - d
        return 1e6 if np.any(gap <= 0) else -(w @ np.log(gap))
    res = minimize_scalar(f, bounds=(1e-9, math.pi / 2 - 1e-9), method="bounded",
                          options={"xatol": 1e-13})
    return frontier_point(res.x, pieces)


def gauge_by_angle(pieces, d, r):
    """max t with d + t r in the free-disposal hull: min over p >= 0 of (sigma(p) - p.d) / p.r."""
    def h(s):
        p = np.array([s, 1.0 - s])
        sigma = sum(math.hypot(a * p[0], b * p[1]) for a, b in pieces)
        return (sigma - p @ d) / (p @ r)
    res = minimize_scalar(h, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-14})
    return d + res.fun * r


def random_problem(seed, n, m, kind):
    """Points (integer grid, Gaussian, or nearly collinear) and a strictly dominated d."""
    rng = np.random.default_rng(seed)
    if kind == 0:
        P = rng.integers(-5, 6, size=(m, n)).astype(float)
    elif kind == 1:
        P = rng.normal(size=(m, n)) * rng.uniform(0.5, 5.0, size=n)
    else:
        base = rng.normal(size=(2, n))
        P = np.vstack([rng.random((m, 1)) * base[0] + base[1], rng.normal(size=(2, n))])
    mu = rng.dirichlet(np.ones(len(P)))
    c = P.T @ mu
    spread = P.max(axis=0) - P.min(axis=0) + 1e-3
    d = c - rng.uniform(0, 0.9) * (c - P.min(axis=0)) - rng.uniform(0.001, 0.1) * spread
    return P, d, mu, rng


problems = st.tuples(st.integers(0, 2 ** 32 - 1), st.integers(2, 4), st.integers(3, 12), st.integers(0, 2))


# ---------------------------------------------------------------------------
# ALGORITHMS.md section 1: the worked-examples table
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("F", [EXAMPLE, "game", "feasible_set"])
def test_nbs_on_the_example_game(F):
    g = treutlein_example_60()
    F = {"game": g, "feasible_set": feasible_set(g)}.get(F, F) if isinstance(F, str) else F
    s = nash_solution(F, [0, 0])
    np.testing.assert_allclose(s.point, [4, 4], atol=1e-12)  # a vertex
    s = nash_solution(F, [-3, 2])
    assert isinstance(s, BargainingSolution) and s.solution == "nash"
    np.testing.assert_allclose(s.point, [2.5, 4.75], atol=1e-12)
    np.testing.assert_allclose(s.gains, [5.5, 2.75], atol=1e-12)
    np.testing.assert_allclose(s.weights, [1 / 3, 2 / 3], atol=1e-12)
    np.testing.assert_allclose(s.bargaining_weights, [0.5, 0.5])
    assert s.certificate <= 1e-12
    np.testing.assert_allclose(EXAMPLE.T @ s.lottery, s.point, atol=1e-12)
    if not isinstance(F, np.ndarray):
        assert s.joint.shape == (2, 3)
        np.testing.assert_allclose(np.tensordot(g.payoffs, s.joint, axes=2), s.point, atol=1e-12)
    else:
        assert s.joint is None
    s = nash_solution(F, [-3, 2], weights=[2, 1])
    np.testing.assert_allclose(s.point, [4, 4], atol=1e-12)
    np.testing.assert_allclose(s.bargaining_weights, [2 / 3, 1 / 3])


def test_ks_and_egalitarian_on_the_example_game():
    s = kalai_smorodinsky(EXAMPLE, [-3, 2])
    np.testing.assert_allclose(s.parameters["ideal"], [5, 5], atol=1e-12)
    np.testing.assert_allclose(s.point, [23 / 7, 61 / 14], atol=1e-9)
    # on the ray from d to the ideal point
    np.testing.assert_allclose((s.point[0] + 3) / 8, (s.point[1] - 2) / 3, atol=1e-9)
    np.testing.assert_allclose(s.weights, [1 / 3, 2 / 3], atol=1e-9)  # the edge x1 + 2 x2 = 12
    assert s.certificate <= 1e-9

    # Pitfall 1: the raw ray d + t (1, 1) inside F (no free disposal) stops at (-2, 3),
    # which (2, 5) dominates.
    res = linprog([0] * 6 + [-1], A_eq=np.vstack([np.hstack([EXAMPLE.T, -np.ones((2, 1))]),
                                                  np.append(np.ones(6), 0)[None, :]]),
                  b_eq=[-3, 2, 1], bounds=[(0, None)] * 6 + [(None, None)], method="highs")
    np.testing.assert_allclose(np.array([-3, 2]) + res.x[-1], [-2, 3], atol=1e-9)
    e = egalitarian(EXAMPLE, [-3, 2])
    np.testing.assert_allclose(e.point, [2, 5], atol=1e-9)
    assert pareto_excess(EXAMPLE, e.point) <= 1e-9
    np.testing.assert_allclose(egalitarian(treutlein_example_60(), [-3, 2]).joint.sum(), 1.0)


def test_three_player_table_row():
    s = nash_solution(P3, [0, 0, 0])
    np.testing.assert_allclose(s.point, [4 / 3, 4 / 3, 1], atol=1e-12)
    np.testing.assert_allclose(s.weights, [0.3, 0.3, 0.4], atol=1e-12)
    e = egalitarian(P3, [0, 0, 0])
    k = kalai_smorodinsky(P3, [0, 0, 0])
    np.testing.assert_allclose(e.point, [1.2, 1.2, 1.2], atol=1e-9)
    np.testing.assert_allclose(k.point, [1.2, 1.2, 1.2], atol=1e-9)
    np.testing.assert_allclose(k.parameters["ideal"], [3, 3, 3], atol=1e-12)
    for sol in (s, e, k):
        assert F_support(P3, sol.weights) == pytest.approx(sol.weights @ sol.point, abs=1e-9)


def F_support(P, p):
    return float(np.max(P @ p))


def test_quarter_disc_rows():
    D = quarter_disc()
    s = nash_solution(D, [0, 0], weights=[2, 1])
    np.testing.assert_allclose(s.point, [math.sqrt(2 / 3), math.sqrt(1 / 3)], atol=1e-10)
    np.testing.assert_allclose(s.point, [0.81650, 0.57735], atol=1e-5)
    s = nash_solution(D, [0.2, 0])
    c = (0.2 + math.sqrt(8.04)) / 4
    np.testing.assert_allclose(s.point, [c, math.sqrt(1 - c * c)], atol=1e-10)
    np.testing.assert_allclose(s.point, [0.758872, 0.651239], atol=1e-6)
    assert s.method == "dual-bfgs" and s.certificate <= 1e-10
    # the prices are the normal of the circle: proportional to the point
    np.testing.assert_allclose(s.weights, s.point / s.point.sum(), atol=1e-9)


def test_quarter_ellipse_rows():
    E = quarter_ellipse(2, 1)
    target = np.array([SQ2, 1 / SQ2])
    np.testing.assert_allclose(nash_solution(E, [0, 0]).point, target, atol=1e-10)
    k = kalai_smorodinsky(E, [0, 0])
    np.testing.assert_allclose(k.parameters["ideal"], [2, 1], atol=1e-7)
    np.testing.assert_allclose(k.point, target, atol=1e-7)
    e = egalitarian(E, [0, 0])
    np.testing.assert_allclose(e.point, [2 / math.sqrt(5)] * 2, atol=1e-7)
    np.testing.assert_allclose(e.point, [0.894427, 0.894427], atol=1e-6)
    # egalitarian is not scale invariant: stretch player 1 by 2 and it moves off the image
    E2 = quarter_ellipse(4, 1)
    assert np.max(np.abs(egalitarian(E2, [0, 0]).point - e.point * [2, 1])) > 0.1
    np.testing.assert_allclose(nash_solution(E2, [0, 0]).point, target * [2, 1], atol=1e-9)


def test_minkowski_sum_of_disc_and_ellipse_rows():
    D, E = quarter_disc(), quarter_ellipse(2, 1)
    M = minkowski_sum(D, E)
    pieces = [(1, 1), (2, 1)]
    s = nash_solution(M, [0, 0])
    np.testing.assert_allclose(s.point, [2.153137, 1.433091], atol=1e-6)
    np.testing.assert_allclose(s.point, nbs_by_angle(pieces, np.zeros(2), np.array([0.5, 0.5])), atol=1e-7)
    np.testing.assert_allclose(s.weights, [0.39961, 0.60039], atol=1e-5)
    disc_part, ellipse_part = s.components
    np.testing.assert_allclose(disc_part, [0.554075, 0.832466], atol=1e-6)
    np.testing.assert_allclose(ellipse_part, [1.599062, 0.600625], atol=1e-6)
    np.testing.assert_allclose(disc_part + ellipse_part, s.point, atol=1e-12)
    # one common price vector: each component plays its own support point at it
    np.testing.assert_allclose(D.support(s.weights)[1], disc_part, atol=1e-9)
    np.testing.assert_allclose(E.support(s.weights)[1], ellipse_part, atol=1e-9)
    # the sum of the components' NBSs is not the NBS of the sum
    naive = nash_solution(D, [0, 0]).point + nash_solution(E, [0, 0]).point
    np.testing.assert_allclose(naive, [2.1213, 1.4142], atol=1e-4)
    assert np.max(np.abs(naive - s.point)) > 0.01
    assert s.certificate <= 1e-10

    k = kalai_smorodinsky(M, [0, 0])
    np.testing.assert_allclose(k.point, [2.151385, 1.434257], atol=1e-6)
    np.testing.assert_allclose(k.point, gauge_by_angle(pieces, np.zeros(2), np.array([3.0, 2.0])), atol=1e-7)
    e = egalitarian(M, [0, 0])
    np.testing.assert_allclose(e.point, [1.683512, 1.683512], atol=1e-6)
    np.testing.assert_allclose(e.point, gauge_by_angle(pieces, np.zeros(2), np.ones(2)), atol=1e-7)
    w = nash_solution(M, [0, 0], weights=[2, 1])
    np.testing.assert_allclose(w.point, [2.466185, 1.183489], atol=1e-6)
    ref = nbs_by_angle(pieces, np.zeros(2), np.array([2 / 3, 1 / 3]))
    np.testing.assert_allclose(w.point, ref, atol=1e-7)


def test_disc_plus_disc_is_a_disc():
    s = nash_solution(minkowski_sum(quarter_disc(1), quarter_disc(2)), [0, 0])
    np.testing.assert_allclose(s.point, [3 / SQ2, 3 / SQ2], atol=1e-10)
    np.testing.assert_allclose(s.point, [2.121320, 2.121320], atol=1e-6)


# ---------------------------------------------------------------------------
# Treutlein's examples
# ---------------------------------------------------------------------------
def test_treutlein_section_342_three_players_two_sharing_a_goal():
    # Players 1 and 2 share a goal; d = (2, 2, 1); the surplus of 1 goes to goal {1, 2}
    # (both gain) or to goal 3.  The feasible set is a triangle: flat in R^3.
    F = from_points([[2, 2, 1], [3, 3, 1], [2, 2, 2]])
    k = kalai_smorodinsky(F, [2, 2, 1])
    np.testing.assert_allclose(k.point, [2.5, 2.5, 1.5], atol=1e-9)
    np.testing.assert_allclose(k.parameters["ideal"], [3, 3, 2], atol=1e-12)
    s = nash_solution(F, [2, 2, 1])
    # The paper prints (2.7, 2.7, 2.3), but that point is infeasible (its coordinates sum
    # to 7.7 > 7, the most any point of F can reach when x1 = x2): the third coordinate
    # is a misprint.  Maximising a^2 b with a + b = 1 gives a = 2/3, b = 1/3.
    np.testing.assert_allclose(s.point, [8 / 3, 8 / 3, 4 / 3], atol=1e-12)
    np.testing.assert_allclose(s.point[:2], [2.7, 2.7], atol=0.05)
    assert not F.contains([2.7, 2.7, 2.3])
    np.testing.assert_allclose(s.weights, [0.25, 0.25, 0.5], atol=1e-12)


def test_treutlein_example_10_nbs_of_example_1():
    """Alice (10 units) and Bob (5 units): A, B spent on Alice; d = (10, sqrt(10))."""
    alice = SmoothSet([lambda x: x[0] + x[1] ** 2 / 2 - 10], 2, lower=[0, 0], name="Alice")
    bob = SmoothSet([lambda x: x[0] + x[1] ** 2 / 2 - 5], 2, lower=[0, 0], name="Bob")
    d = np.array([10.0, math.sqrt(10.0)])
    s = nash_solution(minkowski_sum(alice, bob), d)
    A, B = s.components[0][0], s.components[1][0]
    assert round(A, 2) == 8.15 and round(B, 2) == 3.15

    # independent: brute-force grid, then a local polish, of the paper's 2-D objective
    def objective(v):
        a, b = v
        return (a + b - 10) * (math.sqrt(2 * (10 - a)) + math.sqrt(2 * (5 - b)) - math.sqrt(10))

    grid_a, grid_b = np.meshgrid(np.linspace(0, 10, 201), np.linspace(0, 5, 101), indexing="ij")
    vals = np.vectorize(lambda a, b: objective((a, b)))(grid_a, grid_b)
    i, j = np.unravel_index(np.argmax(vals), vals.shape)
    res = minimize(lambda v: -objective(v), [grid_a[i, j], grid_b[i, j]], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14})
    np.testing.assert_allclose([A, B], res.x, atol=1e-5)
    # the components are on the individual frontiers: x2 = sqrt(2 (budget - x1))
    np.testing.assert_allclose(s.components[0][1], math.sqrt(2 * (10 - A)), atol=1e-6)
    np.testing.assert_allclose(s.components[1][1], math.sqrt(2 * (5 - B)), atol=1e-6)
    assert s.certificate <= 1e-8


def test_treutlein_example_54_weighted_nbs():
    # F1 = {x >= 0 : (4/3 x1)^2 + (4/3 x2)^2 <= 1}, F2 = {x >= 0 : (4 x1)^2 + (4 x2)^2 <= 1}
    M = minkowski_sum(quarter_disc(3 / 4), quarter_disc(1 / 4))
    d = np.array([3 / 4, 1 / 4])
    w = np.array([3 / 4, 1 / 4])
    s = nash_solution(M, d, weights=w)
    np.testing.assert_allclose(s.point.round(2), [0.92, 0.39])
    # independent: the sum is the unit quarter disc; search the angle of the frontier
    ref = nbs_by_angle([(1, 1)], d, w)
    np.testing.assert_allclose(s.point, ref, atol=1e-7)
    # and the same components up to scale: both play the support point at the prices
    np.testing.assert_allclose(s.components[0] / 3, s.components[1], atol=1e-9)
    sym = nash_solution(minkowski_sum(quarter_disc(0.5), quarter_disc(0.5)), [0.5, 0.5])
    np.testing.assert_allclose(sym.point, [SQ2 / 2, SQ2 / 2], atol=1e-10)


@pytest.mark.parametrize("p, r", [(0.75, 100.0), (0.6, 1e9)])
def test_treutlein_example_56_symmetric_log_utilities(p, r):
    """Types with F1 = {exp(x1/p) + exp(x2/(1-p)) <= r} and the mirror image: the NBS from
    the symmetric no-trade point uses each set's slope -1 point."""
    F1 = exponential_set([p, 1 - p], r)
    F2 = exponential_set([1 - p, p], r)
    own = p * math.log(r - 1)  # each type spends everything on itself
    s = nash_solution(minkowski_sum(F1, F2), [own, own])
    point1 = np.array([p * math.log(p * r), (1 - p) * math.log((1 - p) * r)])
    np.testing.assert_allclose(s.components[0], point1, rtol=1e-8)
    np.testing.assert_allclose(s.components[1], point1[::-1], rtol=1e-8)
    np.testing.assert_allclose(s.weights, [0.5, 0.5], atol=1e-9)


def test_nbs_over_the_correlated_equilibrium_polytope_of_chicken():
    """A_ub constraints on the lottery: the CE payoff set of Aumann's chicken.

    The welfare-maximising CE (1/2 on (C, C), 1/4 on (C, D) and (D, C)) pays 5.25 each;
    it is the only CE payoff on the line x1 + x2 = 10.5, so by symmetry it is the NBS.
    """
    g = chicken()
    A, B = g.payoffs
    rows = []
    for a in range(2):  # player 1 recommended a must not gain by playing b
        b = 1 - a
        row = np.zeros((2, 2))
        row[a, :] = A[b, :] - A[a, :]
        rows.append(row.ravel())
    for a in range(2):
        b = 1 - a
        row = np.zeros((2, 2))
        row[:, a] = B[:, b] - B[:, a]
        rows.append(row.ravel())
    G = np.array(rows)
    U = g.payoffs.reshape(2, -1).T
    F = PolytopeSet(U, A_ub=G, b_ub=np.zeros(4), game=g)
    s = nash_solution(F, [0, 0])
    np.testing.assert_allclose(s.point, [5.25, 5.25], atol=1e-10)
    assert np.all(G @ s.lottery <= 1e-10)
    assert s.joint.shape == (2, 2)
    np.testing.assert_allclose(s.joint, [[0, 0.25], [0.25, 0.5]], atol=1e-9)
    # an asymmetric d and weights: compare with plain SLSQP over the lottery
    d = np.array([2.0, 1.0])
    s = nash_solution(F, d, weights=[1, 3])
    ref = nbs_primal_slsqp(U, d, np.array([0.25, 0.75]), np.full(4, 0.25), A_ub=G)
    np.testing.assert_allclose(s.point, ref, atol=1e-5)
    assert s.certificate <= 1e-10


# ---------------------------------------------------------------------------
# axioms and cross-checks on random point sets
# ---------------------------------------------------------------------------
@SETTINGS
@given(problems, st.booleans())
def test_nbs_is_pareto_optimal_rational_certified_and_implemented(problem, weighted):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    w = rng.dirichlet(np.ones(n)) if weighted else None
    s = nash_solution(P, d, weights=w)
    scale = float(np.max(np.abs(P))) + 1.0
    assert np.all(s.point > d)
    assert pareto_excess(P, s.point) <= 1e-9 * scale
    assert F_support(P, s.weights) == pytest.approx(s.weights @ s.point, abs=1e-9 * scale)
    assert s.certificate <= 1e-9
    assert np.all(s.lottery >= 0) and s.lottery.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(P.T @ s.lottery, s.point, atol=1e-9 * scale)
    # prices are w_i / gains_i, normalised
    prices = s.bargaining_weights / s.gains
    np.testing.assert_allclose(s.weights, prices / prices.sum())


@SETTINGS
@given(problems)
def test_nbs_matches_independent_references(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    w = rng.dirichlet(np.ones(n))
    s = nash_solution(P, d, weights=w)
    if n == 2:
        np.testing.assert_allclose(s.point, nbs_2d_by_segments(P, d, w), atol=1e-9)
    else:
        ref = nbs_primal_slsqp(P, d, w, mu)
        # The SLSQP reference occasionally stops at a point not above d (hypothesis
        # found one): that is the reference failing, not the solver under test.
        assume(np.all(ref > d))
        assert w @ np.log(s.point - d) >= w @ np.log(ref - d) - 1e-10
        np.testing.assert_allclose(s.point, ref, atol=1e-4)


@SETTINGS
@given(problems)
def test_nbs_and_ks_are_invariant_to_affine_rescaling(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    a = rng.uniform(0.1, 10.0, size=n)
    b = rng.uniform(-10.0, 10.0, size=n)
    w = rng.dirichlet(np.ones(n))
    scale = np.max(np.abs(P * a + b)) + 1.0
    s, t = nash_solution(P, d, w), nash_solution(P * a + b, d * a + b, w)
    np.testing.assert_allclose(t.point, s.point * a + b, atol=1e-9 * scale)
    np.testing.assert_allclose(t.weights, (s.weights / a) / np.sum(s.weights / a), atol=1e-8)
    k, kt = kalai_smorodinsky(P, d), kalai_smorodinsky(P * a + b, d * a + b)
    np.testing.assert_allclose(kt.point, k.point * a + b, atol=1e-8 * scale)


@SETTINGS
@given(problems)
def test_nbs_is_anonymous(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    perm = rng.permutation(n)
    w = rng.dirichlet(np.ones(n))
    s = nash_solution(P, d, w)
    t = nash_solution(P[:, perm], d[perm], w[perm])
    np.testing.assert_allclose(t.point, s.point[perm], atol=1e-9 * (np.max(np.abs(P)) + 1))
    u = nash_solution(P, d)
    v = nash_solution(P[:, perm], d[perm])
    np.testing.assert_allclose(v.point, u.point[perm], atol=1e-9 * (np.max(np.abs(P)) + 1))


@SETTINGS
@given(problems)
def test_nbs_is_independent_of_irrelevant_alternatives(problem):
    P, d, mu, rng = random_problem(*problem)
    s = nash_solution(P, d)
    # keep the points implementing the solution and those d was built from; drop the rest
    keep = (s.lottery > 1e-12) | (mu > 0) & (rng.random(len(mu)) < 0.5) | (mu >= mu.max())
    Q = P[keep]
    if not from_points(Q).dominates_point(d, strict=True):
        return
    t = nash_solution(Q, d)
    np.testing.assert_allclose(t.point, s.point, atol=1e-9 * (np.max(np.abs(P)) + 1))


@SETTINGS
@given(problems)
def test_ks_is_pareto_optimal_and_lexicographic(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    k = kalai_smorodinsky(P, d)
    scale = float(np.max(np.abs(P))) + 1.0
    ideal = lp_ideal(P, d)
    np.testing.assert_allclose(k.parameters["ideal"], ideal, atol=1e-9 * scale)
    assert np.all(k.point >= d - 1e-9 * scale)
    assert pareto_excess(P, k.point) <= 1e-8 * scale
    assert F_support(P, k.weights) == pytest.approx(k.weights @ k.point, abs=1e-8 * scale)
    levels = (k.point - d) / (ideal - d)
    # the lowest level is the raw ray value: nobody is pushed below the common ratio
    assert levels.min() == pytest.approx(lp_ray(P, d, ideal - d), abs=1e-8)
    if n == 2 and abs(levels[0] - levels[1]) > 1e-7:
        # off the ray: the player with the higher level gains only after the other is maxed
        low = int(np.argmin(levels))
        others = np.ones(2, dtype=bool)
        others[low] = False
        r = np.where(others, ideal - d, 0.0)
        floor = d.copy()
        floor[low] = k.point[low]
        assert lp_ray(P, floor, r) == pytest.approx(levels[others][0], abs=1e-8)


@SETTINGS
@given(problems)
def test_egalitarian_is_pareto_optimal_with_equal_minimum_gain(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    e = egalitarian(P, d)
    scale = float(np.max(np.abs(P))) + 1.0
    assert np.all(e.point >= d - 1e-9 * scale)
    assert pareto_excess(P, e.point) <= 1e-8 * scale
    assert np.min(e.point - d) == pytest.approx(lp_ray(P, d, np.ones(n)), abs=1e-8 * scale)


@SETTINGS
@given(problems)
def test_utilitarian_maximises_the_weighted_sum(problem):
    P, d, mu, rng = random_problem(*problem)
    n = P.shape[1]
    w = rng.dirichlet(np.ones(n))
    u = utilitarian(P, w)
    scale = float(np.max(np.abs(P))) + 1.0
    assert w @ u.point == pytest.approx(F_support(P, w), abs=1e-9 * scale)
    assert u.certificate <= 1e-9 * scale
    ur = utilitarian(P, w, d=d)
    assert np.all(ur.point >= d - 1e-9 * scale)


# ---------------------------------------------------------------------------
# utilitarian tie-breaks and details
# ---------------------------------------------------------------------------
def test_utilitarian_breaks_ties_with_ks_on_the_face():
    u = utilitarian([[0, 2], [2, 0], [0, 0]], [1, 1])
    np.testing.assert_allclose(u.point, [1, 1], atol=1e-9)
    np.testing.assert_allclose(u.disagreement, [0, 0], atol=1e-9)
    # the face (0, 4)-(2, 0) for weights (2, 1): KS from (0, 0) toward (2, 4)
    u = utilitarian([[0, 4], [2, 0], [0, 0]], [2, 1])
    np.testing.assert_allclose(u.point, [1, 2], atol=1e-9)
    u = utilitarian(EXAMPLE, [1, 1])
    np.testing.assert_allclose(u.point, [4, 4], atol=1e-12)
    u = utilitarian(EXAMPLE, [1, 0], d=[0, 3])
    np.testing.assert_allclose(u.point, [4.5, 3], atol=1e-9)
    s = utilitarian(quarter_disc(), [1, 3])
    np.testing.assert_allclose(s.point, np.array([1, 3]) / math.sqrt(10), atol=1e-7)


def test_solution_object_is_frozen_and_read_only():
    s = nash_solution(EXAMPLE, [-3, 2])
    with pytest.raises(Exception):
        s.point = np.zeros(2)  # type: ignore[misc]
    assert not s.point.flags.writeable and not s.weights.flags.writeable
    assert "nash" in repr(s) and s.parameters["weights"].tolist() == [0.5, 0.5]


def test_single_point_and_one_player_sets():
    np.testing.assert_allclose(nash_solution([[1, 1]], [0, 0]).point, [1, 1])
    np.testing.assert_allclose(nash_solution([[3.0], [1.0]], [0]).point, [3])
    np.testing.assert_allclose(kalai_smorodinsky([[3.0], [1.0]], [0]).point, [3])
    # a segment in R^3: everyone gains along it
    np.testing.assert_allclose(nash_solution([[0, 0, 0], [2, 2, 2]], [0, 0, 0]).point, [2, 2, 2])


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("call, field", [
    (lambda: nash_solution(EXAMPLE, [6, 6]), "d"),                  # outside the hull
    (lambda: nash_solution(EXAMPLE, [4, 4]), "d"),                  # on the frontier
    (lambda: nash_solution(EXAMPLE, [5, 0]), "d"),                  # only weakly improvable
    (lambda: nash_solution(EXAMPLE, [0, 0, 0]), "d"),
    (lambda: nash_solution(EXAMPLE, [0, np.nan]), "d"),
    (lambda: nash_solution(EXAMPLE, [0, 0], weights=[1, 0]), "weights"),
    (lambda: nash_solution(EXAMPLE, [0, 0], weights=[1, -1]), "weights"),
    (lambda: nash_solution(EXAMPLE, [0, 0], weights=[1, 1, 1]), "weights"),
    (lambda: nash_solution(quarter_disc(), [1, 1]), "d"),
    (lambda: nash_solution(quarter_disc(), [0.6, 0.8]), "d"),
    (lambda: nash_solution("game", [0, 0]), "F"),
    (lambda: kalai_smorodinsky(EXAMPLE, [6, 6]), "d"),
    (lambda: kalai_smorodinsky(EXAMPLE, [5, 5 - 1e-30]), "d"),
    (lambda: kalai_smorodinsky([[1, 1]], [1, 1]), "d"),
    (lambda: kalai_smorodinsky(EXAMPLE, [1]), "d"),
    (lambda: egalitarian(EXAMPLE, [6, 0]), "d"),
    (lambda: egalitarian(EXAMPLE, [0, 0], direction=[-1, 1]), "direction"),
    (lambda: egalitarian(EXAMPLE, [0, 0], direction=[0, 0]), "direction"),
    (lambda: egalitarian(EXAMPLE, [0, 0], direction=[1, 1, 1]), "direction"),
    (lambda: utilitarian(EXAMPLE, [0, 0]), "weights"),
    (lambda: utilitarian(EXAMPLE, [1, np.inf]), "weights"),
    (lambda: utilitarian(EXAMPLE, [1, 1], d=[9, 9]), "d"),
])
def test_errors_name_the_field(call, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        call()


def test_error_messages_say_improves_for_the_oracle():
    # the oracle falls back to d when no point improves on it; it matches on "improve"
    with pytest.raises(ValueError, match="strictly improves"):
        nash_solution(EXAMPLE, [4, 4])
    with pytest.raises(ValueError, match="improve"):
        kalai_smorodinsky([[1, 1]], [1, 1])
