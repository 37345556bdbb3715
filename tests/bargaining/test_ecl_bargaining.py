"""ECL Bayesian bargaining games (Treutlein 2023, section 5): games, BNE, NBS, threat point.

Every number is computed from the game objects (action sets, posterior, prior and
the number of players) by the general code; the closed forms and the paper's
figures are the expectations.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq

from gamesim.bargaining.disagreement import threat_point as nash53_threat_point
from gamesim.bargaining.ecl import (
    bayesian_nash,
    dependency_check,
    nash_bargaining,
    nbs_is_dependency_equilibrium,
    threat_point,
)
from gamesim.bargaining.feasible import (
    LinearImageSet,
    PolytopeSet,
    SmoothSet,
    ellipsoid_orthant,
    exponential_set,
    from_points,
    linear_image,
    minkowski_sum,
    quarter_disc,
    quarter_ellipse,
)
from gamesim.bargaining.solutions import nash_solution
from gamesim.errors import ConvergenceWarning
from gamesim.sim.ecl_bargaining import (
    ECLBargainingGame,
    treutlein_example_46,
    treutlein_example_54,
    treutlein_example_55,
    treutlein_example_56,
)
from gamesim.sim.separable import SeparableGame


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def ellipse(center, Q) -> SmoothSet:
    """``{c + Q u : |u| <= 1}``: a full (rotated) ellipsoid, allowing harm (negative entries)."""
    c = np.asarray(center, float)
    Q = np.asarray(Q, float)
    Qi = np.linalg.inv(Q)

    def g(x):
        u = Qi @ (x - c)
        return float(u @ u - 1.0)

    def grad(x):
        return 2.0 * Qi.T @ (Qi @ (x - c))

    def support(p):
        v = Q.T @ p
        nv = float(np.linalg.norm(v))
        if nv == 0.0:
            return float(p @ c), c.copy()
        return float(p @ c + nv), c + Q @ v / nv

    return SmoothSet([g], c.size, support_fn=support, gradients=[grad], interior=c, strictly_convex=True)


def random_type_distribution(rng, m):
    """A symmetric joint distribution of two players' types: (prior, posterior)."""
    J = rng.uniform(0.1, 1.0, size=(m, m))
    J = J + J.T
    J /= J.sum()
    prior = J.sum(axis=1)
    return prior, J / prior[:, None]


def directions(k=24, m=2, seed=0):
    if m == 2:
        a = np.linspace(0, 2 * np.pi, k, endpoint=False)
        return np.column_stack([np.cos(a), np.sin(a)])
    return np.random.default_rng(seed).standard_normal((k, m))


def example_54_exact(q):
    """Weighted NBS of the unit quarter disc from d = (q, 1 - q) with weights (q, 1 - q)."""
    d1, d2 = q, 1 - q

    def foc(th):  # derivative of q log(cos - d1) + (1 - q) log(sin - d2) along the circle
        return -q * np.sin(th) / (np.cos(th) - d1) + (1 - q) * np.cos(th) / (np.sin(th) - d2)

    th = brentq(foc, np.arcsin(d2) + 1e-12, np.arccos(d1) - 1e-12, xtol=1e-15)
    return np.array([np.cos(th), np.sin(th)])


# ---------------------------------------------------------------------------
# Example 46: the maps f^(t) and the individual feasible sets
# ---------------------------------------------------------------------------
def test_example_46_maps_and_feasible_sets():
    g = treutlein_example_46()
    assert g.n_players == 3 and not g.large_n
    np.testing.assert_array_equal(g.individual_map(0), [[2, 0], [0, 1]])   # (53), (55)
    np.testing.assert_array_equal(g.individual_map(1), [[1, 0], [0, 2]])   # (54), (56)
    F1, F2 = g.individual_feasible_set(0), g.individual_feasible_set(1)
    assert isinstance(F1, LinearImageSet)
    ref1, ref2 = quarter_ellipse(2, 1), quarter_ellipse(1, 2)
    for w in directions(36):
        assert F1.support(w)[0] == pytest.approx(ref1.support(w)[0], abs=1e-12)
        np.testing.assert_allclose(F1.support(w)[1], ref1.support(w)[1], atol=1e-12)
        assert F2.support(w)[0] == pytest.approx(ref2.support(w)[0], abs=1e-12)
        assert g.feasible_set().support(w)[0] == pytest.approx(
            ref1.support(w)[0] + ref2.support(w)[0], abs=1e-12)
    assert F1.contains([2, 0]) and F1.contains([0, 1]) and not F1.contains([1.5, 0.7])
    # equation (52) at n = 3 against a direct evaluation
    alpha = np.array([[0.6, 0.8], [0.3, 0.4]])
    P = g.posterior
    direct = [alpha[t, t] + 2 * sum(P[t, s] * alpha[s, t] for s in range(2)) for t in range(2)]
    np.testing.assert_allclose(g.expected_utility(alpha), direct)
    np.testing.assert_allclose(g.contributions(alpha).sum(axis=0), direct)


def test_example_46_bne_and_nbs():
    g = treutlein_example_46()
    b = bayesian_nash(g)
    np.testing.assert_allclose(b.profile, [[1, 0], [0, 1]], atol=1e-12)
    np.testing.assert_allclose(b.payoffs, [2, 2])
    out = nash_bargaining(g)
    # symmetric: each F_t is supported in direction (1, 1) at (4, 1)/sqrt5 resp. (1, 4)/sqrt5
    np.testing.assert_allclose(out.point, [np.sqrt(5), np.sqrt(5)], atol=1e-9)
    np.testing.assert_allclose(out.contributions, [[4 / np.sqrt(5), 1 / np.sqrt(5)],
                                                   [1 / np.sqrt(5), 4 / np.sqrt(5)]], atol=1e-9)
    np.testing.assert_allclose(out.profile, [[2 / np.sqrt(5), 1 / np.sqrt(5)],
                                             [1 / np.sqrt(5), 2 / np.sqrt(5)]], atol=1e-9)
    np.testing.assert_allclose(g.expected_utility(out.profile), out.point, atol=1e-12)


# ---------------------------------------------------------------------------
# Example 54
# ---------------------------------------------------------------------------
def test_example_54_feasible_set_is_the_stated_one():
    g = treutlein_example_54(0.75)
    assert g.large_n
    F1_ref, F2_ref = quarter_disc(0.75), quarter_disc(0.25)          # (58), (59)
    F = g.feasible_set()
    F_ref = minkowski_sum(F1_ref, F2_ref)
    for w in directions(40):
        assert g.individual_feasible_set(0).support(w)[0] == pytest.approx(F1_ref.support(w)[0], abs=1e-14)
        assert g.individual_feasible_set(1).support(w)[0] == pytest.approx(F2_ref.support(w)[0], abs=1e-14)
        assert F.support(w)[0] == pytest.approx(F_ref.support(w)[0], abs=1e-14)
    assert g.individual_feasible_set(0).contains([0.75 / np.sqrt(2), 0.75 / np.sqrt(2)])
    assert not g.individual_feasible_set(1).contains([0.2, 0.2])


def test_example_54_weighted_nbs():
    g = treutlein_example_54(0.75)
    b = bayesian_nash(g)
    np.testing.assert_allclose(b.payoffs, [0.75, 0.25])
    out = nash_bargaining(g)
    np.testing.assert_allclose(out.weights, [0.75, 0.25])
    np.testing.assert_allclose(out.disagreement, [0.75, 0.25])
    exact = example_54_exact(0.75)
    np.testing.assert_allclose(exact, [0.9221594312146825, 0.3868100094643535], atol=1e-14)
    np.testing.assert_allclose(out.point, exact, atol=1e-9)
    np.testing.assert_allclose(out.point, [0.92, 0.39], atol=5e-3)      # the paper's rounding
    # "the NBS picks the same point on F_2 as on F_1, only scaled down": both types take
    # the same action, and F_t contributes p(t) times it
    np.testing.assert_allclose(out.profile[0], out.profile[1], atol=1e-8)
    np.testing.assert_allclose(out.contributions, [0.75 * out.profile[0], 0.25 * out.profile[1]], atol=1e-9)
    # the same NBS over the directly typed feasible set
    direct = nash_solution(minkowski_sum(quarter_disc(0.75), quarter_disc(0.25)), [0.75, 0.25], [0.75, 0.25])
    np.testing.assert_allclose(out.point, direct.point, atol=1e-10)


def test_example_54_symmetric_case():
    g = treutlein_example_54(0.5)
    out = nash_bargaining(g)
    np.testing.assert_allclose(out.disagreement, [0.5, 0.5])
    np.testing.assert_allclose(out.point, [np.sqrt(2) / 2, np.sqrt(2) / 2], atol=1e-10)
    # each type's individual point is (sqrt2/4, sqrt2/4)
    np.testing.assert_allclose(out.contributions, np.full((2, 2), np.sqrt(2) / 4), atol=1e-10)


# ---------------------------------------------------------------------------
# Examples 55 and 56 through the game objects
# ---------------------------------------------------------------------------
PS_55 = [0.5, 0.6, 0.75, 0.9, 0.97]


@pytest.mark.parametrize("p", PS_55)
def test_example_55_double_decrease(p):
    g = treutlein_example_55(p)
    for t, (a, b) in enumerate([(p, 1 - p), (1 - p, p)]):   # F_t is the stated quarter ellipse
        ref = quarter_ellipse(a, b)
        for w in directions(12):
            assert g.individual_feasible_set(t).support(w)[0] == pytest.approx(ref.support(w)[0], abs=1e-14)
    out = nash_bargaining(g)
    np.testing.assert_allclose(out.disagreement, [p, p], atol=1e-14)
    s = np.sqrt(1 - 2 * (1 - p) * p)
    np.testing.assert_allclose(out.point, [s, s], atol=1e-9)
    own, other = out.contributions[0, 0], out.contributions[1, 0]
    assert own == pytest.approx(p ** 2 / s, abs=1e-9)
    assert other / out.point[0] == pytest.approx((1 - p) ** 2 / (1 - 2 * (1 - p) * p), abs=1e-9)
    assert out.point[0] / out.disagreement[0] - 1 == pytest.approx(s / p - 1, abs=1e-9)


def test_example_55_no_trade_at_p_1():
    g = treutlein_example_55(1.0)
    out = nash_bargaining(g)                    # d = (1, 1) is the ideal point: nobody can gain
    np.testing.assert_allclose(out.point, [1, 1], atol=1e-9)
    assert not out.active.any() and out.method == "no-gains"
    assert out.contributions[1, 0] == pytest.approx(0.0, abs=1e-9)   # share 0, gains 0
    assert g.is_profile(out.profile)


def test_example_55_figure_13_shape():
    ps = np.linspace(0.5, 0.99, 8)
    share, gains = [], []
    for p in ps:
        out = nash_bargaining(treutlein_example_55(p))
        share.append(out.contributions[1, 0] / out.point[0])
        gains.append(out.point[0] / out.disagreement[0] - 1)
    share, gains = np.array(share), np.array(gains)
    assert share[0] == pytest.approx(0.5) and gains[0] == pytest.approx(np.sqrt(2) - 1)
    assert np.all(np.diff(share) < 0) and np.all(np.diff(gains) < 0)
    eps = 1 - ps[-1]                            # "double decrease": both quadratic in 1 - p
    assert share[-1] / eps ** 2 == pytest.approx(1.0, rel=0.03)
    assert gains[-1] / eps ** 2 == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize("r", [100.0, 1e9])
@pytest.mark.parametrize("p", [0.5, 0.6, 0.75, 0.9, 0.97])
def test_example_56_paretotopia(p, r):
    g = treutlein_example_56(p, r)
    ref = exponential_set([p, 1 - p], r)                            # equation (60)
    for w in directions(12):
        assert g.individual_feasible_set(0).support(w)[0] == pytest.approx(ref.support(w)[0], rel=1e-12)
    out = nash_bargaining(g)
    alone = p * np.log(r - 1)                  # BNE: all resources on the own value
    np.testing.assert_allclose(out.disagreement, [alone, alone], rtol=1e-12)
    total = p * np.log(p * r) + (1 - p) * np.log(max((1 - p) * r, 1.0))
    np.testing.assert_allclose(out.point, [total, total], rtol=1e-8)
    share = out.contributions[1, 0] / out.point[0]
    assert share == pytest.approx((1 - p) * np.log(max((1 - p) * r, 1.0)) / total, abs=1e-8)
    # Treutlein measures gains against p log r (his approximation of the BNE payoff)
    assert out.point[0] / (p * np.log(r)) - 1 == pytest.approx(total / (p * np.log(r)) - 1, abs=1e-8)


def test_example_56_no_trade_at_p_1():
    out = nash_bargaining(treutlein_example_56(1.0, 100.0))
    np.testing.assert_allclose(out.point, out.disagreement, atol=1e-8)
    np.testing.assert_allclose(out.disagreement, [np.log(99), np.log(99)])
    assert out.contributions[1, 0] == pytest.approx(0.0, abs=1e-8)


def test_example_56_figure_15_shape():
    ps = np.linspace(0.5, 0.95, 6)
    for r in (100.0, 1e9):
        share = []
        for p in ps:
            out = nash_bargaining(treutlein_example_56(p, r))
            share.append(out.contributions[1, 0] / out.point[0])
        assert np.all(np.diff(share) < 0)
    # with r = 1e9 the share falls slower than in example 55 (roughly linearly)
    out = nash_bargaining(treutlein_example_56(0.9, 1e9))
    assert out.contributions[1, 0] / out.point[0] > 0.05 > (0.1 ** 2 / (1 - 2 * 0.1 * 0.9))


# ---------------------------------------------------------------------------
# Proposition 49: Bayesian Nash equilibria
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("game, payoffs", [
    (treutlein_example_46(), [2.0, 2.0]),
    (treutlein_example_54(0.75), [0.75, 0.25]),
    (treutlein_example_55(0.6), [0.6, 0.6]),
    (treutlein_example_56(0.75, 100.0), [0.75 * np.log(99)] * 2),
])
def test_bne_on_examples(game, payoffs):
    b = bayesian_nash(game)
    np.testing.assert_allclose(b.payoffs, payoffs, rtol=1e-12)
    assert b.unique_payoffs
    np.testing.assert_allclose(b.payoff_bounds[0], b.payoff_bounds[1], atol=1e-7)
    # best responses: no action of type t does better against the others' BNE actions
    m = game.n_types
    for t, A in enumerate(game.action_sets):
        for w in directions(16):
            alt = np.array(b.profile)
            alt[t] = A.support(w)[1]
            assert game.expected_utility(alt)[t] <= b.payoffs[t] + 1e-12
        assert b.own_values[t] == pytest.approx(A.support(np.eye(m)[t])[0])


def test_bne_face_tie_break_and_payoff_range():
    # type 0's own utility is maximal on the segment (1, 0)-(1, 1)
    A0 = from_points([[1, 0], [1, 1], [0, 2]])
    A1 = from_points([[0, 1], [1, 0]])
    g = ECLBargainingGame([A0, A1], [[0.5, 0.5], [0.5, 0.5]], 4)
    b = bayesian_nash(g)
    np.testing.assert_allclose(b.profile, [[1, 1], [0, 1]], atol=1e-12)   # the generous end
    assert not b.unique_payoffs
    C = g.coefficients                          # type 1 gets between 0 and C[0, 1] from type 0
    np.testing.assert_allclose(b.payoff_bounds[:, 1] - b.payoff_bounds[0, 1], [0, C[0, 1]], atol=1e-12)
    np.testing.assert_allclose(b.payoff_bounds[:, 0], [b.payoffs[0]] * 2, atol=1e-12)


# ---------------------------------------------------------------------------
# Proposition 53 and theorem 51
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("game", [treutlein_example_46(), treutlein_example_54(0.75), treutlein_example_55(0.9),
                                  treutlein_example_56(0.6, 1e9)])
def test_proposition_53_on_examples(game):
    chk = nbs_is_dependency_equilibrium(game)
    assert chk.holds and chk.feasible
    b = bayesian_nash(game)
    np.testing.assert_allclose(chk.deviation_payoffs, b.payoffs, atol=1e-12)   # corollary 52
    np.testing.assert_allclose(chk.margins, chk.outcome.gains, atol=1e-12)
    assert np.all(chk.margins > 0)


def _random_game(rng, m, smooth_kind):
    sets = []
    for _t in range(m):
        if smooth_kind == "orthant":
            sets.append(ellipsoid_orthant(rng.uniform(0.3, 2.0, size=m)))
        else:
            Q = np.diag(rng.uniform(0.4, 1.2, size=m)) + 0.2 * rng.standard_normal((m, m))
            sets.append(ellipse(0.3 * rng.standard_normal(m), Q))
    prior, post = random_type_distribution(rng, m)
    n = [None, 2, 5, 50][int(rng.integers(4))]
    return ECLBargainingGame(sets, post, n, prior=prior)


@pytest.mark.parametrize("seed", range(6))
def test_proposition_53_random_instances(seed):
    rng = np.random.default_rng(seed)
    g = _random_game(rng, 2 + seed % 2, "orthant" if seed % 3 == 0 else "full")
    assert g.is_anonymous
    chk = nbs_is_dependency_equilibrium(g)
    assert chk.holds and chk.feasible, chk
    out = chk.outcome
    assert np.all(out.gains > 0)
    np.testing.assert_allclose(g.expected_utility(out.profile), out.point, atol=1e-9)
    np.testing.assert_allclose(chk.margins, out.gains, atol=1e-9)
    assert out.certificate < 1e-8
    # the prices support F at the NBS: sigma_F(prices) = prices . point
    F = g.feasible_set()
    assert F.support(out.prices)[0] == pytest.approx(out.prices @ out.point, abs=1e-8)


def test_dependency_check_rejects_worse_than_bne():
    g = treutlein_example_46()
    bne = [[1, 0], [0, 1]]
    chk = dependency_check(g, [[0, 1], [1, 0]], bne)          # everyone serves the other type only
    assert not chk.holds
    np.testing.assert_allclose(chk.payoffs, [1, 1])
    np.testing.assert_allclose(chk.deviation_payoffs, [2, 2])
    # infeasible profiles never pass
    assert not dependency_check(g, [[2, 2], [2, 2]], bne).holds


# ---------------------------------------------------------------------------
# degenerate disagreement points (the convention before definition 57)
# ---------------------------------------------------------------------------
def test_restricted_nbs_when_one_type_cannot_gain():
    # types 0 and 1 trade as in example 54 (p = 1/2); type 2 is isolated (p(2|2) = 1)
    A = ellipsoid_orthant([1.0, 1.0, 1.0])
    post = [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    g = ECLBargainingGame([A, A, A], post, None, prior=[1 / 3, 1 / 3, 1 / 3])
    out = nash_bargaining(g)
    np.testing.assert_allclose(out.disagreement, [0.5, 0.5, 1.0], atol=1e-9)
    np.testing.assert_array_equal(out.active, [True, True, False])
    np.testing.assert_allclose(out.point, [np.sqrt(0.5), np.sqrt(0.5), 1.0], atol=2e-6)
    assert g.is_profile(out.profile)
    # single gainer: in example 55 at p = 1 from d = (0.5, 1) only type 0 gains
    out = nash_bargaining(treutlein_example_55(1.0), disagreement=[0.5, 1.0])
    np.testing.assert_array_equal(out.active, [True, False])
    np.testing.assert_allclose(out.point, [1.0, 1.0], atol=1e-7)


# ---------------------------------------------------------------------------
# threat point (definition 57)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("game", [treutlein_example_54(0.75), treutlein_example_55(0.75),
                                  treutlein_example_56(0.75, 100.0)])
def test_threat_point_is_bne_when_nobody_can_harm(game):
    tp = threat_point(game)
    assert tp.converged and tp.verified
    np.testing.assert_allclose(tp.point, bayesian_nash(game).payoffs, atol=1e-12)
    np.testing.assert_allclose(tp.outcome.point, nash_bargaining(game).point, atol=1e-12)


def test_threat_point_linear_frontier_closed_form():
    # F_t = conv{(1,0), (0,1), harm point}: the Pareto frontier of F_1 + F_2 is x1 + x2 = 2.
    # Nash (1953): type 1 maximises (p1/w1) y1 - (p2/w2) y2 over F_1 -> the harm point
    # (0.5, -1); type 2 maximises (p2/w2) y2 - (p1/w1) y1 over F_2 -> (0, 1).
    A1 = from_points(2 * np.array([[1, 0], [0, 1], [0.5, -1]]))
    A2 = from_points(2 * np.array([[1, 0], [0, 1], [-1, 0.5]]))
    g = ECLBargainingGame([A1, A2], np.full((2, 2), 0.5), None, prior=[0.7, 0.3])
    tp = threat_point(g)
    assert tp.converged and tp.verified
    np.testing.assert_allclose(tp.profile, [[1, -2], [0, 2]], atol=1e-12)
    np.testing.assert_allclose(tp.point, [0.5, 0.0], atol=1e-12)
    # x = d + w (2 - p.d) / p with p = (1, 1)
    np.testing.assert_allclose(tp.outcome.point, [0.5 + 0.7 * 1.5, 0.3 * 1.5], atol=1e-12)
    out = nash_bargaining(g, disagreement="threat")
    np.testing.assert_allclose(out.point, tp.outcome.point, atol=1e-12)
    # Proposition 61: the NBS from the threat point passes theorem 51 against the threats
    assert dependency_check(g, tp.outcome.profile, tp.profile).holds


@pytest.mark.parametrize("seed", range(6))
def test_threat_point_matches_nash_1953_on_separable_polytope_games(seed):
    # With equal priors the ECL threat game of two types with polytope action sets is
    # Nash's (1953) variable-threat game of the separable normal-form game.
    rng = np.random.default_rng(seed)
    Y1 = rng.uniform(-1, 2, size=(int(rng.integers(3, 6)), 2))
    Y2 = rng.uniform(-1, 2, size=(int(rng.integers(3, 6)), 2))
    g = ECLBargainingGame([from_points(2 * Y1), from_points(2 * Y2)], np.full((2, 2), 0.5), None)  # F_t = conv Y_t
    tp = threat_point(g)
    ref = nash53_threat_point(SeparableGame([Y1, Y2]).to_normal_form())
    assert tp.verified
    np.testing.assert_allclose(tp.outcome.point, ref.point, atol=1e-9)


def _harm_game():
    E1 = ellipse([0.5, 0.0], [[0.8, 0.1], [0.1, 0.6]])
    E2 = ellipse([0.0, 0.4], [[0.5, -0.1], [0.0, 0.9]])
    return ECLBargainingGame([E1, E2], [[0.7, 0.3], [0.4, 0.6]], None)


def test_threat_point_smooth_two_types_characterisation():
    g = _harm_game()
    assert g.is_anonymous
    np.testing.assert_allclose(g.prior, [4 / 7, 3 / 7])
    tp = threat_point(g)
    assert tp.converged and tp.verified
    # In two dimensions grad_d mu_1 is proportional to (p1/w1, -p2/w2) for the normal p at
    # the NBS: each type's threat is its support point in that direction (or its opposite).
    p, w = tp.outcome.prices, g.prior
    q = np.array([p[0] / w[0], -p[1] / w[1]])
    C = g.coefficients
    for t, sign in ((0, 1.0), (1, -1.0)):
        np.testing.assert_allclose(tp.profile[t], g.action_sets[t].support(C[t] * sign * q)[1], atol=1e-6)
    # the threats hurt the other type relative to the BNE, and the NBS still beats them
    b = bayesian_nash(g)
    assert tp.profile[0][1] < b.profile[0][1] and tp.profile[1][0] < b.profile[1][0]
    assert np.all(tp.outcome.gains > 0)
    assert dependency_check(g, tp.outcome.profile, tp.profile).holds        # proposition 61


def test_threat_point_three_types():
    rng = np.random.default_rng(1)
    sets = [ellipse(0.2 * rng.standard_normal(3), 0.3 * rng.standard_normal((3, 3)) + 0.8 * np.eye(3))
            for _ in range(3)]
    prior, post = random_type_distribution(rng, 3)
    g = ECLBargainingGame(sets, post, 10, prior=prior)
    tp = threat_point(g)
    assert tp.converged and tp.verified
    assert np.all((tp.residuals <= 1e-6) | (tp.gaps <= 1e-12))
    assert dependency_check(g, tp.outcome.profile, tp.profile).holds        # proposition 61
    # the same equilibrium from another start (the NBS profile)
    tp2 = threat_point(g, start=nash_bargaining(g).profile)
    np.testing.assert_allclose(tp2.point, tp.point, atol=1e-5)
    np.testing.assert_allclose(tp2.outcome.point, tp.outcome.point, atol=1e-6)


def test_threat_point_reports_non_convergence():
    g = _harm_game()
    with pytest.warns(ConvergenceWarning, match="not converged"):
        tp = threat_point(g, max_iter=1, restarts=0)
    assert not tp.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert threat_point(g).converged


# ---------------------------------------------------------------------------
# linear images (feasible.py)
# ---------------------------------------------------------------------------
def test_linear_image_support_and_membership():
    rng = np.random.default_rng(3)
    A = ellipsoid_orthant([1.0, 0.5, 2.0])
    L = np.eye(3) + 0.3 * rng.standard_normal((3, 3))
    F = linear_image(A, L)
    for w in directions(20, m=3):
        v, x = F.support(w)
        assert v == pytest.approx(A.support(L.T @ w)[0], abs=1e-12)
        assert w @ x == pytest.approx(v, abs=1e-12)
        assert F.contains(x, tol=1e-8)
        np.testing.assert_allclose(L @ F.preimage(x), x, atol=1e-12)
    y = np.array([0.3, 0.2, 0.5])
    assert F.contains(L @ y) and not F.contains(L @ np.array([0.3, 0.2, -0.1]))
    # NBS over the image of the disc under a positive diagonal map = NBS over the ellipse
    D = linear_image(quarter_disc(1.0), np.diag([2.0, 1.0]))
    np.testing.assert_allclose(nash_solution(D, [0.2, 0.1]).point,
                               nash_solution(quarter_ellipse(2, 1), [0.2, 0.1]).point, atol=1e-9)


def test_linear_image_of_polytopes_sums_and_flat_maps():
    P = from_points([[1, 0], [0, 1], [0.5, -1]])
    LP = linear_image(P, [[2, 0], [1, 1]])
    assert isinstance(LP, PolytopeSet)
    np.testing.assert_allclose(LP.points, [[2, 1], [0, 1], [1, -0.5]])
    S = linear_image(minkowski_sum(P, quarter_disc(1.0)), np.diag([0.5, 2.0]))
    for w in directions(12):
        assert S.support(w)[0] == pytest.approx(P.support(w * [0.5, 2])[0] + quarter_disc(1).support(w * [0.5, 2])[0])
    flat = linear_image(exponential_set([1.0, 1.0], 10.0), np.diag([0.0, 0.5]))
    assert flat.contains([0.0, 0.5 * np.log(9)]) and not flat.contains([0.01, 0.1])
    assert not flat.contains([0.0, 0.5 * np.log(9) + 1e-4])
    np.testing.assert_allclose(flat.preimage([0.0, 0.5]), [0.0, 1.0], atol=1e-7)
    with pytest.raises(ValueError, match="matrix"):
        linear_image(quarter_disc(1.0), [[1, 1], [1, 1]])        # singular, not diagonal
    with pytest.raises(ValueError, match="matrix"):
        linear_image(quarter_disc(1.0), np.eye(3))


# ---------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------
def test_game_input_errors_name_the_field():
    A = quarter_disc(1.0)
    post = [[0.5, 0.5], [0.5, 0.5]]
    with pytest.raises(ValueError, match="action_sets"):
        ECLBargainingGame([A, "disc"], post, 3)
    with pytest.raises(ValueError, match="action_sets"):
        ECLBargainingGame([A, ellipsoid_orthant([1, 1, 1])], post, 3)
    with pytest.raises(ValueError, match="action_sets"):
        ECLBargainingGame([], post, 3)
    with pytest.raises(ValueError, match="posterior"):
        ECLBargainingGame([A, A], [[0.5, 0.5]], 3)
    with pytest.raises(ValueError, match="posterior"):
        ECLBargainingGame([A, A], [[0.6, 0.6], [0.5, 0.5]], 3)
    with pytest.raises(ValueError, match="posterior"):
        ECLBargainingGame([A, A], [[1.5, -0.5], [0.5, 0.5]], 3)
    with pytest.raises(ValueError, match="prior"):
        ECLBargainingGame([A, A], post, 3, prior=[1.0, 0.0])
    with pytest.raises(ValueError, match="prior"):
        ECLBargainingGame([A, A], post, 3, prior=[0.5, 0.3])
    with pytest.raises(ValueError, match="prior"):
        ECLBargainingGame([A, A], [[1, 0], [0, 1]], 3)           # no unique stationary distribution
    for n in (1, 2.5, True):
        with pytest.raises(ValueError, match="n_players"):
            ECLBargainingGame([A, A], post, n)
    with pytest.raises(ValueError, match="types"):
        ECLBargainingGame([A, A], post, 3, types=["a"])
    g = treutlein_example_46()
    with pytest.raises(ValueError, match="profile"):
        g.expected_utility([1, 0])
    with pytest.raises(ValueError, match="t:"):
        g.individual_feasible_set(2)
    with pytest.raises(ValueError, match="p"):
        treutlein_example_54(1.0)
    with pytest.raises(ValueError, match="r"):
        treutlein_example_56(0.5, 1.0)


def test_solution_input_errors_name_the_field():
    g = treutlein_example_54(0.75)
    with pytest.raises(ValueError, match="game"):
        nash_bargaining("not a game")
    with pytest.raises(ValueError, match="weights"):
        nash_bargaining(g, weights=[1, -1])
    with pytest.raises(ValueError, match="weights"):
        nash_bargaining(g, weights=[1, 1, 1])
    with pytest.raises(ValueError, match="disagreement"):
        nash_bargaining(g, disagreement="minmax")
    with pytest.raises(ValueError, match="disagreement"):
        nash_bargaining(g, disagreement=[0.1])
    with pytest.raises(ValueError, match="disagreement"):
        nash_bargaining(g, disagreement=[2.0, 2.0])          # not dominated by F
    with pytest.raises(ValueError, match="start"):
        threat_point(g, start=[[2, 2], [0, 0]])
    with pytest.raises(ValueError, match="alpha"):
        dependency_check(g, [1, 2], [[1, 0], [0, 1]])
