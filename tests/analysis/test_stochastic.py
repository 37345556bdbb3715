"""Stochastic-game solvers against values computed independently.

ALGORITHMS.md section 7's worked example (Shapley iteration and CoCo-VI), closed-form
2x2 values with a root finder, MDPs solved as linear programs, one-state games as
repeated stage games, and truncated series for policy evaluation.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import brentq, linprog

from gamesim.analysis.stochastic import (best_response_values, coco_value_iteration, nash_conv,
                                         policy_evaluation, shapley_value_iteration)
from gamesim.errors import ConvergenceWarning
from gamesim.sim.catalogue import matching_pennies, prisoners_dilemma, rock_paper_scissors
from gamesim.sim.stochastic import StochasticGame, contested_game


def contested(gamma=0.9, extra=0.0):
    """ALGORITHMS section 7: state 0 contested, W pays player 1 +1 forever, L pays -1."""
    return contested_game(gamma, bonus=extra)


def value_2x2(A):
    """Closed-form value of a 2x2 zero-sum game (saddle point, else the mixed formula)."""
    lo = max(min(A[0]), min(A[1]))
    hi = min(max(A[:, 0]), max(A[:, 1]))
    if abs(hi - lo) < 1e-14:
        return lo
    a, b, c, d = A[0, 0], A[0, 1], A[1, 0], A[1, 1]
    return (a * d - b * c) / (a + d - b - c)


def test_shapley_worked_example():
    g = contested()
    sol = shapley_value_iteration(g)
    assert sol.converged
    np.testing.assert_allclose(sol.values[0], [6.459904809, 10.0, -10.0], atol=1e-8)
    np.testing.assert_allclose(sol.values[1], -sol.values[0])
    x, y = sol.strategies[0]
    np.testing.assert_allclose(x, [0.8699, 0.1301], atol=1e-4)
    np.testing.assert_allclose(y, [0.0376, 0.9624], atol=1e-4)
    # Independent: V0 = val(R0 + 0.9 P0 [V0, 10, -10]) by a root finder on the closed-form value.
    R0 = g.rewards(0)[0]
    P0 = g.transitions(0)

    def residual(v):
        return value_2x2(R0 + 0.9 * P0 @ np.array([v, 10.0, -10.0])) - v

    v0 = brentq(residual, -10, 10, xtol=1e-14)
    assert sol.values[0, 0] == pytest.approx(v0, abs=1e-9)
    assert v0 == pytest.approx(6.45990480920, abs=1e-10)


def test_shapley_strategies_are_a_stationary_equilibrium():
    g = contested()
    sol = shapley_value_iteration(g)
    res = nash_conv(g, [list(s) for s in sol.strategies])
    assert res.nash_conv < 1e-7
    np.testing.assert_allclose(res.values, sol.values, atol=1e-8)
    # A profile that is not optimal is exploitable.
    uniform = [[np.full(2, 0.5), np.full(2, 0.5)], [[1.0], [1.0]], [[1.0], [1.0]]]
    assert nash_conv(g, uniform).nash_conv > 0.1


@pytest.mark.parametrize("game", [matching_pennies(), rock_paper_scissors()], ids=["pennies", "rps"])
@pytest.mark.parametrize("gamma", [0.3, 0.9])
def test_one_state_game_is_the_repeated_stage_game(game, gamma):
    from gamesim.analysis import zero_sum_value

    g = StochasticGame.repeated(game, discount=gamma)
    sol = shapley_value_iteration(g)
    assert sol.values[0, 0] == pytest.approx(zero_sum_value(game.payoffs[0]).value / (1 - gamma), abs=1e-9)


def test_one_state_game_with_a_value():
    A = np.array([[3.0, -1.0, 2.0], [0.0, 2.0, -2.0]])
    from gamesim.sim.games import NormalFormGame
    from gamesim.analysis import zero_sum_value

    g = StochasticGame.repeated(NormalFormGame.zero_sum(A), discount=0.75)
    assert shapley_value_iteration(g).values[0, 0] == pytest.approx(zero_sum_value(A).value * 4, abs=1e-9)


def _random_mdp(rng, S, m):
    r = [rng.normal(size=m) for _ in range(S)]
    P = [rng.dirichlet(np.ones(S), size=m) for _ in range(S)]
    return r, P


def _mdp_lp(r, P, gamma):
    """MDP optimal values by the primal LP: min sum V s.t. V(q) >= r(q,a) + gamma P(q,a) V."""
    S = len(r)
    A_ub, b_ub = [], []
    for q in range(S):
        for a in range(len(r[q])):
            row = gamma * P[q][a].copy()
            row[q] -= 1.0
            A_ub.append(row)
            b_ub.append(-r[q][a])
    res = linprog(np.ones(S), A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=[(None, None)] * S, method="highs")
    return res.x


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), S=st.integers(1, 4), m=st.integers(1, 3),
       gamma=st.sampled_from([0.5, 0.9]))
def test_one_player_game_gives_the_mdp_answer(seed, S, m, gamma):
    rng = np.random.default_rng(seed)
    r, P = _random_mdp(rng, S, m)
    want = _mdp_lp(r, P, gamma)
    # As a two-player zero-sum game whose second player has a single action ...
    zs = StochasticGame([np.stack([x[:, None], -x[:, None]]) for x in r], [p[:, None, :] for p in P], gamma)
    np.testing.assert_allclose(shapley_value_iteration(zs).values[0], want, atol=1e-7)
    # ... and as an MDP through the best-response solver.
    mdp = StochasticGame.mdp(r, P, gamma)
    values, policy = best_response_values(mdp, [[np.full(m, 1.0 / m)] for _ in range(S)], 0)
    np.testing.assert_allclose(values, want, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), S=st.integers(1, 3))
def test_policy_evaluation_against_a_truncated_series(seed, S):
    rng = np.random.default_rng(seed)
    gamma = 0.8
    m = (2, 3)
    rewards = [rng.normal(size=(2,) + m) for _ in range(S)]
    transitions = [rng.dirichlet(np.ones(S), size=m) for _ in range(S)]
    g = StochasticGame(rewards, transitions, gamma)
    profile = [[rng.dirichlet(np.ones(k)) for k in m] for _ in range(S)]
    V = policy_evaluation(g, profile)
    # sum_t gamma^t P^t r, by brute force over joint actions.
    r = np.zeros((2, S))
    P = np.zeros((S, S))
    for q in range(S):
        for a in range(m[0]):
            for b in range(m[1]):
                w = profile[q][0][a] * profile[q][1][b]
                r[:, q] += w * rewards[q][:, a, b]
                P[q] += w * transitions[q][a, b]
    total, Pt = np.zeros((2, S)), np.eye(S)
    for t in range(400):
        total += gamma ** t * (Pt @ r.T).T
        Pt = Pt @ P
    np.testing.assert_allclose(V, total, atol=1e-9)


def test_coco_value_iteration_worked_example():
    g = contested(extra=3.0)
    cv = coco_value_iteration(g)
    assert cv.converged
    np.testing.assert_allclose(cv.values[0], [20, 10, -10], atol=1e-8)
    np.testing.assert_allclose(cv.values[1], [10, -10, 10], atol=1e-8)
    np.testing.assert_allclose(cv.team, [15, 0, 0], atol=1e-8)
    np.testing.assert_allclose(cv.competitive, [5, 10, -10], atol=1e-8)


def test_repeated_prisoners_dilemma_values():
    g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    np.testing.assert_allclose(policy_evaluation(g, [[[1, 0], [1, 0]]]), [[30.0], [30.0]])
    # Against an unconditional cooperator the best response defects forever: 5 / (1 - 0.9).
    v, pol = best_response_values(g, [[[1, 0], [1, 0]]], 0)
    assert v[0] == pytest.approx(50.0) and pol == (1,)


def test_non_convergence_is_reported():
    g = contested()
    with pytest.warns(ConvergenceWarning):
        sol = shapley_value_iteration(g, max_iter=3)
    assert not sol.converged and sol.iterations == 3


def test_bad_input_names_the_field():
    g = contested()
    with pytest.raises(ValueError, match="zero-sum"):
        shapley_value_iteration(contested(extra=3.0))
    with pytest.raises(ValueError, match="profile"):
        policy_evaluation(g, [[[1, 0], [1, 0]]])
    with pytest.raises(ValueError, match="player"):
        best_response_values(g, [[[0.5, 0.5], [0.5, 0.5]], [[1], [1]], [[1], [1]]], 2)
    with pytest.raises(ValueError, match="game"):
        shapley_value_iteration(prisoners_dilemma())
    # a tolerance that can never be met, or no sweep at all, is an input error, not a
    # 100,000-sweep run that ends in a ConvergenceWarning
    for bad in (0, -1.0, float("nan"), "1e-9"):
        with pytest.raises(ValueError, match="^tol: "):
            shapley_value_iteration(g, tol=bad)
    with pytest.raises(ValueError, match="^max_iter: expected an integer >= 1"):
        coco_value_iteration(g, max_iter=0)
    avg = StochasticGame.repeated(matching_pennies(), discount=None)
    with pytest.raises(ValueError, match="discount"):
        shapley_value_iteration(avg)
