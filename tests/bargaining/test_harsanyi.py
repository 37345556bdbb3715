"""Coalition-perfect Harsanyi (= CoCo) equilibria against independent answers.

Known results (KNOWN_RESULTS.md, ALGORITHMS.md section 4): on pure bargaining games
the equilibrium is the Nash bargaining solution, on two-player games Nash's threat
solution, on transferable-utility games the CoCo value; it is invariant to a
positive affine transformation of each player's utility.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamesim.bargaining.disagreement import threat_point
from gamesim.bargaining.feasible import from_points
from gamesim.bargaining.harsanyi import harsanyi_equilibrium
from gamesim.bargaining.solutions import nash_solution
from gamesim.bargaining.values import coco_value, harsanyi_dividends
from gamesim.errors import ConvergenceWarning
from gamesim.sim import catalogue as cat
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXAMPLE_P = [[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]]
P3 = [[3, 0, 0], [0, 3, 0], [0, 0, 3], [2, 2, 0], [1, 1, 1]]


def assert_certified(eq, tol=1e-7):
    scale = 1 + np.max(np.abs(eq.payoffs))
    assert eq.converged
    for name, r in eq.residuals.items():
        assert r <= tol * scale * 10, (name, r)


def implemented(game, joint):
    return game.payoffs.reshape(game.n_players, -1) @ np.asarray(joint).ravel()


# ---------------------------------------------------------------------------
# the seeds' worked examples
# ---------------------------------------------------------------------------
def test_example_60_is_nash_threat_solution():
    g = cat.treutlein_example_60()
    eq = harsanyi_equilibrium(g)
    np.testing.assert_allclose(eq.payoffs, [2.5, 4.75], atol=1e-9)
    np.testing.assert_allclose(eq.weights, [1 / 3, 2 / 3], atol=1e-9)
    # the singletons' threats are (b2, a3): conflict payoffs (-3, 2)
    np.testing.assert_allclose(eq.conflict_payoffs[frozenset([0])], [-3, 2], atol=1e-9)
    np.testing.assert_allclose(implemented(g, eq.joint), eq.payoffs, atol=1e-9)
    assert_certified(eq)
    assert eq.others == ()


@pytest.mark.parametrize("d, expected, weights", [
    ([0, 0], [4, 4], [0.5, 0.5]),
    ([-3, 2], [2.5, 4.75], [1 / 3, 2 / 3]),
])
def test_two_player_bargaining_game_gives_nbs(d, expected, weights):
    eq = harsanyi_equilibrium(cat.bargaining_game(EXAMPLE_P, d))
    np.testing.assert_allclose(eq.payoffs, expected, atol=1e-8)
    np.testing.assert_allclose(eq.weights, weights, atol=1e-8)
    assert_certified(eq)


def test_three_player_bargaining_game_gives_nbs_and_its_prices():
    eq = harsanyi_equilibrium(cat.bargaining_game(P3, [0, 0, 0]))
    np.testing.assert_allclose(eq.payoffs, [4 / 3, 4 / 3, 1], atol=1e-6)
    np.testing.assert_allclose(eq.weights, [0.3, 0.3, 0.4], atol=1e-6)
    assert_certified(eq)


def test_public_goods_sabotage_threat_shows_only_in_the_weights():
    # ALGORITHMS.md section 4: NTU answer (1, 1, 1) with a = (0.2414, 0.2414, 0.5172);
    # the TU (CoCo) answer (0.5, 0.5, 2) is not feasible without transfers.
    g = cat.public_goods_game(3, sabotage={2: (1.0, 2.0)})
    eq = harsanyi_equilibrium(g)
    np.testing.assert_allclose(eq.payoffs, [1, 1, 1], atol=1e-6)
    np.testing.assert_allclose(eq.weights, [0.2414, 0.2414, 0.5172], atol=1e-4)
    np.testing.assert_allclose(coco_value(g).values, [0.5, 0.5, 2], atol=1e-9)
    assert_certified(eq)


def test_coalition_payoffs_satisfy_lemma_1_and_condition_4():
    g = NormalFormGame(np.random.default_rng(3).normal(size=(3, 2, 3, 2)))
    eq = harsanyi_equilibrium(g)
    a = eq.weights
    w = harsanyi_dividends(eq.coalition_payoffs)
    for S, uS in eq.coalition_payoffs.items():
        members = sorted(S)
        # Lemma 1: u_i^S is the sum of the dividends of the coalitions inside S that hold i
        for i in members:
            total = sum(w[R][i] for R in w if R <= S and i in R)
            assert total == pytest.approx(uS[i], abs=1e-9)
        # condition 4: a-weighted gains over the fallbacks are equal inside S
        gains = [a[i] * (uS[i] - eq.fallbacks[S][i]) for i in members]
        assert max(gains) - min(gains) < 1e-9
    np.testing.assert_allclose(eq.coalition_payoffs[frozenset(range(3))], eq.payoffs, atol=1e-12)


# ---------------------------------------------------------------------------
# property tests: independent answers on random games
# ---------------------------------------------------------------------------
@st.composite
def bimatrix(draw):
    m = draw(st.integers(2, 3))
    k = draw(st.integers(2, 3))
    entries = st.integers(-5, 5)
    A = np.array(draw(st.lists(entries, min_size=m * k, max_size=m * k)), float).reshape(m, k)
    B = np.array(draw(st.lists(entries, min_size=m * k, max_size=m * k)), float).reshape(m, k)
    return NormalFormGame.from_bimatrix(A, B)


@SETTINGS
@given(bimatrix())
def test_two_players_equal_nash_threat_solution(g):
    eq = harsanyi_equilibrium(g)
    ts = threat_point(g)
    np.testing.assert_allclose(eq.payoffs, ts.point, atol=1e-6)


@SETTINGS
@given(st.integers(2, 3), st.integers(3, 5), st.integers(0, 10_000))
def test_pure_bargaining_games_give_the_nbs(n, K, seed):
    rng = np.random.default_rng(seed)
    P = rng.integers(-4, 6, size=(K, n)).astype(float)
    d = P.mean(axis=0) - 1.0          # strictly dominated by the mean, a point of F
    eq = harsanyi_equilibrium(cat.bargaining_game(P, d))
    nbs = nash_solution(from_points(P), d)
    np.testing.assert_allclose(eq.payoffs, nbs.point, atol=2e-6)
    assert_certified(eq)


def tu_game(base: np.ndarray, prize: float) -> NormalFormGame:
    """``base`` plus a divisible prize: player 0 may award ``prize`` to anyone if all others accept.

    The awards span the simplex ``sum x = prize``, which (for a large prize) is the
    Pareto frontier: utility is transferable there.  An award without everybody's
    acceptance pays nothing, so no coalition can use the prize as a threat.
    """
    n = base.shape[0]
    m = base.shape[1:]
    shape = (m[0] + n,) + tuple(k + 1 for k in m[1:])
    U = np.zeros((n,) + shape)
    U[(slice(None),) + tuple(slice(0, k) for k in m)] = base
    for k in range(n):
        accept = (m[0] + k,) + tuple(k2 for k2 in m[1:])
        U[(k,) + accept] = prize
    return NormalFormGame(U)


@SETTINGS
@given(st.integers(2, 3), st.integers(0, 10_000))
def test_transferable_utility_games_give_the_coco_value(n, seed):
    base = np.random.default_rng(seed).uniform(0, 1, size=(n,) + (2,) * n)
    g = tu_game(base, prize=20.0)
    eq = harsanyi_equilibrium(g)
    cv = coco_value(g)
    np.testing.assert_allclose(eq.payoffs, cv.values, atol=1e-6)
    np.testing.assert_allclose(eq.weights, np.full(n, 1 / n), atol=1e-6)


@SETTINGS
@given(st.integers(2, 3), st.integers(0, 10_000), st.data())
def test_invariant_to_positive_affine_transformations(n, seed, data):
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(n,) + (2,) * n)
    scale = np.array(data.draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n)))
    shift = np.array(data.draw(st.lists(st.floats(-5.0, 5.0), min_size=n, max_size=n)))
    shaped = (-1,) + (1,) * n
    g = NormalFormGame(U)
    h = NormalFormGame(U * scale.reshape(shaped) + shift.reshape(shaped))
    e1, e2 = harsanyi_equilibrium(g), harsanyi_equilibrium(h)
    np.testing.assert_allclose(e2.payoffs, e1.payoffs * scale + shift, atol=2e-6 * (1 + scale.max()))
    # prices transform inversely; at a vertex they are not unique, so check that the
    # transformed prices support the transformed game's feasible set at the payoff
    moved = (e1.weights / scale) / np.sum(e1.weights / scale)
    points = h.payoffs.reshape(n, -1).T
    assert np.max(points @ moved) - moved @ e2.payoffs < 1e-5 * (1 + scale.max())


# ---------------------------------------------------------------------------
# reporting and errors
# ---------------------------------------------------------------------------
def test_non_convergence_is_flagged_and_warned():
    # seed 3: the equilibrium is at a vertex of F, which only the search finds
    g = NormalFormGame(np.random.default_rng(3).normal(size=(3, 3, 3, 3)))
    with pytest.warns(ConvergenceWarning, match="no price vector met"):
        eq = harsanyi_equilibrium(g, starts=1, maxfev=10)
    assert not eq.converged
    assert eq.residuals["feasible"] > 0


def test_random_three_player_game_converges_with_certificate():
    g = NormalFormGame(np.random.default_rng(1).normal(size=(3, 3, 3, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        eq = harsanyi_equilibrium(g)
    assert_certified(eq)
    np.testing.assert_allclose(implemented(g, eq.joint), eq.payoffs, atol=1e-6)
    assert eq.weights.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, field", [
    ({"tol": 0}, "tol"), ({"starts": 0}, "starts"), ({"maxfev": 3}, "maxfev"),
])
def test_bad_parameters_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        harsanyi_equilibrium(cat.treutlein_example_60(), **kwargs)


def test_one_player_game_is_rejected():
    with pytest.raises(ValueError, match="^game:"):
        harsanyi_equilibrium(NormalFormGame(np.zeros((1, 3))))
