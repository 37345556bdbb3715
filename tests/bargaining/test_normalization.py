"""Tests for gamesim.bargaining.normalization (Treutlein 2023, section 3.3, Example 7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamesim.bargaining.normalization import variance_normalization
from gamesim.sim.separable import SeparableGame
from gamesim.sim.catalogue import prisoners_dilemma, treutlein_example_7
from gamesim.sim.games import NormalFormGame

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_example_7_tables_1_to_3():
    g = treutlein_example_7()
    # Table 2 (outcomes), from Table 1's separable contributions.
    table1 = SeparableGame([[[0, -3], [-1, 0]], [[0, 3], [-3, 2]]])
    np.testing.assert_array_equal(table1.to_normal_form().payoffs, g.payoffs)
    np.testing.assert_array_equal(g.payoffs[0], [[0, -3], [-1, -4]])
    np.testing.assert_array_equal(g.payoffs[1], [[0, -1], [3, 2]])

    r = variance_normalization(g, scale="variance")
    np.testing.assert_allclose(r.means, [-2, 1], atol=1e-12)
    # Treutlein's "variance" is the sum of squared deviations over the 4 outcomes: 10 each.
    np.testing.assert_allclose(r.scales, [10, 10], atol=1e-12)
    np.testing.assert_allclose(r.stds, [np.sqrt(2.5)] * 2, atol=1e-12)
    # Table 3.
    np.testing.assert_allclose(r.normalized_payoffs[0], [[0.2, -0.1], [0.1, -0.2]], atol=1e-12)
    np.testing.assert_allclose(r.normalized_payoffs[1], [[-0.1, -0.2], [0.2, 0.1]], atol=1e-12)
    # Selects (b1, a2), leaving player 1 with -1 < 0 = its payoff at the dominant outcome.
    assert r.profile == (1, 0)
    assert g.actions[0][r.profile[0]] == "b1" and g.actions[1][r.profile[1]] == "a2"
    np.testing.assert_array_equal(r.payoffs, [-1, 3])
    np.testing.assert_array_equal(r.reference, [0, 0])
    np.testing.assert_array_equal(r.gains, [-1, 3])
    assert r.individually_rational is False
    assert r.scale == "variance"
    np.testing.assert_allclose(r.distribution, np.full((2, 2), 0.25))


def test_example_7_std_scale_and_separable_input_agree():
    # Equal variances: dividing by the standard deviation picks the same outcome.
    g = treutlein_example_7()
    r = variance_normalization(g)
    assert r.scale == "std" and r.profile == (1, 0) and r.individually_rational is False
    np.testing.assert_allclose(r.scales, r.stds)
    s = SeparableGame.from_normal_form(g)
    assert variance_normalization(s).profile == (1, 0)


def test_reference_argument_and_missing_reference():
    g = treutlein_example_7()
    r = variance_normalization(g, reference=[-2, 0])
    np.testing.assert_array_equal(r.gains, [1, 3])
    assert r.individually_rational is True
    # Battle of the sexes-like game with two pure equilibria: no default reference.
    bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    r = variance_normalization(bos)
    assert r.reference is None and r.gains is None and r.individually_rational is None


def test_distribution_changes_the_moments():
    g = treutlein_example_7()
    p = np.array([[0.5, 0.0], [0.25, 0.25]])
    r = variance_normalization(g, distribution=p)
    mean1 = 0.5 * 0 + 0.25 * -1 + 0.25 * -4
    np.testing.assert_allclose(r.means[0], mean1)
    var1 = 0.5 * mean1**2 + 0.25 * (-1 - mean1) ** 2 + 0.25 * (-4 - mean1) ** 2
    np.testing.assert_allclose(r.stds[0], np.sqrt(var1))


def test_ties_go_to_the_first_profile_in_c_order():
    # Matching-pennies-like symmetric payoffs: every outcome has the same normalised sum.
    g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert variance_normalization(g).profile == (0, 0)


def test_errors_name_their_field():
    g = treutlein_example_7()
    const = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="^game.*P1"):
        variance_normalization(const)
    with pytest.raises(ValueError, match="^game"):
        variance_normalization(g, distribution=[[1, 0], [0, 0]])  # a point mass
    with pytest.raises(ValueError, match="^game"):
        variance_normalization(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="^distribution"):
        variance_normalization(g, distribution=[0.25] * 4)
    with pytest.raises(ValueError, match="^distribution"):
        variance_normalization(g, distribution=[[0.5, 0.5], [0.5, -0.5]])
    with pytest.raises(ValueError, match="^distribution"):
        variance_normalization(g, distribution=[[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="^scale"):
        variance_normalization(g, scale="range")
    with pytest.raises(ValueError, match="^reference"):
        variance_normalization(g, reference=[0, 0, 0])


def test_result_arrays_are_read_only():
    r = variance_normalization(prisoners_dilemma())
    for arr in (r.normalized_payoffs, r.means, r.scales, r.payoffs, r.distribution):
        with pytest.raises(ValueError):
            arr.flat[0] = 1.0


def reference_choice(U, p):
    """Plain loop over outcomes: argmax of sum_i (u_i - mean_i) / std_i, first in C order."""
    n = U.shape[0]
    outcomes = list(np.ndindex(U.shape[1:]))
    means = [sum(p[a] * U[(i,) + a] for a in outcomes) for i in range(n)]
    stds = [np.sqrt(sum(p[a] * (U[(i,) + a] - means[i]) ** 2 for a in outcomes)) for i in range(n)]
    scores = [sum((U[(i,) + a] - means[i]) / stds[i] for i in range(n)) for a in outcomes]
    best = max(scores)
    return next(a for a, s in zip(outcomes, scores) if s >= best - 1e-9 * max(1.0, abs(best)))


@st.composite
def games_and_maps(draw):
    n = draw(st.integers(2, 3))
    shape = tuple(draw(st.lists(st.integers(2, 3), min_size=n, max_size=n)))
    size = int(np.prod(shape))
    payoffs = []
    for _ in range(n):
        vals = draw(st.lists(st.integers(-5, 5), min_size=size, max_size=size).filter(lambda v: len(set(v)) > 1))
        payoffs.append(np.array(vals, dtype=float).reshape(shape))
    a = draw(st.lists(st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0]), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n))
    return NormalFormGame(np.stack(payoffs)), np.array(a), np.array(b, dtype=float)


@SETTINGS
@given(games_and_maps())
def test_selection_invariant_to_positive_affine_maps(data):
    g, a, b = data
    n = g.n_players
    r = variance_normalization(g)
    h = g.with_payoffs(g.payoffs * a.reshape((n,) + (1,) * n) + b.reshape((n,) + (1,) * n))
    r2 = variance_normalization(h)
    assert r2.profile == r.profile
    np.testing.assert_allclose(r2.normalized_payoffs, r.normalized_payoffs, atol=1e-9)
    uniform = np.full(g.n_actions, 1.0 / g.n_outcomes)
    assert r.profile == reference_choice(g.payoffs, uniform)
