"""Tests for gamesim.sim.separable and gamesim.bargaining.cores.

Known results: Treutlein (arXiv:2307.04879) examples 64 and 66, proposition 63 and
theorem 65; independent references: brute-force normal-form payoffs, the KKT
condition of the Nash bargaining solution, and blocking checks of sampled points.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gamesim.analysis.equilibria import pure_nash_equilibria
from gamesim.bargaining.cores import (
    alpha_response,
    blocks,
    core_point,
    effective_facets,
    effective_value,
    in_core,
    nash_response,
    pareto_response,
    stable_disagreement_point,
)
from gamesim.sim.separable import SeparableGame, treutlein_example_64, treutlein_example_66
from gamesim.sim.catalogue import treutlein_example_7
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NBS_64 = np.array([13, 13, 17]) / 3


# ---------------------------------------------------------------------------
# helpers and independent references
# ---------------------------------------------------------------------------
@st.composite
def separable_games(draw, n=3):
    ks = draw(st.lists(st.integers(2, 3), min_size=n, max_size=n))
    contributions = [
        draw(st.lists(st.lists(st.integers(-3, 5), min_size=n, max_size=n), min_size=k, max_size=k))
        for k in ks
    ]
    return SeparableGame(contributions)


def profiles(game):
    return itertools.product(*[range(k) for k in game.n_options])


def in_hull_sum(game, x):
    """Whether x is in F = F_1 + ... + F_n (an independent LP: equality, not >=)."""
    C = np.vstack(game.contributions)
    m = C.shape[0]
    A_eq = [C.T]
    rows = []
    col = 0
    for c in game.contributions:
        r = np.zeros(m)
        r[col:col + c.shape[0]] = 1
        rows.append(r)
        col += c.shape[0]
    A_eq = np.vstack(A_eq + [np.array(rows)])
    b_eq = np.concatenate([x, np.ones(game.n_players)])
    res = linprog(np.zeros(m), A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * m, method="highs")
    return res.status == 0


def brute_alpha_guarantee(game, P, x):
    """Largest t with x_P + t guaranteed to P against every pure outsider profile.

    Independent of cores.py: enumerates the outsiders' pure profiles explicitly and
    requires one coalition mixture to work against all of them at once.
    """
    n = game.n_players
    outs = [j for j in range(n) if j not in P]
    Cs = [game.contributions[j] for j in P]
    m = sum(c.shape[0] for c in Cs)
    A_ub, b_ub = [], []
    for prof in itertools.product(*[range(game.n_options[j]) for j in outs]):
        other = sum((game.contributions[j][a] for j, a in zip(outs, prof)), np.zeros(n))
        for i in P:
            row = np.concatenate([-c[:, i] for c in Cs] + [[1.0]])
            A_ub.append(row)
            b_ub.append(other[i] - x[i])
    A_eq = np.zeros((len(P), m + 1))
    col = 0
    for r, c in enumerate(Cs):
        A_eq[r, col:col + c.shape[0]] = 1
        col += c.shape[0]
    obj = np.zeros(m + 1)
    obj[-1] = -1
    res = linprog(obj, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=A_eq, b_eq=np.ones(len(P)),
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return -res.fun


def random_points_in_F(game, rng, count):
    """Random points of F from random mixtures (own generator, no global state)."""
    pts = []
    for _ in range(count):
        mix = [rng.dirichlet(np.full(k, 0.5)) for k in game.n_options]
        pts.append(game.expected_payoff(mix))
    return pts


# ---------------------------------------------------------------------------
# SeparableGame
# ---------------------------------------------------------------------------
def test_separable_game_normal_form_matches_brute_force():
    g = SeparableGame([[[1, 2, 0], [0, 1, 4]], [[3, 0, 1]], [[0, 0, 2], [1, 1, 1], [2, -1, 0]]])
    nf = g.to_normal_form()
    assert isinstance(nf, NormalFormGame)
    assert nf.payoffs.shape == (3, 2, 1, 3)
    for prof in profiles(g):
        expected = sum(np.asarray(g.contributions[j][a]) for j, a in enumerate(prof))
        np.testing.assert_array_equal(nf.payoffs[(slice(None),) + prof], expected)
        np.testing.assert_array_equal(g.payoff(prof), expected)


def test_separable_game_arrays_are_read_only_and_copied():
    data = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = SeparableGame([data, data])
    data[0, 0] = 99
    assert g.contributions[0][0, 0] == 1
    with pytest.raises(ValueError):
        g.contributions[0][0, 0] = 5
    assert g.individual_sets()[1].shape == (2, 2)


@pytest.mark.parametrize(
    "contributions, field",
    [
        ([], "contributions"),
        ([[[1, 2]], [[1, 2, 3]]], "contributions[1]"),
        ([[1, 2], [[1, 2]]], "contributions[0]"),
        ([[[1, np.nan]], [[1, 2]]], "contributions[0]"),
        ([np.zeros((0, 2)), [[1, 2]]], "contributions[0]"),
        ([[["a", 1]], [[1, 2]]], "contributions[0]"),
    ],
)
def test_separable_game_validation_names_field(contributions, field):
    with pytest.raises(ValueError, match=r"^" + field.replace("[", r"\[").replace("]", r"\]")):
        SeparableGame(contributions)


def test_separable_game_name_validation_and_profile_errors():
    with pytest.raises(ValueError, match="^players"):
        SeparableGame([[[1, 2]], [[1, 2]]], players=["a"])
    with pytest.raises(ValueError, match=r"^actions\[0\]"):
        SeparableGame([[[1, 2]], [[1, 2]]], actions=[["x", "y"], ["z"]])
    g = treutlein_example_64()
    with pytest.raises(ValueError, match="^profile"):
        g.payoff((0, 0))
    with pytest.raises(ValueError, match=r"^profile\[2\]"):
        g.payoff((0, 0, 3))
    with pytest.raises(ValueError, match=r"^strategies\[0\]"):
        g.expected_payoff([[0.5, 0.6, 0], [1, 0, 0], [1, 0, 0]])


def test_separable_game_equality_and_hash():
    assert treutlein_example_64() == treutlein_example_64()
    assert hash(treutlein_example_64()) == hash(treutlein_example_64())
    assert treutlein_example_64() != treutlein_example_66()


def test_from_normal_form_round_trip_and_rejection():
    g7 = treutlein_example_7()
    s = SeparableGame.from_normal_form(g7)
    assert s.to_normal_form() == g7
    # Treutlein's Table 1 decomposition differs by a constant but gives the same game.
    table1 = SeparableGame([[[0, -3], [-1, 0]], [[0, 3], [-3, 2]]], actions=[["a1", "b1"], ["a2", "b2"]])
    np.testing.assert_array_equal(table1.to_normal_form().payoffs, g7.payoffs)
    bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    with pytest.raises(ValueError, match="^game"):
        SeparableGame.from_normal_form(bos)


@SETTINGS
@given(separable_games())
def test_nash_equilibrium_is_a_nash_equilibrium_of_the_normal_form(g):
    # Proposition 49: own-contribution maximisers are dominant strategies.
    ne = g.nash_equilibrium()
    assert ne in pure_nash_equilibria(g.to_normal_form())
    for j, c in enumerate(g.contributions):
        assert ne[j] == int(np.flatnonzero(c[:, j] == c[:, j].max())[0])  # lowest index on ties
    np.testing.assert_array_equal(g.nash_point(), g.payoff(ne))


# ---------------------------------------------------------------------------
# Example 64 (Table 7)
# ---------------------------------------------------------------------------
def test_example_64_nash_point_and_pair_guarantee():
    g = treutlein_example_64()
    assert g.nash_equilibrium() == (0, 0, 0)
    np.testing.assert_array_equal(g.nash_point(), [3, 3, 3])
    # {1, 2} can guarantee (5, 5) whatever player 3 does ...
    assert effective_value(g, (0, 1), "alpha") == pytest.approx(5.0, abs=1e-12)
    assert brute_alpha_guarantee(g, (0, 1), np.zeros(3)) == pytest.approx(5.0, abs=1e-12)
    # ... and not more: (5, 5) is on the frontier of nu^alpha({1, 2}).
    assert not blocks(g, [5, 5, 0], (0, 1))
    np.testing.assert_array_equal(stable_disagreement_point(g, A="nash"), [3, 3, 3])


def test_example_64_nbs_is_not_in_the_alpha_core():
    g = treutlein_example_64()
    x = NBS_64
    # Independent check that (13/3, 13/3, 17/3) is the NBS with d = (3, 3, 3): it is in F,
    # and the gradient of the Nash product, 1 / (x - d) ~ (2, 2, 1), supports F at x
    # (sufficient for the maximum of a concave function over a convex set).
    assert in_hull_sum(g, x)
    grad = 1.0 / (x - 3.0)
    support = sum(float((c @ grad).max()) for c in g.contributions)
    assert support == pytest.approx(float(grad @ x), abs=1e-12)
    r = in_core(g, x, A="alpha")
    assert r.feasible and not r.in_core
    assert [P for P, _ in r.blocking] == [(0, 1)]
    assert r.blocking[0][1] == pytest.approx(2 / 3, abs=1e-9)
    assert blocks(g, x, (0, 1), "alpha")
    assert brute_alpha_guarantee(g, (0, 1), x) == pytest.approx(2 / 3, abs=1e-9)


def test_example_64_alpha_core_contains_5_5_3():
    g = treutlein_example_64()
    np.testing.assert_array_equal(g.payoff((1, 1, 0)), [5, 5, 3])  # profile (2, 2, 1)
    for A in ("alpha", "pareto", "nash"):
        r = in_core(g, [5, 5, 3], A=A)
        assert r.in_core and r.feasible and r.blocking == ()
    # The brute-force alpha guarantee agrees for every coalition.
    for P in [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]:
        assert brute_alpha_guarantee(g, P, np.array([5.0, 5.0, 3.0])) <= 1e-9


@pytest.mark.parametrize("A", ["alpha", "pareto"])
def test_example_64_cores_nonempty(A):
    g = treutlein_example_64()
    r = core_point(g, A=A)
    assert not r.empty
    np.testing.assert_allclose(r.point, [5, 5, 3], atol=1e-9)
    assert r.value == pytest.approx(13.0)
    assert r.profile_lottery == (((1, 1, 0), 1.0),)
    assert in_core(g, r.point, A=A).in_core
    assert len(r.certificate) == 7
    for P, mu, b in r.certificate:
        assert np.all(mu >= 0) and float(mu @ r.point[list(P)]) >= b - 1e-9


# ---------------------------------------------------------------------------
# Example 66 (Table 8)
# ---------------------------------------------------------------------------
def test_example_66_nash_core_is_empty():
    g = treutlein_example_66()
    assert g.nash_equilibrium() == (0, 0, 0)
    np.testing.assert_array_equal(g.nash_point(), [5, 5, 15])
    np.testing.assert_array_equal(nash_response(g), [[5, 0, 5], [0, 5, 5], [0, 0, 5]])
    # {1, 2} can guarantee 8 each; 3 alone can guarantee 15.
    assert effective_value(g, (0, 1), "nash") == pytest.approx(8.0)
    assert effective_value(g, (2,), "nash") == pytest.approx(15.0)
    r = core_point(g, A="nash")
    assert r.empty and r.point is None and r.mixtures is None and r.certificate == ()
    for w in ([1, 0, 0], [0, 0, 1], [-1, 2, 0]):
        assert core_point(g, A="nash", objective=w).empty
    rng = np.random.default_rng(66)
    for x in [g.payoff(p) for p in profiles(g)] + random_points_in_F(g, rng, 10):
        assert not in_core(g, x, A="nash").in_core


@pytest.mark.parametrize("A", ["alpha", "pareto"])
def test_example_66_alpha_and_pareto_cores_nonempty(A):
    g = treutlein_example_66()
    r = core_point(g, A=A)
    assert not r.empty
    assert in_core(g, r.point, A=A).in_core
    assert in_core(g, r.point, A="alpha").in_core
    assert in_hull_sum(g, r.point)
    lottery_payoff = sum(p * g.payoff(prof) for prof, p in r.profile_lottery)
    np.testing.assert_allclose(lottery_payoff, r.point, atol=1e-12)
    np.testing.assert_allclose(g.expected_payoff(r.mixtures), r.point, atol=1e-12)


def test_example_66_pareto_response_and_stable_disagreement_point():
    g = treutlein_example_66()
    # Player 1 (and 2) in {1, 3} may play option 3 = (3, 3, 6); in {1, 2} option 2 = (4, 4, 0).
    np.testing.assert_array_equal(pareto_response(g), [[3, 0, 0], [0, 3, 0], [0, 0, 5]])
    np.testing.assert_array_equal(alpha_response(g), [[3, 0, 0], [0, 3, 0], [0, 0, 0]])
    np.testing.assert_array_equal(stable_disagreement_point(g), [5, 5, 5])


# ---------------------------------------------------------------------------
# response matrices
# ---------------------------------------------------------------------------
@SETTINGS
@given(separable_games())
def test_alpha_effective_equals_A_effective_with_alpha_response(g):
    x = np.zeros(3)
    for P in [(0,), (1, 2), (0, 2)]:
        assert effective_value(g, P, "alpha", x) == pytest.approx(brute_alpha_guarantee(g, P, x), abs=1e-9)


def brute_pareto_response(g):
    """Eq. (62) by enumerating weight vectors mu > 0 on a grid (a lower-precision reference)."""
    n = g.n_players
    A = np.full((n, n), np.inf)
    grid = np.arange(1, 21, dtype=float)
    for i, c in enumerate(g.contributions):
        for size in range(1, n + 1):
            for P in itertools.combinations(range(n), size):
                if i not in P:
                    continue
                mus = np.array(list(itertools.product(grid, repeat=len(P))))  # (G, |P|)
                vals = c[:, P] @ mus.T                                         # (k, G)
                face = vals >= vals.max(axis=0) - 1e-12
                worst = np.where(face[:, :, None], c[:, None, :], np.inf).min(axis=(0, 1))
                A[i] = np.minimum(A[i], worst)
    return A


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(separable_games())
def test_pareto_response_bounds_and_grid_reference(g):
    A = pareto_response(g)
    lo = alpha_response(g)
    hi = np.array([c.max(axis=0) for c in g.contributions])
    assert np.all(A >= lo) and np.all(A <= hi)
    # Grid weights find a subset of the usable options, so the grid value is >= the exact one,
    # and with small integer data the normal cones are wide enough for a 20-step grid.
    np.testing.assert_array_equal(A, brute_pareto_response(g))


def test_pareto_response_handles_ties_in_coalition_coordinates():
    # Player 1's options 0 and 1 tie on (u_1, u_2) but differ for player 3.
    g = SeparableGame([
        [[2, 2, 5], [2, 2, -4], [0, 0, 0]],
        [[0, 1, 0]],
        [[0, 0, 1]],
    ])
    A = pareto_response(g)
    assert A[0, 2] == -4
    # In the alpha response player 1's worst is also -4; the Nash option (lowest index) gives 5.
    assert nash_response(g)[0, 2] == 5


def test_invalid_arguments_name_their_field():
    g = treutlein_example_64()
    with pytest.raises(ValueError, match="^game"):
        in_core(treutlein_example_7(), [0, 0])
    with pytest.raises(ValueError, match="^A"):
        in_core(g, [0, 0, 0], A="beta")
    with pytest.raises(ValueError, match="^A"):
        in_core(g, [0, 0, 0], A=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="^x"):
        in_core(g, [0, 0])
    with pytest.raises(ValueError, match="^coalition"):
        effective_value(g, (), "alpha")
    with pytest.raises(ValueError, match="^coalition"):
        blocks(g, [0, 0, 0], (0, 3))
    with pytest.raises(ValueError, match="^objective"):
        core_point(g, objective=[1, 1])


def test_explicit_matrix_response_matches_named():
    g = treutlein_example_66()
    a = core_point(g, A=nash_response(g))
    assert a.empty
    normals, offsets = effective_facets(g, (0, 1), nash_response(g))
    assert np.all(normals >= 0)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0)


# ---------------------------------------------------------------------------
# proposition 63 and theorem 65 on random separable games
# ---------------------------------------------------------------------------
@SETTINGS
@given(separable_games(), st.integers(0, 2**32 - 1))
def test_proposition_63_and_theorem_65(g, seed):
    rng = np.random.default_rng(seed)
    vertices = [g.payoff(p) for p in profiles(g)]
    for name, A in (("nash", nash_response(g)), ("pareto", pareto_response(g))):
        r = core_point(g, A=A)
        if r.empty:
            assert name == "nash"  # theorem 65: the eq.-(62) core is never empty
            # Every vertex of F and random points of F are blocked.
            for x in vertices + random_points_in_F(g, rng, 3):
                assert not in_core(g, x, A=A).in_core
            continue
        # core_point's answer passes in_core, and (proposition 63) lies in the alpha-core.
        assert in_core(g, r.point, A=A).in_core
        assert in_core(g, r.point, A="alpha").in_core
        assert in_hull_sum(g, r.point)
        # No vertex of F with a larger sum is in the core.
        better = [x for x in vertices if x.sum() > r.value + 1e-7]
        for x in better[:4]:
            assert not in_core(g, x, A=A).in_core


@SETTINGS
@given(separable_games(), st.lists(st.integers(-2, 2), min_size=3, max_size=3))
def test_core_point_with_general_objective(g, w):
    if not any(w):
        w = [1, 0, 0]
    r = core_point(g, A="alpha", objective=w)
    assert not r.empty  # the alpha-core contains the eq.-(62) core (proposition 63, theorem 65)
    assert in_core(g, r.point, A="alpha").in_core
    assert r.value == pytest.approx(float(np.dot(w, r.point)))
    for p in profiles(g):
        x = g.payoff(p)
        if float(np.dot(w, x)) > r.value + 1e-7:
            assert not in_core(g, x, A="alpha").in_core
