"""Learners for stochastic games: minimax-Q against Shapley's values, closed-form matrix values."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gamesim.agents.stochastic import IndependentQ, MinimaxQ, matrix_game_values, play_stochastic
from gamesim.analysis import zero_sum_value
from gamesim.analysis.stochastic import shapley_value_iteration
from gamesim.sim.catalogue import prisoners_dilemma
from gamesim.sim.stochastic import StochasticGame, contested_game as contested


def test_minimax_q_approaches_shapley_values():
    # ALGORITHMS section 7: V(0) = 6.459904809, V(W) = 10.  Stated tolerance: the mean over
    # 40 seeded matches of 5,000 episodic rounds (restart 0.05) is within 0.1 of V(0) and
    # within 0.05 of V(W); the rarely visited losing state L is only checked for its sign.
    g = contested()
    shapley = shapley_value_iteration(g).values[0]
    res = play_stochastic(g, MinimaxQ(), MinimaxQ(), 5000, n_matches=40, seed=1, restart=0.05)
    v = res.values[0].mean(axis=0)
    assert abs(v[0] - shapley[0]) < 0.1
    assert abs(v[1] - shapley[1]) < 0.05
    assert v[2] < -5
    # The column player's values mirror the row player's (zero-sum).
    assert abs(res.values[1].mean(axis=0)[0] + shapley[0]) < 0.1
    # The trace ends at the final values.
    np.testing.assert_allclose(res.value_trace[-1, 0], v)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_closed_form_2x2_values_match_the_lp(seed):
    rng = np.random.default_rng(seed)
    Q = rng.integers(-4, 5, size=(5, 2, 2)).astype(float)
    values, x = matrix_game_values(Q)
    for j in range(5):
        sol = zero_sum_value(Q[j])
        assert values[j] == pytest.approx(sol.value, abs=1e-9)
        # x guarantees the value against both columns.
        assert np.min(x[j] @ Q[j]) >= sol.value - 1e-9


def test_larger_matrix_values_use_the_lp():
    rng = np.random.default_rng(2)
    Q = rng.normal(size=(3, 3, 2))
    values, x = matrix_game_values(Q)
    for j in range(3):
        assert values[j] == pytest.approx(zero_sum_value(Q[j]).value, abs=1e-9)


def test_independent_q_learns_to_defect_in_the_prisoners_dilemma():
    g = StochasticGame.repeated(prisoners_dilemma(), discount=0.5)
    res = play_stochastic(g, IndependentQ(), IndependentQ(), 3000, n_matches=10, seed=4)
    Q = res.learners[0].Q[:, 0, :]                   # (matches, actions) in the one state
    assert np.all(Q[:, 1] > Q[:, 0])                 # D is dominant
    assert res.mean_rewards[-200:].mean() < 1.6      # mostly mutual defection (exploration aside)


def test_play_is_seeded():
    g = contested()
    a = play_stochastic(g, MinimaxQ(), MinimaxQ(), 200, n_matches=5, seed=7, restart=0.1)
    b = play_stochastic(g, MinimaxQ(), MinimaxQ(), 200, n_matches=5, seed=7, restart=0.1)
    np.testing.assert_array_equal(a.mean_rewards, b.mean_rewards)
    np.testing.assert_array_equal(a.values, b.values)


def test_bad_input_names_the_field():
    g = contested()
    with pytest.raises(ValueError, match="epsilon"):
        MinimaxQ(epsilon=1.5)
    with pytest.raises(ValueError, match="alpha_exponent"):
        IndependentQ(alpha_exponent=0.3)
    # not a number: a one-line ValueError, not a TypeError from a comparison
    with pytest.raises(ValueError, match="^epsilon: expected a number, got 'a'$"):
        MinimaxQ(epsilon="a")
    with pytest.raises(ValueError, match="^alpha_exponent: expected a number"):
        IndependentQ(alpha_exponent=None)
    with pytest.raises(ValueError, match="rounds"):
        play_stochastic(g, MinimaxQ(), MinimaxQ(), 0)
    with pytest.raises(ValueError, match="restart"):
        play_stochastic(g, MinimaxQ(), MinimaxQ(), 5, restart=1.0)
    with pytest.raises(ValueError, match="zero-sum"):
        play_stochastic(StochasticGame.repeated(prisoners_dilemma()), MinimaxQ(), MinimaxQ(), 5)


def test_state_fictitious_play_brackets_the_shapley_value():
    # Vrieze & Tijs (1982): in a zero-sum discounted game the row player's best-response
    # value and the column player's bracket the value and close in.  Stated tolerance:
    # after 10,000 episodic rounds (20 matches) the bracket contains V(0) = 6.4599, is
    # narrower than 0.5, and narrower than after 2,000 rounds.
    from gamesim.agents.stochastic import StateFictitiousPlay

    g = contested()
    v = shapley_value_iteration(g).values[0, 0]
    gaps = []
    for rounds in (2000, 10000):
        res = play_stochastic(g, StateFictitiousPlay(), StateFictitiousPlay(), rounds, n_matches=20, seed=1,
                              restart=0.05)
        upper, lower = res.values[0].mean(axis=0)[0], -res.values[1].mean(axis=0)[0]
        gaps.append(upper - lower)
    assert lower - 1e-9 <= v <= upper + 1e-9
    assert gaps[1] < 0.5 and gaps[1] < gaps[0]
    np.testing.assert_allclose(res.values[0].mean(axis=0)[1], 10.0, atol=1e-9)


def test_coco_q_learns_the_coco_values():
    # Sodomka et al. 2013: CoCo-Q converges to CoCo value iteration's answer.  ALGORITHMS 7's
    # general-sum example: V1 = (20, 10, -10), V2 = (10, -10, 10).  Stated tolerance 0.3
    # after 8,000 episodic rounds (20 matches, exploration 0.3).
    from gamesim.agents.stochastic import CoCoQ
    from gamesim.analysis.stochastic import coco_value_iteration

    g = contested(bonus=3.0)
    want = coco_value_iteration(g).values
    res = play_stochastic(g, CoCoQ(epsilon=0.3), CoCoQ(epsilon=0.3), 8000, n_matches=20, seed=1, restart=0.1)
    np.testing.assert_allclose(res.values[0].mean(axis=0), want[0], atol=0.3)
    np.testing.assert_allclose(res.values[1].mean(axis=0), want[1], atol=0.3)


def test_state_regret_matching_is_myopic():
    # Per-state regret matching on stage rewards learns the stage game's dominant action:
    # defect in the repeated prisoner's dilemma, harvest in the commons (and exhaust it).
    from gamesim.agents.stochastic import StateRegretMatching
    from gamesim.sim.stochastic import commons_game

    g = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
    res = play_stochastic(g, StateRegretMatching(), StateRegretMatching(), 500, n_matches=10, seed=3)
    assert res.mean_rewards[-100:].mean() < 1.1
    res = play_stochastic(commons_game(), StateRegretMatching(), StateRegretMatching(), 300, n_matches=10, seed=1)
    assert (res.state_share[-50:] @ np.arange(11)).mean() < 0.5


def asymmetric_contested(bonus=0.0):
    """The contested game with a non-symmetric stage matrix, so seat orientation matters."""
    g = contested(bonus=bonus)
    R0 = np.array([[3.0, -1.0], [-2.0, 1.0]])
    R0_2 = -R0.copy()
    R0_2[0, 1] += bonus
    rewards = [np.stack([R0, R0_2])] + [g.rewards(q) for q in (1, 2)]
    return StochasticGame(rewards, [g.transitions(q) for q in range(3)], 0.9)


def test_learners_keep_each_seat_oriented():
    # Review regression: contested_game's stage matrix is symmetric, so a missing transpose for
    # the column seat went unnoticed.  Here it is not: minimax-Q (both seats) must still
    # reach Shapley's value, fictitious play must bracket it, CoCo-Q must reach CoCo-VI.
    from gamesim.agents.stochastic import CoCoQ, StateFictitiousPlay
    from gamesim.analysis.stochastic import coco_value_iteration

    g = asymmetric_contested()
    v = shapley_value_iteration(g).values[0]
    res = play_stochastic(g, MinimaxQ(), MinimaxQ(), 5000, n_matches=30, seed=2, restart=0.05)
    assert abs(res.values[0].mean(axis=0)[0] - v[0]) < 0.15
    assert abs(res.values[1].mean(axis=0)[0] + v[0]) < 0.15
    fp = play_stochastic(g, StateFictitiousPlay(), StateFictitiousPlay(), 6000, n_matches=10, seed=2, restart=0.05)
    upper, lower = fp.values[0].mean(axis=0)[0], -fp.values[1].mean(axis=0)[0]
    assert lower - 1e-9 <= v[0] <= upper + 1e-9 and upper - lower < 1.0
    gb = asymmetric_contested(bonus=2.0)
    want = coco_value_iteration(gb).values
    cq = play_stochastic(gb, CoCoQ(epsilon=0.3), CoCoQ(epsilon=0.3), 8000, n_matches=20, seed=1, restart=0.1)
    np.testing.assert_allclose(cq.values[0].mean(axis=0)[:2], want[0][:2], atol=0.4)
    np.testing.assert_allclose(cq.values[1].mean(axis=0)[:2], want[1][:2], atol=0.4)


def test_padded_matrix_games_keep_their_values():
    # Review regression: huge sentinels for missing actions upset the LP; the padding is now
    # on the game's own scale.  Random 2x3 and 3x2 games padded to 3x3 keep their LP value.
    from gamesim.agents.stochastic import _pad

    rng = np.random.default_rng(0)
    for m, k in ((2, 3), (3, 2), (1, 3), (2, 2)):
        Q = rng.normal(size=(40, 3, 3)) * 10
        vo = np.arange(3)[None, :] < m
        vk = np.arange(3)[None, :] < k
        vals, _ = matrix_game_values(_pad(Q, np.repeat(vo, 40, 0), np.repeat(vk, 40, 0)))
        for j in range(40):
            assert vals[j] == pytest.approx(zero_sum_value(Q[j, :m, :k]).value, abs=1e-8)


def test_play_stochastic_does_not_consume_a_seed_sequence_and_checks_learners():
    ss = np.random.SeedSequence(5)
    g = contested()
    a = play_stochastic(g, MinimaxQ(), MinimaxQ(), 50, n_matches=3, seed=ss)
    b = play_stochastic(g, MinimaxQ(), MinimaxQ(), 50, n_matches=3, seed=ss)
    np.testing.assert_array_equal(a.mean_rewards, b.mean_rewards)
    from gamesim.agents.stochastic import StochasticGrimTrigger

    with pytest.raises(ValueError, match="row"):
        play_stochastic(g, StochasticGrimTrigger(), MinimaxQ(), 5)
