"""Tests for gamesim.bargaining.zerosum: vertex enumeration against the HiGHS LP."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gamesim.analysis.equilibria import ZeroSumSolution, zero_sum_value
from gamesim.bargaining.zerosum import MAX_BASES, small_zero_sum_value, zero_sum_value_fast
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_against_lp(M: np.ndarray) -> None:
    v, x, y = small_zero_sum_value(M)
    ref = zero_sum_value(M).value
    scale = 1.0 + float(np.max(np.abs(M)))
    assert abs(v - ref) <= 1e-9 * scale
    assert x.shape == (M.shape[0],) and y.shape == (M.shape[1],)
    assert np.all(x >= 0) and np.all(y >= 0)
    assert x.sum() == pytest.approx(1.0, abs=1e-12) and y.sum() == pytest.approx(1.0, abs=1e-12)
    assert float((x @ M).min()) >= v - 1e-9 * scale        # row player guarantees v
    assert float((M @ y).max()) <= v + 1e-9 * scale        # column player holds to v


shapes = st.tuples(st.integers(1, 4), st.integers(1, 10))


@st.composite
def matrices(draw):
    m, k = draw(shapes)
    if draw(st.booleans()):
        m, k = k, m                                        # the small side may be the columns
    kind = draw(st.sampled_from(["int", "small-int", "float", "rank-one"]))
    if kind == "int":
        return draw(arrays(float, (m, k), elements=st.integers(-5, 5).map(float)))
    if kind == "small-int":                                # many ties, degenerate games
        return draw(arrays(float, (m, k), elements=st.integers(-1, 1).map(float)))
    if kind == "float":
        return draw(arrays(float, (m, k), elements=st.floats(-100, 100, allow_nan=False, width=32)))
    r = draw(arrays(float, (m, 1), elements=st.integers(-3, 3).map(float)))
    c = draw(arrays(float, (1, k), elements=st.integers(-3, 3).map(float)))
    return r + c                                            # constant rows/columns: degenerate


@SETTINGS
@given(matrices())
def test_matches_lp_on_random_matrices(M):
    _check_against_lp(M)


@pytest.mark.parametrize("shape", [(2, 4), (3, 9), (4, 10), (9, 3), (4, 4)])
def test_hot_shapes_seeded(shape):
    rng = np.random.default_rng(7)
    for _ in range(20):
        _check_against_lp(rng.integers(-4, 5, size=shape).astype(float))
        _check_against_lp(rng.normal(size=shape))


def test_known_values():
    # Matching pennies, rock-paper-scissors, a saddle point.
    v, x, y = small_zero_sum_value([[1, -1], [-1, 1]])
    assert v == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(x, [0.5, 0.5]); np.testing.assert_allclose(y, [0.5, 0.5])
    v, x, y = small_zero_sum_value([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    assert v == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(x, [1 / 3] * 3); np.testing.assert_allclose(y, [1 / 3] * 3)
    v, x, y = small_zero_sum_value([[3, 5], [1, 4]])
    assert v == 3.0 and x.tolist() == [1.0, 0.0] and y.tolist() == [1.0, 0.0]
    # The worked example's threat game u1 - 2 u2 (ALGORITHMS section 2): value -7 at (b2, a3).
    v, x, y = small_zero_sum_value([[-4, -8, -8], [1, -3, -7]])
    assert v == pytest.approx(-7.0) and x.tolist() == [0.0, 1.0] and y.tolist() == [0.0, 0.0, 1.0]


def test_one_row_or_column():
    assert small_zero_sum_value([[2, -1, 3]])[0] == -1.0
    v, x, y = small_zero_sum_value([[2], [-1], [3]])
    assert v == 3.0 and x.tolist() == [0.0, 0.0, 1.0] and y.tolist() == [1.0]
    v, x, y = small_zero_sum_value([[4.5]])
    assert v == 4.5


def test_large_games_fall_back_to_the_lp():
    rng = np.random.default_rng(3)
    M = rng.normal(size=(6, 7))                            # min side 6 > 4
    sol = zero_sum_value_fast(M)
    assert sol.method.startswith("lp-highs")
    assert sol.value == pytest.approx(zero_sum_value(M).value, abs=1e-9)
    M = rng.normal(size=(4, 30))                           # too many kernels
    assert zero_sum_value_fast(M).method.startswith("lp-highs")
    _check_against_lp(M)


def test_fast_returns_zero_sum_solution():
    sol = zero_sum_value_fast([[3, -1], [-2, 1]])
    assert isinstance(sol, ZeroSumSolution)
    assert sol.value == pytest.approx(1 / 7)
    assert sol.method.startswith("vertex-enumeration")
    assert not sol.row_strategy.flags.writeable
    game = NormalFormGame.zero_sum([[3, -1], [-2, 1]])     # a zero-sum game is accepted too
    assert zero_sum_value_fast(game).value == pytest.approx(1 / 7)


def test_ill_conditioned_input_stays_correct():
    M = np.array([[1e8, -1e-8, 3.0], [-1e8, 1e-8, 2.0], [1.0, 1e-3, -1e8]])
    _check_against_lp(M)


@pytest.mark.parametrize("bad, msg", [
    ([[1, np.nan]], "M: contains NaN"),
    ([1, 2, 3], "M: expected a 2-D matrix"),
    (np.zeros((0, 3)), "M: every player needs"),
    ([["a", "b"]], "M: must be a matrix"),
])
def test_errors_name_the_field(bad, msg):
    with pytest.raises(ValueError, match=msg):
        small_zero_sum_value(bad)
    with pytest.raises(ValueError, match=msg):
        zero_sum_value_fast(bad)


def test_does_not_modify_input_or_global_state():
    M = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    before = M.copy()
    state = np.random.get_state()[1].copy()
    small_zero_sum_value(M)
    np.testing.assert_array_equal(M, before)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert MAX_BASES >= 1000


# ---------------------------------------------------------------------------
# the batched form
# ---------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(0, 40), st.integers(0, 2**32 - 1),
       st.sampled_from(["int", "float", "rank-one"]))
def test_zero_sum_values_against_the_lp_game_by_game(m, k, B, seed, kind):
    from gamesim.bargaining.zerosum import zero_sum_values

    rng = np.random.default_rng(seed)
    if kind == "int":
        G = rng.integers(-3, 4, size=(B, m, k)).astype(float)    # ties and degenerate games
    elif kind == "float":
        G = rng.normal(size=(B, m, k)) * 10.0 ** rng.integers(-3, 4)
    else:
        G = rng.normal(size=(B, m, 1)) * rng.normal(size=(B, 1, k))
    v, X, Y = zero_sum_values(G)
    assert v.shape == (B,) and X.shape == (B, m) and Y.shape == (B, k)
    for b in range(B):
        M = G[b]
        scale = 1.0 + float(np.max(np.abs(M)))
        assert abs(v[b] - zero_sum_value(M).value) <= 1e-9 * scale
        assert np.all(X[b] >= 0) and np.all(Y[b] >= 0)
        assert X[b].sum() == pytest.approx(1.0) and Y[b].sum() == pytest.approx(1.0)
        assert float((X[b] @ M).min()) >= v[b] - 1e-9 * scale
        assert float((M @ Y[b]).max()) <= v[b] + 1e-9 * scale


def test_zero_sum_values_chunks_and_fallbacks(monkeypatch):
    import gamesim.bargaining.zerosum as zs

    rng = np.random.default_rng(7)
    G = rng.integers(-4, 5, size=(50, 3, 4)).astype(float)
    whole = zs.zero_sum_values(G)
    monkeypatch.setattr(zs, "_BATCH_ENTRIES", 200)               # one or two games per chunk
    chunked = zs.zero_sum_values(G)
    for a, b in zip(whole, chunked):
        np.testing.assert_array_equal(a, b)
    # games the enumeration does not certify go to the LP, one by one
    monkeypatch.setattr(zs, "_BATCH_ENTRIES", 2_000_000)         # one chunk again
    real = zs._enumerate_batch

    def half_certified(M):
        ok, v, x, y = real(M)
        return ok & (np.arange(M.shape[0]) % 2 == 0), v, x, y

    calls = []
    monkeypatch.setattr(zs, "_enumerate_batch", half_certified)
    monkeypatch.setattr(zs, "zero_sum_value", lambda M: calls.append(1) or zero_sum_value(M))
    v, _, _ = zs.zero_sum_values(G)
    assert len(calls) == 25
    np.testing.assert_allclose(v, whole[0], atol=1e-9)


def test_zero_sum_values_input_errors():
    from gamesim.bargaining.zerosum import zero_sum_values

    for bad, message in [(np.zeros((2, 2)), "^games: expected shape"), (np.zeros((1, 0, 2)), "^games: expected shape"),
                         ([[[np.nan]]], "^games: contains NaN"), ("abc", "^games: must be")]:
        with pytest.raises(ValueError, match=message):
            zero_sum_values(bad)
    v, x, y = zero_sum_values(np.zeros((0, 3, 3)))
    assert v.shape == (0,) and x.shape == (0, 3) and y.shape == (0, 3)
