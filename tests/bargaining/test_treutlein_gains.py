"""Treutlein's examples 55 and 56: the general NBS over Minkowski sums reproduces the closed forms.

Two types with equal priors believe the other type has probability 1 - p.  Each
type's individual feasible set is a quarter ellipse (example 55, square-root
utilities) or an exponential set (example 56, logarithmic utilities); the
disagreement point is the Bayesian Nash equilibrium, where each type serves only
itself.  The closed forms are what the computation must reproduce across p -- the
code computes them, it does not return them.
"""

from __future__ import annotations

import numpy as np
import pytest

from gamesim.bargaining.feasible import exponential_set, minkowski_sum, quarter_ellipse
from gamesim.bargaining.solutions import nash_solution

PS = [0.5, 0.6, 0.75, 0.9, 0.97]


@pytest.mark.parametrize("p", PS)
def test_example_55_double_decrease(p):
    F1 = quarter_ellipse(p, 1 - p)          # type 1: utility p for itself, 1 - p for the other
    F2 = quarter_ellipse(1 - p, p)
    d = np.array([p, p])                    # each type alone: (p, 0) + (0, p)
    sol = nash_solution(minkowski_sum(F1, F2), d)
    s = np.sqrt(1 - 2 * (1 - p) * p)
    np.testing.assert_allclose(sol.point, [s, s], atol=1e-7)
    own, other = sol.components[0][0], sol.components[1][0]     # type 1's utility from each type
    assert own == pytest.approx(p ** 2 / s, abs=1e-7)
    share = other / sol.point[0]
    assert share == pytest.approx((1 - p) ** 2 / (1 - 2 * (1 - p) * p), abs=1e-7)
    gains = sol.point[0] / d[0] - 1
    assert gains == pytest.approx(np.sqrt(1 - 2 * (1 - p) * p) / p - 1, abs=1e-7)


@pytest.mark.parametrize("r", [100.0, 1e9])
@pytest.mark.parametrize("p", [0.5, 0.6, 0.75, 0.9])
def test_example_56_paretotopia(p, r):
    F1 = exponential_set([p, 1 - p], r)     # exp(x1 / p) + exp(x2 / (1 - p)) <= r
    F2 = exponential_set([1 - p, p], r)
    alone = p * np.log(r - 1)               # the BNE: all resources on the own value, x_other = 0
    d = np.array([alone, alone])
    sol = nash_solution(minkowski_sum(F1, F2), d)
    total = p * np.log(p * r) + (1 - p) * np.log(max((1 - p) * r, 1.0))
    np.testing.assert_allclose(sol.point, [total, total], rtol=1e-7)
    share = sol.components[1][0] / sol.point[0]
    expected_share = (1 - p) * np.log(max((1 - p) * r, 1.0)) / total
    assert share == pytest.approx(expected_share, abs=1e-7)
    # Treutlein measures gains against p log r (his approximation of the BNE payoff)
    gains = sol.point[0] / (p * np.log(r)) - 1
    assert gains == pytest.approx(total / (p * np.log(r)) - 1, abs=1e-7)
