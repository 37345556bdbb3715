"""Tests for gamesim.analysis.equilibria: known results and independent references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gamesim.analysis.equilibria import (
    ce_violation,
    coarse_ce_violation,
    correlated_equilibrium,
    best_response_value,
    best_responses,
    is_nash,
    minmax_values,
    nash_conv,
    nash_equilibria,
    pure_nash_equilibria,
    zero_sum_value,
)
from gamesim.sim.catalogue import (
    CATALOGUE,
    battle_of_the_sexes,
    chicken,
    folk_theorem_game,
    matching_pennies,
    prisoners_dilemma,
    rock_paper_scissors,
    shapley_game,
    stag_hunt,
    treutlein_example_60,
)
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------
# helpers and independent references
# ---------------------------------------------------------------------------
def bimatrix(A, B):
    return NormalFormGame.from_bimatrix(A, B)


def random_game(seed, shape):
    """A generic game (continuous payoffs) from its own generator."""
    return NormalFormGame(np.random.default_rng(seed).normal(size=shape))


def eq_set(eqs, decimals=6):
    return sorted(tuple(np.round(np.concatenate(e.strategies), decimals) + 0.0) for e in eqs)


def profile_key(strategies, decimals=6):
    return tuple(np.round(np.concatenate([np.asarray(s, float) for s in strategies]), decimals) + 0.0)


def slow_nash_conv(U, profile):
    """Pure-Python NashConv: loop over every pure joint action."""
    n = U.shape[0]
    shape = U.shape[1:]
    total = 0.0
    for i in range(n):
        vals = [0.0] * shape[i]
        current = 0.0
        for a in itertools.product(*[range(m) for m in shape]):
            p_others = 1.0
            for j in range(n):
                if j != i:
                    p_others *= profile[j][a[j]]
            vals[a[i]] += p_others * U[(i,) + a]
            current += p_others * profile[i][a[i]] * U[(i,) + a]
        total += max(vals) - current
    return total


def slow_ce_violation(U, P):
    """Pure-Python swap-deviation gain."""
    n = U.shape[0]
    shape = U.shape[1:]
    best = 0.0
    for i in range(n):
        for k in range(shape[i]):
            for l in range(shape[i]):
                g = 0.0
                for a in itertools.product(*[range(m) for m in shape]):
                    if a[i] != k:
                        continue
                    b = list(a)
                    b[i] = l
                    g += P[a] * (U[(i,) + tuple(b)] - U[(i,) + a])
                best = max(best, g)
    return best


def slow_coarse_violation(U, P):
    n = U.shape[0]
    shape = U.shape[1:]
    best = 0.0
    for i in range(n):
        cur = sum(P[a] * U[(i,) + a] for a in itertools.product(*[range(m) for m in shape]))
        for l in range(shape[i]):
            dev = 0.0
            for a in itertools.product(*[range(m) for m in shape]):
                b = list(a)
                b[i] = l
                dev += P[a] * U[(i,) + tuple(b)]
            best = max(best, dev - cur)
    return best


def reference_ce_welfare(U):
    """Max-welfare CE by an LP written independently: constraints built profile by profile,
    solved in the '>= 0' orientation with the dual simplex."""
    n = U.shape[0]
    shape = U.shape[1:]
    profiles = list(itertools.product(*[range(m) for m in shape]))
    index = {a: t for t, a in enumerate(profiles)}
    rows = []
    for i in range(n):
        for k in range(shape[i]):
            for l in range(shape[i]):
                if k == l:
                    continue
                row = np.zeros(len(profiles))
                for a in profiles:
                    if a[i] == k:
                        b = list(a)
                        b[i] = l
                        row[index[a]] = U[(i,) + a] - U[(i,) + tuple(b)]  # obedience gain >= 0
                rows.append(row)
    c = np.array([-sum(U[(i,) + a] for i in range(n)) for a in profiles])
    res = linprog(c, A_ub=-np.array(rows), b_ub=np.zeros(len(rows)),
                  A_eq=np.ones((1, len(profiles))), b_eq=[1.0], bounds=(0, 1), method="highs-ds")
    assert res.status == 0
    return -res.fun


def random_profile(rng, shape, batch=None):
    out = []
    for m in shape:
        size = (m,) if batch is None else (batch, m)
        x = rng.exponential(size=size)
        if rng.random() < 0.3:  # sometimes a pure or sparse strategy
            x = x * (rng.random(size=size) < 0.5)
            if batch is None:
                x[rng.integers(m)] += 1.0
            else:
                x[np.arange(batch), rng.integers(m, size=batch)] += 1.0
        out.append(x / x.sum(axis=-1, keepdims=True))
    return out


int_matrix = st.integers(2, 4).flatmap(
    lambda m: st.integers(2, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n), min_size=m, max_size=m),
            st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n), min_size=m, max_size=m),
        )
    )
)


# ---------------------------------------------------------------------------
# zero_sum_value
# ---------------------------------------------------------------------------
def test_zero_sum_matching_pennies():
    sol = zero_sum_value(matching_pennies())
    assert sol.value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [0.5, 0.5], atol=1e-9)


def test_zero_sum_rock_paper_scissors():
    sol = zero_sum_value(rock_paper_scissors().payoffs[0])
    assert sol.value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [1 / 3] * 3, atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [1 / 3] * 3, atol=1e-9)


def test_zero_sum_hand_solved_2x2_and_2x3():
    # A = [[3, -1], [-2, 1]], no saddle point (row minima -1, -2; column maxima 3, 1).
    # Row mixes p on row 0: column 0 pays 3p - 2(1-p) = 5p - 2, column 1 pays
    # -p + (1-p) = 1 - 2p; equal at p = 3/7, value 5*3/7 - 2 = 1/7.
    # Column mixes q on column 0: row 0 pays 4q - 1, row 1 pays 1 - 3q; equal at
    # q = 2/7, value 8/7 - 1 = 1/7.
    sol = zero_sum_value([[3, -1], [-2, 1]])
    assert sol.value == pytest.approx(1 / 7, abs=1e-10)
    np.testing.assert_allclose(sol.row_strategy, [3 / 7, 4 / 7], atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [2 / 7, 5 / 7], atol=1e-9)
    # Adding a column (4, 5) that is worse for the minimiser than column 0 (3, -2)
    # in both rows changes nothing; the column player never uses it.
    sol = zero_sum_value([[3, -1, 4], [-2, 1, 5]])
    assert sol.value == pytest.approx(1 / 7, abs=1e-10)
    np.testing.assert_allclose(sol.row_strategy, [3 / 7, 4 / 7], atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [2 / 7, 5 / 7, 0], atol=1e-9)
    # The 3x2 game with the roles swapped: -A^T has value -1/7 and swapped strategies.
    sol = zero_sum_value(-np.array([[3, -1, 4], [-2, 1, 5]]).T)
    assert sol.value == pytest.approx(-1 / 7, abs=1e-10)
    np.testing.assert_allclose(sol.row_strategy, [2 / 7, 5 / 7, 0], atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [3 / 7, 4 / 7], atol=1e-9)


def test_zero_sum_saddle_point():
    # [[1, 2], [0, 3]]: row 0's minimum 1 equals column 0's maximum 1 -> pure saddle.
    sol = zero_sum_value([[1, 2], [0, 3]])
    assert sol.value == pytest.approx(1.0)
    np.testing.assert_allclose(sol.row_strategy, [1, 0], atol=1e-9)
    np.testing.assert_allclose(sol.col_strategy, [1, 0], atol=1e-9)


@pytest.mark.parametrize("bad", [[1, 2, 3], [[1, np.nan]], np.zeros((0, 2)), [["a", "b"]], np.zeros((2, 2, 2))])
def test_zero_sum_bad_input(bad):
    with pytest.raises(ValueError, match="A"):
        zero_sum_value(bad)


def test_zero_sum_rejects_general_sum_game():
    with pytest.raises(ValueError, match="A: .*zero-sum"):
        zero_sum_value(prisoners_dilemma())


@SETTINGS
@given(st.integers(1, 5).flatmap(lambda m: st.integers(1, 5).flatmap(
    lambda n: st.lists(st.lists(st.integers(-20, 20), min_size=n, max_size=n), min_size=m, max_size=m))))
def test_zero_sum_duality_certificate(rows):
    A = np.array(rows, dtype=float)
    sol = zero_sum_value(A)
    x, y, v = sol.row_strategy, sol.col_strategy, sol.value
    for s in (x, y):
        assert np.all(s >= 0) and s.sum() == pytest.approx(1.0)
    # the row strategy guarantees v against every column, the column strategy holds row to v
    assert np.min(x @ A) >= v - 1e-7
    assert np.max(A @ y) <= v + 1e-7
    # and v lies between the pure maximin and minimax
    assert A.min(axis=1).max() - 1e-9 <= v <= A.max(axis=0).min() + 1e-9


# ---------------------------------------------------------------------------
# minmax_values
# ---------------------------------------------------------------------------
def test_minmax_prisoners_dilemma_is_P():
    r = minmax_values(prisoners_dilemma(R=3, S=0, T=5, P=1))
    np.testing.assert_allclose(r.values, [1, 1], atol=1e-9)
    assert r.exact
    np.testing.assert_allclose(r.punishers[0], [0, 1], atol=1e-9)  # punish by defecting
    assert r.best_replies == ((1,), (1,))


def test_minmax_matching_pennies():
    r = minmax_values(matching_pennies())
    np.testing.assert_allclose(r.values, [0, 0], atol=1e-9)
    np.testing.assert_allclose(r.punishers[0], [0.5, 0.5], atol=1e-9)
    assert r.best_replies == ((0, 1), (0, 1))


def test_minmax_folk_theorem_game():
    # A = [[2,0],[0,0]], B = [[0,0],[0,2]].  Row earns only at (r0, c0): the column
    # player punishes with c1 and row gets 0 whatever it does.  Column earns only at
    # (r1, c1): row punishes with r0.  Minmax values (0, 0).
    r = minmax_values(folk_theorem_game())
    np.testing.assert_allclose(r.values, [0, 0], atol=1e-9)
    np.testing.assert_allclose(r.punishers[0], [0, 1], atol=1e-9)
    np.testing.assert_allclose(r.punishers[1], [1, 0], atol=1e-9)


def test_minmax_battle_of_the_sexes():
    # Row's payoff against column's y: max(2 y_B, y_F), minimised at y_B = 1/3 -> 2/3.
    # Column's against row's x: max(x_B, 2 x_F), minimised at x_B = 2/3 -> 2/3.
    r = minmax_values(battle_of_the_sexes(a=2, b=1))
    np.testing.assert_allclose(r.values, [2 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(r.punishers[0], [1 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(r.punishers[1], [2 / 3, 1 / 3], atol=1e-9)


def test_minmax_three_players_correlated_lower_than_independent():
    # Player 3 (actions X, Y, Z) gets 1 at X if the punishers play (0, 0), at Y if
    # (1, 1) and at Z if they disagree.  The three indicator payoffs sum to 1 for
    # every punisher profile, so correlated punishers hold player 3 to exactly 1/3
    # (uniform over {00, 11, disagree}).  Independent punishers (p, q = prob. of 0)
    # face max(pq, (1-p)(1-q), p+q-2pq), minimised at p = q = 2/3: 4/9 (grid below).
    U = np.zeros((3, 2, 2, 3))
    U[2, 0, 0, 0] = U[2, 1, 1, 1] = U[2, 0, 1, 2] = U[2, 1, 0, 2] = 1.0
    g = NormalFormGame(U)
    r = minmax_values(g)
    p = np.linspace(0, 1, 601)[:, None]
    q = p.T
    grid = np.maximum(np.maximum(p * q, (1 - p) * (1 - q)), p + q - 2 * p * q).min()
    assert grid == pytest.approx(4 / 9, abs=1e-9)
    np.testing.assert_allclose(r.values, [0, 0, 1 / 3], atol=1e-9)
    np.testing.assert_allclose(r.lower, r.values)
    assert r.upper[2] == pytest.approx(4 / 9, abs=1e-6)
    assert not r.exact
    # the independent punishers certify the upper bound
    x1, x2 = r.independent_punishers[2]
    assert best_response_value(g, 2, [x1, x2, None]) == pytest.approx(r.upper[2], abs=1e-9)
    # the correlated punishing distribution certifies the lower bound
    Q = r.punishers[2]
    assert Q.shape == (2, 2) and Q.sum() == pytest.approx(1.0)
    assert np.max(np.tensordot(Q, U[2], axes=([0, 1], [0, 1]))) == pytest.approx(1 / 3, abs=1e-9)


def test_minmax_three_players_exact_when_bounds_meet():
    # Player 3 plays matching pennies against player 1 only; player 2 is irrelevant.
    U = np.zeros((3, 2, 2, 2))
    for a1, a2, a3 in itertools.product(range(2), repeat=3):
        U[2, a1, a2, a3] = 1.0 if a1 == a3 else -1.0
    r = minmax_values(NormalFormGame(U))
    np.testing.assert_allclose(r.values, [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(r.upper, r.lower, atol=1e-9)
    assert r.exact


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_minmax_bounds_three_players(seed):
    g = random_game(seed, (3, 2, 2, 2))
    r = minmax_values(g)
    grid = np.linspace(0, 1, 101)
    for i in range(3):
        others = [j for j in range(3) if j != i]
        assert r.lower[i] <= r.upper[i] + 1e-12
        # upper bound is certified by its independent punishers
        prof = [None] * 3
        for j, x in zip(others, r.independent_punishers[i]):
            prof[j] = x
        assert best_response_value(g, i, prof) == pytest.approx(r.upper[i], abs=1e-9)
        # no pure punisher profile does better than the upper bound
        Ui = np.moveaxis(g.payoffs[i], i, 0).reshape(2, -1)
        assert r.upper[i] <= Ui.max(axis=0).min() + 1e-12
        # the correlated value is below the independent minmax on a grid (one batch call)
        p, q = (a.ravel() for a in np.meshgrid(grid, grid))
        prof[others[0]] = np.stack([p, 1 - p], axis=1)
        prof[others[1]] = np.stack([q, 1 - q], axis=1)
        assert r.lower[i] <= best_response_value(g, i, prof).min() + 1e-9


@SETTINGS
@given(int_matrix)
def test_minmax_two_players_certified(AB):
    A, B = (np.array(M, float) for M in AB)
    g = bimatrix(A, B)
    r = minmax_values(g)
    assert r.exact
    for i in range(2):
        prof = [None, None]
        prof[1 - i] = r.punishers[i]
        assert best_response_value(g, i, prof) == pytest.approx(r.values[i], abs=1e-7)
    # minmax = value of the zero-sum game on the punished player's payoffs
    assert r.values[0] == pytest.approx(zero_sum_value(A).value, abs=1e-9)
    assert r.values[1] == pytest.approx(zero_sum_value(B.T).value, abs=1e-9)


# ---------------------------------------------------------------------------
# best responses, nash_conv, is_nash
# ---------------------------------------------------------------------------
def test_best_responses_known():
    pd = prisoners_dilemma()
    assert best_responses(pd, 0, [None, [0.3, 0.7]]) == (1,)
    assert best_responses(pd, 1, [[1, 0], None]) == (1,)
    mp = matching_pennies()
    assert best_responses(mp, 1, [[0.5, 0.5], None]) == (0, 1)
    assert best_responses(mp, 1, [[0.6, 0.4], None]) == (1,)
    assert best_response_value(pd, 0, [None, [1, 0]]) == 5.0
    np.testing.assert_allclose(best_response_value(pd, 0, [None, [[1, 0], [0, 1]]]), [5, 1])
    with pytest.raises(ValueError, match="profile"):
        best_responses(pd, 0, [None, [[1, 0], [0, 1]]])


def test_nash_conv_known_values():
    pd = prisoners_dilemma()
    assert nash_conv(pd, [[0, 1], [0, 1]]) == 0.0
    assert nash_conv(pd, [[1, 0], [1, 0]]) == pytest.approx(4.0)  # each gains T - R
    rps = rock_paper_scissors()
    assert nash_conv(rps, [[1 / 3] * 3, [1 / 3] * 3]) == pytest.approx(0.0, abs=1e-12)
    # pure rock vs uniform: row gains 0 (indifferent), column gains 1 (paper)
    assert nash_conv(rps, [[1, 0, 0], [1 / 3] * 3]) == pytest.approx(1.0)
    assert is_nash(rps, [[1 / 3] * 3, [1 / 3] * 3])
    np.testing.assert_array_equal(is_nash(pd, [[[0, 1], [1, 0]], [[0, 1], [1, 0]]]), [True, False])
    with pytest.raises(ValueError, match="profile"):
        nash_conv(pd, [[0.5, 0.6], [1, 0]])


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2, 3), (2, 4, 2), (3, 2, 2, 2), (3, 3, 2, 2)]))
def test_nash_conv_matches_slow_reference(seed, shape):
    rng = np.random.default_rng(seed)
    g = NormalFormGame(rng.integers(-5, 6, size=shape).astype(float))
    batch = random_profile(rng, shape[1:], batch=5)
    fast = nash_conv(g, batch)
    assert fast.shape == (5,)
    for b in range(5):
        prof = [x[b] for x in batch]
        ref = slow_nash_conv(g.payoffs, prof)
        assert nash_conv(g, prof) == pytest.approx(ref, abs=1e-9)
        assert fast[b] == pytest.approx(ref, abs=1e-9)
        assert fast[b] >= 0


# ---------------------------------------------------------------------------
# pure Nash equilibria
# ---------------------------------------------------------------------------
def test_pure_nash_known():
    assert pure_nash_equilibria(prisoners_dilemma()) == [(1, 1)]
    assert pure_nash_equilibria(matching_pennies()) == []
    assert pure_nash_equilibria(chicken()) == [(0, 1), (1, 0)]
    assert pure_nash_equilibria(treutlein_example_60()) == [(1, 1)]
    assert pure_nash_equilibria(stag_hunt()) == [(0, 0), (1, 1)]


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 3, 4), (3, 2, 3, 2), (4, 2, 2, 2, 2)]))
def test_pure_nash_matches_brute_force(seed, shape):
    rng = np.random.default_rng(seed)
    U = rng.integers(0, 3, size=shape).astype(float)  # many ties
    n = shape[0]
    ref = []
    for a in itertools.product(*[range(m) for m in shape[1:]]):
        ok = True
        for i in range(n):
            for d in range(shape[1 + i]):
                b = list(a)
                b[i] = d
                if U[(i,) + tuple(b)] > U[(i,) + a]:
                    ok = False
        if ok:
            ref.append(a)
    assert pure_nash_equilibria(NormalFormGame(U)) == ref


# ---------------------------------------------------------------------------
# Nash equilibria, two players
# ---------------------------------------------------------------------------
def test_nash_prisoners_dilemma_only_DD():
    eqs = nash_equilibria(prisoners_dilemma())
    assert len(eqs) == 1
    np.testing.assert_allclose(eqs[0].strategies[0], [0, 1])
    np.testing.assert_allclose(eqs[0].strategies[1], [0, 1])
    np.testing.assert_allclose(eqs[0].payoffs, [1, 1])
    assert eqs[0].support == ((1,), (1,)) and eqs[0].is_pure
    assert eqs[0].method == "vertex-enumeration"


def test_nash_matching_pennies_unique_mixed():
    eqs = nash_equilibria(matching_pennies())
    assert len(eqs) == 1
    for s in eqs[0].strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(eqs[0].payoffs, [0, 0], atol=1e-12)


def test_nash_battle_of_the_sexes_three():
    # a = 2, b = 1.  Row plays B with prob p making column indifferent:
    # column B pays p * 1, column F pays (1 - p) * 2 -> p = 2/3.  Column plays B with
    # prob q making row indifferent: 2q = 1 - q -> q = 1/3.
    eqs = nash_equilibria(battle_of_the_sexes(a=2, b=1))
    assert len(eqs) == 3
    assert [e.support for e in eqs] == [((0,), (0,)), ((1,), (1,)), ((0, 1), (0, 1))]
    np.testing.assert_allclose(eqs[2].strategies[0], [2 / 3, 1 / 3], atol=1e-12)
    np.testing.assert_allclose(eqs[2].strategies[1], [1 / 3, 2 / 3], atol=1e-12)
    np.testing.assert_allclose(eqs[2].payoffs, [2 / 3, 2 / 3], atol=1e-12)


def test_nash_chicken_three():
    # (Dare, Chicken); the opponent dares with prob q: Dare pays 7(1 - q), Chicken
    # pays 2q + 6(1 - q); equal at q = 1/3, payoff 14/3.
    eqs = nash_equilibria(chicken(7, 6, 2, 0))
    assert len(eqs) == 3
    assert eq_set(eqs) == sorted([(1, 0, 0, 1), (0, 1, 1, 0), tuple(np.round([1 / 3, 2 / 3, 1 / 3, 2 / 3], 6))])
    mixed = eqs[2]
    np.testing.assert_allclose(mixed.strategies[0], [1 / 3, 2 / 3], atol=1e-12)
    np.testing.assert_allclose(mixed.payoffs, [14 / 3, 14 / 3], atol=1e-12)


@pytest.mark.parametrize("game", [shapley_game(), rock_paper_scissors()], ids=["shapley", "rps"])
def test_nash_unique_uniform(game):
    eqs = nash_equilibria(game)
    assert len(eqs) == 1
    for s in eqs[0].strategies:
        np.testing.assert_allclose(s, [1 / 3] * 3, atol=1e-12)


def test_nash_treutlein_example_60():
    # b2 strictly dominates b1 (5 > 4, 3 > 2, -3 > -4); against b2 the column
    # player's payoffs are (2, 3, 2), so a2: the unique equilibrium (b2, a2) = (3, 3).
    eqs = nash_equilibria(treutlein_example_60())
    assert len(eqs) == 1
    assert eqs[0].support == ((1,), (1,))
    np.testing.assert_allclose(eqs[0].payoffs, [3, 3])


def test_nash_degenerate_continuum_2x2():
    # Row's action 0 strictly dominates; against it the column player is indifferent,
    # so ((1, 0), y) is an equilibrium for every y: a continuum whose extreme points
    # are the two pure profiles (0, 0) and (0, 1).
    g = bimatrix([[1, 1], [0, 0]], [[1, 1], [0, 0]])
    eqs = nash_equilibria(g)
    assert eq_set(eqs) == sorted([(1, 0, 1, 0), (1, 0, 0, 1)])
    for t in np.linspace(0, 1, 11):  # every mixture of the two extremes is an equilibrium
        y = t * eqs[0].strategies[1] + (1 - t) * eqs[1].strategies[1]
        assert is_nash(g, [eqs[0].strategies[0], y])


def test_nash_von_stengel_3x2_nondegenerate():
    # von Stengel (2002), the 3x2 example: A = [[3,3],[2,5],[0,6]], B = [[3,2],[2,6],[3,1]].
    # This B makes the game NON-degenerate, with three equilibria (checked by hand):
    #  * (top, left): column gets 3 > 2, row gets 3 >= 2, 0.
    #  * x = (4/5, 1/5, 0), y = (2/3, 1/3): column 3*.8+2*.2 = 2*.8+6*.2 = 2.8;
    #    rows: 3, 4/3+5/3 = 3, 2 -> rows 0, 1 best.
    #  * x = (0, 1/3, 2/3), y = (1/3, 2/3): column 2/3+2 = 2+2/3; rows: 3, 4, 4.
    g = bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    eqs = nash_equilibria(g)
    expected = [((1, 0, 0), (1, 0)), ((0.8, 0.2, 0), (2 / 3, 1 / 3)), ((0, 1 / 3, 2 / 3), (1 / 3, 2 / 3))]
    assert eq_set(eqs) == sorted(profile_key(e) for e in expected)
    np.testing.assert_allclose(eqs[1].payoffs, [3, 2.8])
    assert eq_set(nash_equilibria(g, method="support")) == eq_set(eqs)


def test_nash_von_stengel_3x2_degenerate():
    # The degenerate variant from the same survey: B[0] = (3, 3).  Against top the
    # column player is indifferent; top is a best reply to y = (y1, 1 - y1) iff
    # 3 >= 2 y1 + 5 (1 - y1) and 3 >= 6 (1 - y1), i.e. y1 >= 2/3.  So the
    # equilibria are the continuum {top} x {y1 in [2/3, 1]} (extreme points y1 = 1
    # and y1 = 2/3) and the isolated ((0, 1/3, 2/3), (1/3, 2/3)).
    g = bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    eqs = nash_equilibria(g)
    expected = [((1, 0, 0), (1, 0)), ((1, 0, 0), (2 / 3, 1 / 3)), ((0, 1 / 3, 2 / 3), (1 / 3, 2 / 3))]
    assert eq_set(eqs) == sorted(profile_key(e) for e in expected)
    for e in eqs:
        assert nash_conv(g, list(e.strategies)) <= 1e-12
    # independent check of the continuum along the segment of "top" profiles
    for y1 in np.linspace(0, 1, 31):
        assert is_nash(g, [[1, 0, 0], [y1, 1 - y1]]) == (y1 >= 2 / 3 - 1e-12)


def test_nash_fully_degenerate_all_profiles_extreme():
    # Constant payoffs: every profile is an equilibrium; the extreme ones are the 3x2 pure profiles.
    g = NormalFormGame(np.zeros((2, 3, 2)))
    eqs = nash_equilibria(g)
    assert len(eqs) == 6 and all(e.is_pure for e in eqs)


def test_nash_output_sorted_and_deterministic():
    g = bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    a = nash_equilibria(g)
    b = nash_equilibria(g)
    assert [profile_key(e.strategies) for e in a] == [profile_key(e.strategies) for e in b]
    sizes = [sum(len(s) for s in e.support) for e in a]
    assert sizes == sorted(sizes)


def test_nash_errors():
    with pytest.raises(ValueError, match="method"):
        nash_equilibria(prisoners_dilemma(), method="lemke")
    with pytest.raises(ValueError, match="method"):
        nash_equilibria(NormalFormGame(np.zeros((3, 2, 2, 2))), method="vertex")
    with pytest.raises(ValueError, match="tol"):
        nash_equilibria(prisoners_dilemma(), tol=0)


@SETTINGS
@given(int_matrix)
def test_nash_random_integer_games(AB):
    # integer payoffs in -3..3: many degenerate games
    g = bimatrix(*AB)
    eqs = nash_equilibria(g)
    assert len(eqs) >= 1
    for e in eqs:
        assert nash_conv(g, list(e.strategies)) <= 1e-7
        np.testing.assert_allclose(e.payoffs, [s @ M @ t for s, t, M in
                                               [(e.strategies[0], e.strategies[1], g.payoffs[0]),
                                                (e.strategies[0], e.strategies[1], g.payoffs[1])]], atol=1e-12)
    found = set(eq_set(eqs))
    for prof in pure_nash_equilibria(g):
        key = profile_key([np.eye(m)[a] for m, a in zip(g.n_actions, prof)])
        assert key in found
    # support enumeration may miss equilibria of degenerate games, but whatever it
    # finds is an equilibrium; if the game is non-degenerate the two methods agree
    for e in nash_equilibria(g, method="support"):
        assert nash_conv(g, list(e.strategies)) <= 1e-7


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(2, 4))
def test_nash_generic_games_odd_and_methods_agree(seed, m, n):
    g = random_game(seed, (2, m, n))
    eqs = nash_equilibria(g)
    assert len(eqs) % 2 == 1
    # non-degenerate: supports have equal size, and support enumeration agrees
    assert all(len(e.support[0]) == len(e.support[1]) for e in eqs)
    assert eq_set(eqs) == eq_set(nash_equilibria(g, method="support"))
    for e in eqs:
        assert nash_conv(g, list(e.strategies)) <= 1e-9


# ---------------------------------------------------------------------------
# Nash equilibria, more than two players
# ---------------------------------------------------------------------------
def cyclic_three_player_game():
    # P1 wants to match P2 (2 at (0,0), 1 at (1,1)), P2 wants to match P3 (same
    # numbers), P3 wants to mismatch P1 (1 at (a3, a1) = (0, 1), 3 at (1, 0)).
    # No pure equilibrium and no partially mixed one (a pure player forces a
    # strict best-reply cycle), so the unique equilibrium is fully mixed:
    # P1 indifferent: 2 q2 = 1 - q2 -> q2 = 1/3; P2: q3 = 1/3;
    # P3 indifferent: (1 - q1) = 3 q1 -> q1 = 1/4 (q = probability of action 0).
    M = np.array([[2, 0], [0, 1.0]])
    M3 = np.array([[0, 1], [3, 0.0]])
    U = np.zeros((3, 2, 2, 2))
    for a1, a2, a3 in itertools.product(range(2), repeat=3):
        U[:, a1, a2, a3] = [M[a1, a2], M[a2, a3], M3[a3, a1]]
    return NormalFormGame(U)


def test_nash_three_players_unique_mixed():
    g = cyclic_three_player_game()
    eqs = nash_equilibria(g)
    assert len(eqs) == 1
    e = eqs[0]
    assert e.method == "support-least-squares"
    np.testing.assert_allclose(e.strategies[0], [1 / 4, 3 / 4], atol=1e-9)
    np.testing.assert_allclose(e.strategies[1], [1 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(e.strategies[2], [1 / 3, 2 / 3], atol=1e-9)


def test_nash_three_players_pure_and_mixed():
    # Three-player coordination: everyone gets 1 if all choose the same action.
    # Pure equilibria (0,0,0), (1,1,1); also the symmetric mixed one (1/2 each),
    # where each player is indifferent: P(others both 0) = P(others both 1) = 1/4.
    U = np.zeros((3, 2, 2, 2))
    U[:, 0, 0, 0] = U[:, 1, 1, 1] = 1.0
    g = NormalFormGame(U)
    eqs = nash_equilibria(g)
    keys = eq_set(eqs)
    assert profile_key([[1, 0]] * 3) in keys and profile_key([[0, 1]] * 3) in keys
    assert profile_key([[0.5, 0.5]] * 3) in keys
    assert [e.method for e in eqs[:2]] == ["pure", "pure"]
    for e in eqs:
        assert nash_conv(g, list(e.strategies)) <= 1e-8
    assert all(e.is_pure for e in nash_equilibria(g, method="pure"))


def test_nash_three_players_dominant_strategies():
    # Each player's action 1 strictly dominates: the unique equilibrium is pure.
    rng = np.random.default_rng(7)
    U = rng.normal(size=(3, 2, 2, 2))
    U[0, 1] += 10
    U[1, :, 1] += 10
    U[2, :, :, 1] += 10
    eqs = nash_equilibria(NormalFormGame(U))
    assert len(eqs) == 1 and eqs[0].support == ((1,), (1,), (1,)) and eqs[0].method == "pure"


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_nash_three_players_random(seed):
    g = random_game(seed, (3, 2, 2, 2))
    eqs = nash_equilibria(g)
    assert eqs  # a generic game has at least one equilibrium, and the search finds one
    for e in eqs:
        assert nash_conv(g, list(e.strategies)) <= 1e-7
    found = set(eq_set(eqs))
    for prof in pure_nash_equilibria(g):
        assert profile_key([np.eye(2)[a] for a in prof]) in found


# ---------------------------------------------------------------------------
# correlated equilibria
# ---------------------------------------------------------------------------
def test_ce_chicken_welfare_by_hand_and_grid():
    # Outcomes (Dare, Chicken) x (Dare, Chicken): welfare 0, 9, 9, 12.  Constraints:
    # 2 p_DD <= p_DC, 2 p_DD <= p_CD, p_CC <= 2 p_CD, p_CC <= 2 p_DC.  With p_DD = 0 and
    # p_DC = p_CD = q: p_CC = 1 - 2q <= 2q, welfare 12 - 6q, best at q = 1/4: 10.5.
    g = chicken(7, 6, 2, 0)
    ce = correlated_equilibrium(g)
    np.testing.assert_allclose(ce.distribution, [[0, 0.25], [0.25, 0.5]], atol=1e-9)
    np.testing.assert_allclose(ce.payoffs, [5.25, 5.25], atol=1e-9)
    assert ce.objective == "welfare" and ce.status == "optimal"
    # brute force over the simplex grid with step 1/40 (it contains the optimum)
    k = 40
    pts = np.array([(a, b, c, k - a - b - c) for a in range(k + 1) for b in range(k + 1 - a)
                    for c in range(k + 1 - a - b)], dtype=float) / k
    P = pts.reshape(-1, 2, 2)
    feasible = ce_violation(g, P) <= 1e-12
    welfare = (P * g.payoffs.sum(axis=0)).sum(axis=(1, 2))
    assert welfare[feasible].max() == pytest.approx(10.5)
    assert ce.payoffs.sum() == pytest.approx(reference_ce_welfare(g.payoffs))


def test_ce_objectives_chicken():
    g = chicken()
    # maxmin: averaging a CE with its mirror image is a CE with equal payoffs, so the
    # best guaranteed payoff is half the maximal welfare, 5.25.
    ce = correlated_equilibrium(g, "maxmin")
    assert ce.payoffs.min() == pytest.approx(5.25, abs=1e-9)
    assert ce.objective == "maxmin"
    assert correlated_equilibrium(g, "egalitarian").payoffs.min() == pytest.approx(5.25, abs=1e-9)
    # weights (1, 0): the row player's best CE is the pure equilibrium (Dare, Chicken)
    ce = correlated_equilibrium(g, [1, 0])
    assert ce.payoffs[0] == pytest.approx(7.0) and ce.objective == "weights"
    # a linear objective on the joint tensor: most probability on (Chicken, Chicken)
    # is 1/2 (p_CC <= 2 p_DC, 2 p_CD with the rest on the off-diagonal)
    ce = correlated_equilibrium(g, np.array([[0, 0], [0, 1.0]]))
    assert ce.distribution[1, 1] == pytest.approx(0.5, abs=1e-9) and ce.objective == "linear"


def test_ce_battle_of_the_sexes_maxmin():
    # Welfare is at most 3 = a + b, reached by mixing (B,B) and (F,F); equal split 1.5.
    ce = correlated_equilibrium(battle_of_the_sexes(a=2, b=1), "maxmin")
    np.testing.assert_allclose(ce.payoffs, [1.5, 1.5], atol=1e-9)


def test_ce_treutlein_example_60_unique():
    # b2 strictly dominates b1, and then a2 is the column player's strict best reply:
    # the CE polytope is the single point (b2, a2).
    g = treutlein_example_60()
    for obj in ["welfare", "maxmin", [0, 1], [1, 0]]:
        ce = correlated_equilibrium(g, obj)
        assert ce.distribution[1, 1] == pytest.approx(1.0, abs=1e-9)
        np.testing.assert_allclose(ce.payoffs, [3, 3], atol=1e-9)


def test_ce_ignores_strictly_dominated_torture_action():
    # Adding a strictly dominated row that hurts the column player leaves the CE polytope unchanged.
    A = np.array([[2, 0], [0, 1], [-1, -1.0]])
    B = np.array([[1, 0], [0, 2], [-10, -10.0]])
    ce = correlated_equilibrium(bimatrix(A, B))
    assert ce.distribution[2].sum() == pytest.approx(0.0, abs=1e-12)
    assert ce.payoffs.sum() == pytest.approx(3.0)


def test_ce_objective_errors():
    with pytest.raises(ValueError, match="objective"):
        correlated_equilibrium(chicken(), "fairness")
    with pytest.raises(ValueError, match="objective"):
        correlated_equilibrium(chicken(), [1, 2, 3])
    with pytest.raises(ValueError, match="objective"):
        correlated_equilibrium(chicken(), [np.nan, 1])


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_nash_equilibria_are_correlated_equilibria(name):
    g = CATALOGUE[name]()
    for e in nash_equilibria(g):
        joint = np.multiply.outer(e.strategies[0], e.strategies[1])
        assert ce_violation(g, joint) <= 1e-8
        assert coarse_ce_violation(g, joint) <= 1e-8
    for obj in ["welfare", "maxmin"]:
        assert ce_violation(g, correlated_equilibrium(g, obj).distribution) <= 1e-8


@SETTINGS
@given(int_matrix)
def test_ce_random_games_dominate_nash_welfare(AB):
    g = bimatrix(*AB)
    ce = correlated_equilibrium(g)
    assert ce_violation(g, ce.distribution) <= 1e-8
    assert coarse_ce_violation(g, ce.distribution) <= 1e-8
    assert ce.payoffs.sum() == pytest.approx(reference_ce_welfare(g.payoffs), abs=1e-7)
    for e in nash_equilibria(g):
        assert ce.payoffs.sum() >= e.payoffs.sum() - 1e-7
    mm = correlated_equilibrium(g, "maxmin")
    assert ce_violation(g, mm.distribution) <= 1e-8
    # every CE gives each player at least the maximin value (minimax theorem)
    for i, M in enumerate([g.payoffs[0], g.payoffs[1].T]):
        assert mm.payoffs[i] >= zero_sum_value(M).value - 1e-7


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_ce_three_players(seed):
    g = random_game(seed, (3, 2, 3, 2))
    ce = correlated_equilibrium(g)
    assert ce.distribution.shape == (2, 3, 2)
    assert ce_violation(g, ce.distribution) <= 1e-8
    assert ce.payoffs.sum() == pytest.approx(reference_ce_welfare(g.payoffs), abs=1e-7)


# ---------------------------------------------------------------------------
# ce_violation / coarse_ce_violation
# ---------------------------------------------------------------------------
def test_ce_violation_prisoners_dilemma_by_hand():
    pd = prisoners_dilemma(R=3, S=0, T=5, P=1)
    assert ce_violation(pd, [[1, 0], [0, 0]]) == pytest.approx(2.0)  # T - R
    assert ce_violation(pd, [[0, 0], [0, 1]]) == 0.0
    # uniform: told C (prob 1/2), switching to D gains (5-3)/4 + (1-0)/4 = 3/4;
    # coarse: E[u1] = 9/4, always-D earns 3 against the column marginal (1/2, 1/2).
    assert ce_violation(pd, np.full((2, 2), 0.25)) == pytest.approx(0.75)
    assert coarse_ce_violation(pd, np.full((2, 2), 0.25)) == pytest.approx(0.75)
    out = ce_violation(pd, np.array([[[1, 0], [0, 0]], [[0, 0], [0, 1.0]]]))
    np.testing.assert_allclose(out, [2.0, 0.0])


def test_ce_violation_bad_joint():
    pd = prisoners_dilemma()
    with pytest.raises(ValueError, match="joint"):
        ce_violation(pd, [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="joint"):
        ce_violation(pd, [0.5, 0.5])
    with pytest.raises(ValueError, match="joint"):
        coarse_ce_violation(pd, [[1.5, -0.5], [0, 0]])


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2, 3), (2, 3, 3), (3, 2, 2, 2), (3, 2, 3, 2)]))
def test_ce_violation_matches_slow_reference(seed, shape):
    rng = np.random.default_rng(seed)
    U = rng.integers(-4, 5, size=shape).astype(float)
    g = NormalFormGame(U)
    P = rng.exponential(size=(4,) + shape[1:]) * (rng.random((4,) + shape[1:]) < 0.7)
    P[:, (0,) * (len(shape) - 1)] += 0.1
    P /= P.reshape(4, -1).sum(axis=1).reshape((4,) + (1,) * (len(shape) - 1))
    swap = ce_violation(g, P)
    coarse = coarse_ce_violation(g, P)
    for b in range(4):
        assert swap[b] == pytest.approx(slow_ce_violation(U, P[b]), abs=1e-9)
        assert coarse[b] == pytest.approx(slow_coarse_violation(U, P[b]), abs=1e-9)
        assert ce_violation(g, P[b]) == pytest.approx(swap[b], abs=1e-12)
        # external regret is a sum of per-recommendation swap gains
        assert coarse[b] <= max(g.n_actions) * swap[b] + 1e-9
