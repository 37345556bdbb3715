"""Tests for gamesim.bargaining.values: Shapley value, CoCo value, Harsanyi's coalition algebra."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gamesim.analysis.equilibria import zero_sum_value
from gamesim.bargaining.values import (
    CoCoValue,
    coco_value,
    harsanyi_dividends,
    harsanyi_fallbacks,
    shapley_value,
)
from gamesim.sim.catalogue import (
    chicken,
    prisoners_dilemma,
    stag_hunt,
    treutlein_example_60,
)
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# helpers and games
# ---------------------------------------------------------------------------
def bos():
    return NormalFormGame.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])


def bos_torture():
    """BoS plus a row 'torture' action: u1 = -1, u2 = -10 against every column."""
    return NormalFormGame.from_bimatrix([[3, 0], [0, 2], [-1, -1]], [[2, 0], [0, 3], [-10, -10]])


def public_goods(sabotage: bool = False) -> NormalFormGame:
    """3 players; C (action 0) costs 1 and adds 2/3 to everyone.  Player 3 may get a
    third action 'sabotage' (does not contribute, costs him 1, -2 to each other player)."""
    m3 = 3 if sabotage else 2
    U = np.zeros((3, 2, 2, m3))
    for a in itertools.product(range(2), range(2), range(m3)):
        c = [a[0] == 0, a[1] == 0, a[2] == 0]
        for i in range(3):
            U[(i,) + a] = 2 / 3 * sum(c) - c[i]
        if a[2] == 2:
            U[(0,) + a] -= 2
            U[(1,) + a] -= 2
            U[(2,) + a] -= 1
    return NormalFormGame(U)


def lp_value(M) -> float:
    return zero_sum_value(np.asarray(M, dtype=float)).value


def coalition_value_lp(U: np.ndarray, S: list[int]) -> float:
    """w(S) by the HiGHS LP, built independently of the module."""
    n = U.shape[0]
    comp = [j for j in range(n) if j not in S]
    W = sum(U[i] for i in S) - sum(U[j] for j in comp)
    W = np.transpose(W, S + comp)
    rows = int(np.prod([U.shape[1 + i] for i in S]))
    return lp_value(W.reshape(rows, -1))


def explicit_formula(U: np.ndarray) -> np.ndarray:
    """phi_i = T/n + sum_{S contains i, S != N} (s-1)!(n-s)!/n! w(S) (ALGORITHMS section 3)."""
    n = U.shape[0]
    T = U.sum(axis=0).max()
    phi = np.full(n, T / n)
    for s in range(1, n):
        for S in itertools.combinations(range(n), s):
            w = coalition_value_lp(U, list(S))
            coef = math.factorial(s - 1) * math.factorial(n - s) / math.factorial(n)
            for i in S:
                phi[i] += coef * w
    return phi


@st.composite
def games(draw, n_players=st.integers(2, 3), actions=st.integers(1, 3), lo=-5, hi=5):
    n = draw(n_players)
    shape = tuple(draw(actions) for _ in range(n))
    U = draw(arrays(float, (n,) + shape, elements=st.integers(lo, hi).map(float)))
    return NormalFormGame(U)


# ---------------------------------------------------------------------------
# Shapley value
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_glove_game_closed_form(k):
    # Player 0 owns the only left glove, players 1..k a right glove each.
    phi = shapley_value(lambda S: float(0 in S and len(S) >= 2), k + 1)
    assert phi[0] == pytest.approx(k / (k + 1), abs=1e-12)
    np.testing.assert_allclose(phi[1:], 1 / (k * (k + 1)), atol=1e-12)


def test_glove_game_two_left_one_right():
    # Players 0, 1 hold left gloves, player 2 the right glove: (1/6, 1/6, 2/3).
    v = {S: float(2 in S and len(S) >= 2) for r in range(1, 4) for S in itertools.combinations(range(3), r)}
    np.testing.assert_allclose(shapley_value(v) * 6, [1, 1, 4], atol=1e-12)


@pytest.mark.parametrize("n", [3, 4, 5, 7])
def test_majority_game_is_uniform(n):
    phi = shapley_value(lambda S: float(len(S) > n / 2), n)
    np.testing.assert_allclose(phi, 1 / n, atol=1e-12)


def test_weighted_majority_and_unanimity():
    # [3; 2, 1, 1]: the big player is pivotal in 4 of 6 orders.
    phi = shapley_value(lambda S: float(sum([2, 1, 1][i] for i in S) >= 3), 3)
    np.testing.assert_allclose(phi * 6, [4, 1, 1], atol=1e-12)
    # Unanimity game of T = {1, 3} scaled by 5: 5/2 each, the rest are dummies.
    phi = shapley_value(lambda S: 5.0 * ({1, 3} <= S), 4)
    np.testing.assert_allclose(phi, [0, 2.5, 0, 2.5], atol=1e-12)


def test_input_forms_agree():
    v_fun = lambda S: float(len(S)) ** 2  # noqa: E731
    arr = np.array([bin(m).count("1") ** 2 for m in range(8)], dtype=float)
    d_frozen = {frozenset(S): float(len(S)) ** 2 for r in range(0, 4) for S in itertools.combinations(range(3), r)}
    d_tuple = {tuple(S): float(len(S)) ** 2 for r in range(1, 4) for S in itertools.combinations(range(3), r)}
    expect = np.full(3, 3.0)
    for phi in (shapley_value(v_fun, 3), shapley_value(arr), shapley_value(arr, 3),
                shapley_value(list(arr)), shapley_value(d_frozen), shapley_value(d_tuple, n=3)):
        np.testing.assert_allclose(phi, expect, atol=1e-12)
    # Tuples in another order name the same coalition.
    assert shapley_value({(0,): 1, (1,): 2, (1, 0): 5}).tolist() == [2.0, 3.0]


@pytest.mark.parametrize("v, n, msg", [
    (lambda S: 1.0, None, "^n: "),
    (lambda S: 1.0, 3, "^v: the empty coalition"),
    (lambda S: "x", 2, "^v: worth"),
    ([0, 1, 2], None, "^v: an array of worths must have length 2\\^n"),
    ([0, 1, 2, 3], 3, "^n: "),
    ([0, 1, np.nan, 3], None, "^v: contains NaN"),
    ([[0, 1], [2, 3]], None, "^v: an array"),
    ({(0,): 1, (1,): 2}, None, "^v: 1 nonempty coalition"),
    ({(0,): 1, (1,): 2, (0, 1): 3, (1, 0): 4}, None, "^v: coalition .* twice"),
    ({(0,): 1, (1,): 2, (0, 1): 3, (0, 0): 4}, None, "^v: coalition .* twice"),
    ({(0,): 1, (1,): 2, (0, 1): 3, (): 1}, None, "^v: the empty coalition"),
    ({(0,): 1, (1,): 2, (0, 1): 3, (2,): 1}, 2, "^v: coalitions mention player 2"),
    ({(0,): 1, ("a",): 2}, None, "^v: coalition"),
    ({0: 1}, None, "^v: coalition 0 must be"),
    ({(10**9,): 1}, None, "^v: coalition .* at most 20 players"),
    ({}, None, "^v: no nonempty coalition"),
    (lambda S: 0.0, 0, "^n: "),
    (lambda S: 0.0, 25, "^n: at most"),
])
def test_shapley_errors_name_the_field(v, n, msg):
    with pytest.raises(ValueError, match=msg):
        shapley_value(v, n)


@st.composite
def tu_games(draw, max_n=5):
    n = draw(st.integers(1, max_n))
    v = draw(arrays(float, (1 << n,), elements=st.integers(-20, 20).map(float)))
    v[0] = 0.0
    return n, v


@SETTINGS
@given(tu_games())
def test_shapley_axioms(game):
    n, v = game
    phi = shapley_value(v)
    assert phi.sum() == pytest.approx(v[-1], abs=1e-9)                       # efficiency
    masks = np.arange(1 << n)
    for i in range(n):                                                       # dummy / null
        without = masks[(masks >> i & 1) == 0]
        marg = v[without | (1 << i)] - v[without]
        if np.all(marg == marg[0]):
            assert phi[i] == pytest.approx(marg[0], abs=1e-9)
    for i, j in itertools.combinations(range(n), 2):                          # symmetry
        rest = masks[((masks >> i & 1) == 0) & ((masks >> j & 1) == 0)]
        if np.array_equal(v[rest | (1 << i)], v[rest | (1 << j)]):
            assert phi[i] == pytest.approx(phi[j], abs=1e-9)


@SETTINGS
@given(tu_games(max_n=4), st.data())
def test_shapley_additivity_and_permutation(game, data):
    n, v = game
    w = data.draw(arrays(float, (1 << n,), elements=st.integers(-20, 20).map(float)))
    w[0] = 0.0
    np.testing.assert_allclose(shapley_value(v + w), shapley_value(v) + shapley_value(w), atol=1e-9)
    np.testing.assert_allclose(shapley_value(2.5 * v), 2.5 * shapley_value(v), atol=1e-9)
    perm = data.draw(st.permutations(range(n)))
    # Relabel: new player j is old player perm[j].
    vp = np.array([v[sum(1 << perm[j] for j in range(n) if m >> j & 1)] for m in range(1 << n)])
    np.testing.assert_allclose(shapley_value(vp), shapley_value(v)[list(perm)], atol=1e-9)


# ---------------------------------------------------------------------------
# CoCo value: the verified examples
# ---------------------------------------------------------------------------
def test_coco_example_60():
    cc = coco_value(treutlein_example_60())
    assert isinstance(cc, CoCoValue)
    np.testing.assert_allclose(cc.values, [1.5, 6.5], atol=1e-12)
    assert cc.cooperative == 8.0
    assert cc.welfare_profile == (0, 0)                                      # (b1, a1)
    np.testing.assert_allclose(cc.transfers, [-2.5, 2.5], atol=1e-12)          # 1 pays 2.5 to 2
    np.testing.assert_allclose(cc.competitive, [-2.5, 2.5], atol=1e-12)
    np.testing.assert_allclose(cc.threat_point, [-3, 2], atol=1e-12)         # (b2, a3)
    x, y = cc.threats[frozenset({0})]
    np.testing.assert_allclose(x, [0, 1]); np.testing.assert_allclose(y, [0, 0, 1])
    assert cc.coalition_values[frozenset({0})] == pytest.approx(-5.0)
    assert cc.coalition_values[frozenset({1})] == pytest.approx(5.0)
    assert not cc.values.flags.writeable


def test_coco_does_not_double_count_threats():
    """Regression: the Shapley value of w itself gives (-1, 9) on the example game."""
    cc = coco_value(treutlein_example_60())
    w = np.array([0.0, cc.coalition_values[frozenset({0})], cc.coalition_values[frozenset({1})],
                  cc.cooperative])
    wrong = shapley_value(w)
    np.testing.assert_allclose(wrong, [-1, 9], atol=1e-12)
    assert not np.allclose(cc.values, wrong)
    np.testing.assert_allclose(cc.values, [1.5, 6.5], atol=1e-12)


@pytest.mark.parametrize("game, expect", [
    (prisoners_dilemma(R=3, S=0, T=5, P=1), [3, 3]),
    (bos(), [2.5, 2.5]),
    (bos_torture(), [7, -2]),                                # the threat works
])
def test_coco_two_player_examples(game, expect):
    np.testing.assert_allclose(coco_value(game).values, expect, atol=1e-12)


def test_coco_public_goods_and_sabotage():
    cc = coco_value(public_goods())
    np.testing.assert_allclose(cc.values, [1, 1, 1], atol=1e-12)
    assert cc.cooperative == pytest.approx(3.0)
    assert cc.threat_point is None
    cc = coco_value(public_goods(sabotage=True))
    np.testing.assert_allclose(cc.values, [0.5, 0.5, 2], atol=1e-12)
    assert cc.coalition_values[frozenset({2})] == pytest.approx(3.0)
    assert cc.coalition_values[frozenset({0, 1})] == pytest.approx(-3.0)


def test_coco_dummy_third_player():
    g = treutlein_example_60()
    U = np.zeros((3, 2, 3, 1))
    U[:2, ..., 0] = g.payoffs
    cc = coco_value(NormalFormGame(U))
    np.testing.assert_allclose(cc.values, [1.5, 6.5, 0], atol=1e-12)
    assert cc.transfers.sum() == pytest.approx(0.0, abs=1e-12)
    rho_s, rho_c = cc.threats[frozenset({0, 2})]
    assert rho_s.shape == (2, 1) and rho_c.shape == (3,)


def test_coco_structure_of_coalitions():
    cc = coco_value(public_goods(sabotage=True))
    assert len(cc.coalition_values) == 6
    for S, w in cc.coalition_values.items():
        comp = frozenset(range(3)) - S
        assert cc.coalition_values[comp] == pytest.approx(-w, abs=1e-12)
        rho_s, rho_c = cc.threats[S]
        assert rho_s.shape == tuple((2, 2, 3)[i] for i in sorted(S))
        assert rho_c.shape == tuple((2, 2, 3)[i] for i in sorted(comp))
        assert rho_s.sum() == pytest.approx(1.0) and rho_c.sum() == pytest.approx(1.0)


def test_one_player_game():
    cc = coco_value(NormalFormGame(np.array([[1.0, 4.0, 2.0]])))
    assert cc.values.tolist() == [4.0] and cc.welfare_profile == (1,) and cc.coalition_values == {}


def test_coco_rejects_non_games():
    with pytest.raises(ValueError, match="^game: "):
        coco_value([[1, 2], [3, 4]])


# ---------------------------------------------------------------------------
# threat sensitivity: "the $1000 curse is worth $500"
# ---------------------------------------------------------------------------
def _add_curse(game: NormalFormGame, c: float) -> NormalFormGame:
    """A player-1 action giving player 1 nothing and costing player 2 c, whatever 2 does."""
    A, B = game.payoffs
    k = A.shape[1]
    return NormalFormGame.from_bimatrix(np.vstack([A, np.zeros(k)]), np.vstack([B, np.full(k, -c)]))


def _symmetric_games():
    rng = np.random.default_rng(11)
    out = [prisoners_dilemma(), chicken(), stag_hunt()]
    for k in (2, 3):
        A = rng.integers(-3, 6, size=(k, k)).astype(float)
        out.append(NormalFormGame.from_bimatrix(A, A.T))
    return out


@pytest.mark.parametrize("game", _symmetric_games())
def test_curse_is_worth_half(game):
    A, B = game.payoffs
    before = coco_value(game).values
    assert before[0] == pytest.approx(before[1], abs=1e-12)      # symmetric: no competitive edge
    c_min = max(float(np.max(A - B)), -float(np.max(A + B)), 0.0) + 1.0
    for c in (c_min, 10 * c_min, 1000.0):
        after = coco_value(_add_curse(game, c)).values
        np.testing.assert_allclose(after - before, [c / 2, -c / 2], atol=1e-9)


# ---------------------------------------------------------------------------
# CoCo value: general properties
# ---------------------------------------------------------------------------
@SETTINGS
@given(games(n_players=st.just(2), actions=st.integers(1, 4)))
def test_two_player_formula(game):
    A, B = game.payoffs
    T = float((A + B).max())
    v = lp_value((A - B) / 2)
    cc = coco_value(game)
    np.testing.assert_allclose(cc.values, [T / 2 + v, T / 2 - v], atol=1e-9)
    np.testing.assert_allclose(cc.competitive, [v, -v], atol=1e-9)
    assert cc.transfers.sum() == pytest.approx(0.0, abs=1e-9)
    assert A[cc.welfare_profile] + B[cc.welfare_profile] == T
    x, y = cc.threats[frozenset({0})]
    np.testing.assert_allclose(cc.threat_point, [x @ A @ y, x @ B @ y])


@pytest.mark.parametrize("seed, n, m", [(0, 3, 2), (1, 3, 3), (2, 4, 2), (3, 3, 2)])
def test_n_player_formula_and_efficiency(seed, n, m):
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(n,) + (m,) * n)
    cc = coco_value(NormalFormGame(U))
    assert cc.values.sum() == pytest.approx(U.sum(axis=0).max(), abs=1e-12)   # efficiency
    np.testing.assert_allclose(cc.values, explicit_formula(U), atol=1e-8)
    for S, w in cc.coalition_values.items():
        assert w == pytest.approx(coalition_value_lp(U, sorted(S)), abs=1e-8)


@SETTINGS
@given(games(), st.data())
def test_covariance(game, data):
    n = game.n_players
    U = game.payoffs
    phi = coco_value(game).values
    c = np.array(data.draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n)), dtype=float)
    shifted = NormalFormGame(U + c.reshape((n,) + (1,) * n))
    np.testing.assert_allclose(coco_value(shifted).values, phi + c, atol=1e-9)
    s = data.draw(st.sampled_from([0.5, 2.0, 3.0]))
    np.testing.assert_allclose(coco_value(NormalFormGame(s * U)).values, s * phi, atol=1e-9)


@SETTINGS
@given(games(), st.data())
def test_symmetry_permuting_players(game, data):
    n = game.n_players
    perm = list(data.draw(st.permutations(range(n))))
    # New player j is old player perm[j]: payoff row and action axis both move.
    U = np.transpose(game.payoffs[perm], [0] + [1 + p for p in perm])
    np.testing.assert_allclose(coco_value(NormalFormGame(U)).values,
                               coco_value(game).values[perm], atol=1e-9)


# ---------------------------------------------------------------------------
# Harsanyi's coalition algebra (Lemma 1)
# ---------------------------------------------------------------------------
@st.composite
def coalition_payoffs(draw):
    n = draw(st.integers(1, 5))
    u = {}
    for r in range(1, n + 1):
        for S in itertools.combinations(range(n), r):
            vec = draw(arrays(float, (n,), elements=st.floats(-50, 50, allow_nan=False)))
            u[frozenset(S) if draw(st.booleans()) else S] = vec
    return n, u


@SETTINGS
@given(coalition_payoffs())
def test_lemma_1(data):
    n, u = data
    w = harsanyi_dividends(u)
    t = harsanyi_fallbacks(u)
    uu = {frozenset(k): np.asarray(v) for k, v in u.items()}
    for S, uS in uu.items():
        for i in S:
            # u_i^S = sum over R subset of S containing i of w_i^R
            total = sum(w[frozenset(R)][i] for r in range(1, len(S) + 1)
                        for R in itertools.combinations(sorted(S), r) if i in R)
            assert total == pytest.approx(uS[i], abs=1e-9)
            assert uS[i] - t[S][i] == pytest.approx(w[S][i], abs=1e-9)        # u - t = w
            # the definitions, term by term
            w_def = sum((-1) ** (len(S) - len(T)) * uu[frozenset(T)][i]
                        for r in range(1, len(S) + 1) for T in itertools.combinations(sorted(S), r) if i in T)
            t_def = sum((-1) ** (len(S) - len(R) + 1) * uu[frozenset(R)][i]
                        for r in range(1, len(S)) for R in itertools.combinations(sorted(S), r) if i in R)
            assert w[S][i] == pytest.approx(w_def, abs=1e-9)
            assert t[S][i] == pytest.approx(t_def, abs=1e-9)
        for j in set(range(n)) - S:
            assert w[S][j] == 0.0 and t[S][j] == 0.0


def test_harsanyi_pair_fallback_is_going_it_alone():
    u = {(0,): [1, 7, 7], (1,): [7, 2, 7], (2,): [7, 7, 3], (0, 1): [5, 6, 7], (0, 2): [4, 7, 8],
         (1, 2): [7, 3, 9], (0, 1, 2): [10, 11, 12]}
    t = harsanyi_fallbacks(u)
    np.testing.assert_allclose(t[frozenset({0, 1})][:2], [1, 2])        # t_1^{12} = u_1^{1}
    np.testing.assert_allclose(t[frozenset({0})], [0, 0, 0])
    # t_1^{123} = u_1^{12} + u_1^{13} - u_1^{1}
    assert t[frozenset({0, 1, 2})][0] == pytest.approx(5 + 4 - 1)


@pytest.mark.parametrize("u, msg", [
    ({}, "^u: expected a non-empty mapping"),
    ([1, 2], "^u: expected a non-empty mapping"),
    ({(0,): [1, 2], (1,): [1, 2]}, "^u: 1 nonempty coalition"),
    ({(0,): [1, 2], (1,): [1], (0, 1): [1, 2]}, "^u: payoff vectors have different lengths"),
    ({(0,): [1, 2], (1,): [1, 2], (0, 1): [1, 2], (1, 0): [1, 2]}, "^u: coalition .* twice"),
    ({(0,): [1, 2], (1,): [1, 2], (0, 1): [1, 2], (2,): [1, 2]}, "^u: a coalition mentions player 2"),
    ({(0,): [1, 2], (1,): [1, np.inf], (0, 1): [1, 2]}, "^u: contains NaN"),
    ({(0,): [[1, 2]], (1,): [1, 2], (0, 1): [1, 2]}, "^u: payoffs of coalition .* must be a vector"),
])
def test_harsanyi_errors_name_the_field(u, msg):
    with pytest.raises(ValueError, match=msg):
        harsanyi_dividends(u)
    with pytest.raises(ValueError, match=msg):
        harsanyi_fallbacks(u)
