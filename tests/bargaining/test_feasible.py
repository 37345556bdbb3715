"""Tests for gamesim.bargaining.feasible: feasible sets, support functions, frontiers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize

from gamesim.bargaining.feasible import (
    FeasibleSet,
    MinkowskiSum,
    PolytopeSet,
    SmoothSet,
    as_feasible_set,
    ellipsoid_orthant,
    exponential_set,
    feasible_set,
    from_points,
    minkowski_sum,
    quarter_disc,
    quarter_ellipse,
)
from gamesim.sim.catalogue import treutlein_example_60
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXAMPLE = np.array([[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]], dtype=float)


# ---------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------
def lp_distance(P, x):
    """L-infinity distance from x to conv(P), by an LP written here."""
    m, n = P.shape
    c = np.zeros(m + 1)
    c[-1] = 1.0
    A = np.vstack([np.hstack([P.T, -np.ones((n, 1))]), np.hstack([-P.T, -np.ones((n, 1))])])
    b = np.concatenate([x, -x])
    res = linprog(c, A_ub=A, b_ub=b, A_eq=np.append(np.ones(m), 0.0)[None, :], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return res.fun


def slsqp_support(constraint, lower, p, x0):
    """max p.x s.t. constraint(x) <= 0, x >= lower, by plain SLSQP (reference)."""
    res = minimize(lambda x: -p @ x, x0, method="SLSQP",
                   bounds=[(lo, None) for lo in lower],
                   constraints=[{"type": "ineq", "fun": lambda x: -constraint(x)}],
                   options={"ftol": 1e-14, "maxiter": 500})
    return -res.fun, res.x


# ---------------------------------------------------------------------------
# polytopes
# ---------------------------------------------------------------------------
def test_feasible_set_of_a_game_is_the_outcome_hull_in_c_order():
    g = treutlein_example_60()
    F = feasible_set(g)
    assert isinstance(F, PolytopeSet) and F.game is g
    np.testing.assert_array_equal(F.points, EXAMPLE)
    assert F.profiles == ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2))
    assert F.labels[4] == "b2,a2"
    for lam_profile, point in zip(F.profiles, F.points):
        np.testing.assert_array_equal(g.payoff_vector(lam_profile), point)
    assert not F.points.flags.writeable
    with pytest.raises(ValueError):
        F.points[0, 0] = 1.0


def test_three_player_game_profiles_reshape_to_the_joint_tensor():
    U = np.arange(3 * 2 * 3 * 2, dtype=float).reshape(3, 2, 3, 2)
    g = NormalFormGame(U)
    F = feasible_set(g)
    assert F.points.shape == (12, 3)
    lam = np.zeros(12)
    lam[7] = 1.0
    joint = lam.reshape(g.n_actions)
    prof = tuple(int(v) for v in np.argwhere(joint)[0])
    assert F.profiles[7] == prof
    np.testing.assert_array_equal(F.points[7], g.payoff_vector(prof))


def test_support_contains_ideal_and_lottery_on_the_example():
    F = from_points(EXAMPLE)
    assert F.support([1, 1]) == (8.0, pytest.approx(np.array([4.0, 4.0])))
    value, point = F.support([1, 2])
    assert value == 12.0 and (point @ [1, 2]) == 12.0
    assert F.support([-1, 0])[0] == 4.0
    np.testing.assert_array_equal(F.ideal_point(), [5, 5])
    np.testing.assert_array_equal(F.ideal_point([-3, 2]), [5, 5])
    # x1 on the edge 2 x1 + x2 = 12 at x2 = 3.5; x2 on the edge x1 + 2 x2 = 12 at x1 = 3
    np.testing.assert_allclose(F.ideal_point([3, 3.5]), [4.25, 4.5], atol=1e-12)
    assert F.contains([2.5, 4.75]) and F.contains([-4, 2]) and not F.contains([4, 4.01])
    lam = F.lottery([2.5, 4.75])
    np.testing.assert_allclose(F.points.T @ lam, [2.5, 4.75], atol=1e-12)
    assert np.all(lam >= 0) and lam.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"^x: not in the feasible set"):
        F.lottery([5, 5])
    assert F.dominates_point([-3, 2]) and F.dominates_point([-3, 2], strict=True)
    assert F.dominates_point([4, 4]) and not F.dominates_point([4, 4], strict=True)
    assert not F.dominates_point([5, 5])


def test_pareto_frontier_of_polytopes_is_exact():
    F = from_points(EXAMPLE)
    np.testing.assert_array_equal(F.pareto_frontier(), [[2, 5], [4, 4], [5, 2]])
    # duplicates, collinear points on an edge, interior points
    P = np.array([[0, 3], [0, 3], [1, 2], [2, 1], [3, 0], [1, 1], [0, 0]], dtype=float)
    np.testing.assert_array_equal(from_points(P).pareto_frontier(), [[0, 3], [3, 0]])
    # a horizontal top edge is only weakly Pareto: the frontier starts at its right end
    P = np.array([[0, 2], [1, 2], [2, 1], [2, 0]], dtype=float)
    np.testing.assert_array_equal(from_points(P).pareto_frontier(), [[1, 2], [2, 1]])
    # a single Pareto point (a segment along the diagonal, a single point)
    np.testing.assert_array_equal(from_points([[0, 0], [1, 1], [2, 2]]).pareto_frontier(), [[2, 2]])
    np.testing.assert_array_equal(from_points([[1.5, -2]]).pareto_frontier(), [[1.5, -2]])


def test_pareto_frontier_of_constrained_polytope_and_polytope_sum():
    # unit square with the corner (1, 1) capped at probability 1/2
    F = PolytopeSet([[0, 0], [1, 0], [0, 1], [1, 1]], A_ub=[[0, 0, 0, 1]], b_ub=[0.5])
    np.testing.assert_allclose(F.pareto_frontier(), [[0.5, 1], [1, 0.5]], atol=1e-10)
    assert F.support([1, 1])[0] == pytest.approx(1.5)
    assert F.contains([0.75, 0.75]) and not F.contains([0.9, 0.9])
    G = minkowski_sum(from_points([[0, 1], [1, 0]]), from_points([[0, 2], [1, 0]]))
    np.testing.assert_allclose(G.pareto_frontier(), [[0, 3], [1, 2], [2, 0]], atol=1e-10)


def test_flat_and_degenerate_polytopes_in_three_dimensions():
    # Treutlein section 3.4.2: a triangle in R^3 (Qhull would reject it)
    F = from_points([[2, 2, 1], [3, 3, 1], [2, 2, 2]])
    assert F.contains([2.5, 2.5, 1.5]) and not F.contains([2.5, 2.4, 1.5])
    np.testing.assert_allclose(F.ideal_point([2, 2, 1]), [3, 3, 2], atol=1e-12)
    line = from_points([[0, 0, 0], [1, 1, 1]])
    assert line.contains([0.5, 0.5, 0.5]) and not line.contains([0.5, 0.5, 0.6])
    point = from_points([[1, 2, 3]])
    assert point.support([-1, 5, 0]) == (9.0, pytest.approx(np.array([1.0, 2.0, 3.0])))
    with pytest.raises(ValueError, match=r"^n_players: "):
        point.pareto_frontier()


def test_constrained_polytope_support_matches_an_lp():
    rng = np.random.default_rng(7)
    P = rng.normal(size=(6, 3))
    A = rng.normal(size=(2, 6))
    b = A @ np.full(6, 1 / 6) + 0.1
    F = PolytopeSet(P, A_ub=A, b_ub=b)
    for _ in range(5):
        p = rng.normal(size=3)
        res = linprog(-(P @ p), A_ub=A, b_ub=b, A_eq=np.ones((1, 6)), b_eq=[1], bounds=[(0, None)] * 6,
                      method="highs")
        value, point = F.support(p)
        assert value == pytest.approx(-res.fun, abs=1e-9)
        assert p @ point == pytest.approx(value, abs=1e-9)
        lam = F.lottery(point)
        assert np.all(A @ lam <= b + 1e-9)


@SETTINGS
@given(st.integers(2, 4), st.integers(1, 10), st.integers(0, 2 ** 31 - 1))
def test_support_and_membership_match_lps_on_random_points(n, m, seed):
    rng = np.random.default_rng(seed)
    P = rng.integers(-5, 6, size=(m, n)).astype(float)
    F = from_points(P)
    p = rng.normal(size=n)
    value, point = F.support(p)
    assert value == pytest.approx(np.max(P @ p), abs=1e-12)
    x = P.T @ rng.dirichlet(np.ones(m)) + rng.normal(size=n) * rng.choice([0.0, 0.3])
    assert F.contains(x, tol=1e-7) == (lp_distance(P, x) <= 1e-7)
    lo = P.min(axis=0) - 1
    ideal = F.ideal_point(lo)
    np.testing.assert_allclose(ideal, P.max(axis=0), atol=1e-9)


# ---------------------------------------------------------------------------
# smooth sets
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [(1.0, 1.0), (2.0, 1.0), (0.5, 3.0)])
def test_quarter_ellipse_support_closed_form(a, b):
    F = quarter_ellipse(a, b)
    rng = np.random.default_rng(3)
    for p in list(rng.random((5, 2))) + [np.array([1.0, 0.0]), np.array([0.0, 2.0]),
                                          np.array([1.0, -1.0]), np.array([-1.0, -1.0])]:
        value, point = F.support(p)
        q = np.maximum(p, 0)
        assert value == pytest.approx(math.sqrt(a * a * q[0] ** 2 + b * b * q[1] ** 2), abs=1e-14)
        assert p @ point == pytest.approx(value, abs=1e-12)
        assert F.contains(point) and np.all(point >= 0)
        ref_value, _ = slsqp_support(lambda x: (x[0] / a) ** 2 + (x[1] / b) ** 2 - 1, [0, 0], p,
                                     np.array([a, b]) / 3)
        assert value == pytest.approx(ref_value, abs=1e-7)


def test_disc_and_ellipsoid_constructors():
    D = quarter_disc(2.0)
    assert D.support([3, 4])[0] == pytest.approx(10.0)
    np.testing.assert_allclose(D.support([3, 4])[1], [1.2, 1.6])
    np.testing.assert_allclose(D.ideal_point(), [2, 2])
    E = ellipsoid_orthant([1, 2, 3])
    value, point = E.support([1, 1, 1])
    assert value == pytest.approx(math.sqrt(14))
    np.testing.assert_allclose(point, np.array([1, 4, 9]) / math.sqrt(14))
    assert E.contains([0.5, 1, 1.5]) and not E.contains([1, 1, 1])


@pytest.mark.parametrize("p, r", [(0.5, 100.0), (0.75, 100.0), (0.9, 100.0), (0.5, 1e9),
                                  (0.75, 1e9), (0.99, 1e9), (0.6, 5.0)])
def test_exponential_set_support_matches_treutlein_example_56(p, r):
    """{x >= 0 : exp(x1/p) + exp(x2/(1-p)) <= r}: slope -1 point (p log(p r), (1-p) log((1-p) r))."""
    assert (1 - p) * r >= 1
    F = exponential_set([p, 1 - p], r)
    value, point = F.support([1, 1])
    expected = np.array([p * math.log(p * r), (1 - p) * math.log((1 - p) * r)])
    np.testing.assert_allclose(point, expected, rtol=1e-12, atol=1e-12)
    assert value == pytest.approx(expected.sum(), rel=1e-12)
    assert math.exp(point[0] / p) + math.exp(point[1] / (1 - p)) == pytest.approx(r, rel=1e-12)


def test_exponential_set_pins_coordinates_at_zero():
    # (1 - p) r < 1: trading is not worth it, the other type gets nothing
    p, r = 0.95, 10.0
    F = exponential_set([p, 1 - p], r)
    value, point = F.support([1, 1])
    assert point[1] == 0.0
    assert point[0] == pytest.approx(p * math.log(r - 1), rel=1e-12)
    # random directions (any sign) against SLSQP on the constraint
    rng = np.random.default_rng(11)
    c = np.array([0.4, 1.5, 0.8])
    G = exponential_set(c, 20.0)

    def g(x):
        return float(np.sum(np.exp(x / c)) - 20.0)

    for _ in range(6):
        d = rng.normal(size=3)
        value, point = G.support(d)
        ref, _ = slsqp_support(g, [0, 0, 0], d, np.full(3, 0.1))
        assert value == pytest.approx(ref, abs=1e-7)
        assert g(point) <= 1e-9 and np.all(point >= 0)


def test_generic_smooth_set_numeric_support_and_membership():
    # Treutlein example 1, Alice: utilities (A, sqrt(2 (10 - A))) for A in [0, 10]
    alice = SmoothSet([lambda x: x[0] + x[1] ** 2 / 2 - 10], 2, lower=[0, 0], name="Alice")
    value, point = alice.support([1, 1])
    assert value == pytest.approx(10.5, abs=1e-8)
    np.testing.assert_allclose(point, [9.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(alice.ideal_point(), [10, math.sqrt(20)], atol=1e-6)
    assert alice.contains([5, 3]) and not alice.contains([5, 3.3])
    # the same disc with and without a closed form
    disc = SmoothSet([lambda x: x @ x - 1], 2, lower=[0, 0])
    for p in ([1, 2], [3, -1], [0.2, 0.1]):
        assert disc.support(p)[0] == pytest.approx(quarter_disc().support(p)[0], abs=1e-7)


def test_smooth_pareto_frontier_is_sampled_on_the_curve():
    F = quarter_ellipse(2, 1)
    pts = F.pareto_frontier(num=50)
    assert pts.shape == (50, 2)
    assert np.all(np.diff(pts[:, 0]) > 0) and np.all(np.diff(pts[:, 1]) < 0)
    np.testing.assert_allclose((pts[:, 0] / 2) ** 2 + pts[:, 1] ** 2, 1.0, atol=1e-12)
    np.testing.assert_allclose(pts[0], [0, 1], atol=1e-8)
    np.testing.assert_allclose(pts[-1], [2, 0], atol=1e-8)


# ---------------------------------------------------------------------------
# Minkowski sums
# ---------------------------------------------------------------------------
def test_minkowski_sum_support_is_the_sum_of_supports():
    D, E = quarter_disc(), quarter_ellipse(2, 1)
    M = minkowski_sum(D, E)
    assert isinstance(M, MinkowskiSum) and M.components == (D, E)
    for p in ([1, 1], [0.3, 2.0], [1, -1]):
        value, point = M.support(p)
        vd, pd = D.support(p)
        ve, pe = E.support(p)
        assert value == pytest.approx(vd + ve)
        np.testing.assert_allclose(point, pd + pe)
    assert M.contains([2.0, 1.0]) and not M.contains([3.0, 1.0])
    np.testing.assert_allclose(M.ideal_point([0, 0]), [3, 2], atol=1e-7)
    # disk(1) + disk(2) = disk(3)
    S = minkowski_sum(quarter_disc(1), quarter_disc(2))
    for p in ([1, 2], [5, 1]):
        assert S.support(p)[0] == pytest.approx(quarter_disc(3).support(p)[0])


def test_minkowski_sum_of_polytopes_matches_the_hull_of_all_sums():
    rng = np.random.default_rng(5)
    P, Q = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    M = minkowski_sum(from_points(P), from_points(Q))
    C = from_points([p + q for p in P for q in Q])
    for _ in range(5):
        p = rng.normal(size=3)
        assert M.support(p)[0] == pytest.approx(C.support(p)[0], abs=1e-12)
        x = C.points.T @ rng.dirichlet(np.ones(12)) + rng.normal(size=3) * 0.2
        assert M.contains(x, tol=1e-7) == C.contains(x, tol=1e-7)
    assert M.is_polyhedral
    assert not minkowski_sum(from_points(P), ellipsoid_orthant([1, 1, 1])).is_polyhedral


def test_as_feasible_set_coerces_games_and_arrays():
    g = treutlein_example_60()
    assert isinstance(as_feasible_set(g), PolytopeSet)
    assert isinstance(as_feasible_set(EXAMPLE.tolist()), PolytopeSet)
    F = quarter_disc()
    assert as_feasible_set(F) is F
    assert isinstance(F, FeasibleSet)
    with pytest.raises(ValueError, match=r"^F: "):
        as_feasible_set("not a set")


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make, field", [
    (lambda: from_points([[0, np.nan]]), "points"),
    (lambda: from_points([1, 2, 3]), "points"),
    (lambda: from_points(np.zeros((0, 2))), "points"),
    (lambda: from_points([[0, 1], [1, 0]], labels=["a"]), "labels"),
    (lambda: PolytopeSet([[0, 1], [1, 0]], profiles=[(0,)]), "profiles"),
    (lambda: PolytopeSet([[0, 1], [1, 0]], A_ub=[[1, 0]]), "A_ub"),
    (lambda: PolytopeSet([[0, 1], [1, 0]], A_ub=[[1, 0, 0]], b_ub=[1]), "A_ub"),
    (lambda: PolytopeSet([[0, 1], [1, 0]], A_ub=[[1, 0]], b_ub=[1, 2]), "b_ub"),
    (lambda: PolytopeSet([[0, 1], [1, 0]], A_ub=[[1, 1]], b_ub=[-1]), "A_ub"),
    (lambda: PolytopeSet([[0, 1, 2]], game=treutlein_example_60()), "game"),
    (lambda: quarter_disc(0.0), "radius"),
    (lambda: quarter_disc(-1.0), "radius"),
    (lambda: quarter_ellipse(1.0, float("nan")), "b"),
    (lambda: ellipsoid_orthant([1.0, -2.0]), "semi_axes"),
    (lambda: exponential_set([0.5, 0.5], 1.5), "r"),
    (lambda: exponential_set([0.5, 0.0], 10.0), "scales"),
    (lambda: minkowski_sum(quarter_disc(), from_points([[1, 2, 3]])), "components"),
    (lambda: minkowski_sum(), "components"),
    (lambda: MinkowskiSum([quarter_disc(), "x"]), "components"),
    (lambda: SmoothSet([], 2), "constraints"),
    (lambda: SmoothSet([lambda x: x @ x - 1], 0), "n_players"),
    (lambda: SmoothSet([lambda x: x @ x - 1], 2, lower=[0, np.nan]), "lower"),
    (lambda: SmoothSet([lambda x: x @ x - 1], 2, interior=[2, 2]), "interior"),
    (lambda: SmoothSet([lambda x: x @ x + 1], 2).support([1, 1]), "constraints"),
    (lambda: from_points(EXAMPLE).support([1, np.inf]), "direction"),
    (lambda: from_points(EXAMPLE).support([1, 1, 1]), "direction"),
    (lambda: from_points(EXAMPLE).contains([1]), "x"),
    (lambda: from_points(EXAMPLE).ideal_point([10, 10]), "d"),
    (lambda: from_points(EXAMPLE).ideal_point([0, np.nan]), "d"),
    (lambda: quarter_disc().pareto_frontier(num=1), "num"),
    (lambda: feasible_set(np.zeros((2, 2, 2))), "game"),
])
def test_bad_inputs_raise_value_errors_naming_the_field(make, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        make()
