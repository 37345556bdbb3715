"""Populations in stochastic games: state-aware trigger strategies, bargainers, learners."""

import numpy as np
import pytest

from gamesim.agents.stochastic import (IndependentQ, MinimaxQ, StateFictitiousPlay, StationaryPolicy,
                                       StochasticCoCoBargainer, StochasticGrimTrigger)
from gamesim.analysis.stochastic import coco_value_iteration
from gamesim.sim.catalogue import prisoners_dilemma
from gamesim.sim.stochastic import StochasticGame, commons_game, contested_game
from gamesim.sim.stochastic_env import StochasticEnvironment

PD = StochasticGame.repeated(prisoners_dilemma(), discount=0.9)
DEFECT = StationaryPolicy(((((0.0, 1.0), (0.0, 1.0))),))
COOPERATE = StationaryPolicy(((((1.0, 0.0), (1.0, 0.0))),))


def mean_stock(result):
    return (result.state_share * np.arange(result.state_share.shape[1])).sum(axis=1)


def test_grim_trigger_cooperates_and_punishes_in_the_repeated_pd():
    r = StochasticEnvironment(PD, {StochasticGrimTrigger(): 2}, matching="pairs", rounds=50, seed=0).run()
    assert r.strategy_scores()["StochasticGrimTrigger"] == pytest.approx(3.0)
    r = StochasticEnvironment(PD, [StochasticGrimTrigger(), DEFECT], matching="pairs", rounds=50, seed=0).run()
    # Suckered once, then mutual defection: (0 + 49 * 1) / 50.
    assert r.total_reward[0] / r.turns[0] == pytest.approx(49 / 50)
    r = StochasticEnvironment(PD, [StochasticGrimTrigger(), COOPERATE], matching="pairs", rounds=50, seed=0).run()
    assert r.total_reward[0] / r.turns[0] == pytest.approx(3.0)


def test_grim_trigger_punishes_a_deviation_in_any_state():
    g = commons_game()
    agreed, punish = StochasticGrimTrigger().plan(g)
    # The agreed policy is team value iteration's, and punishment in the commons is harvesting.
    np.testing.assert_array_equal(agreed, coco_value_iteration(g).team_actions)
    assert all(np.argmax(punish[q][0]) == 1 for q in range(1, g.n_states))
    always_harvest = StationaryPolicy(tuple(((0.0, 1.0), (0.0, 1.0)) for _ in range(g.n_states)))
    r = StochasticEnvironment(g, [StochasticGrimTrigger(), always_harvest], matching="pairs", rounds=100,
                              seed=0).run()
    assert mean_stock(r)[-20:].mean() < 0.5          # the harvester ruins the stock; grim trigger joins in


def test_commons_grim_trigger_and_bargainers_keep_the_stock_myopic_learners_deplete_it():
    g = commons_game()
    keep = {}
    for strat in (StochasticGrimTrigger(), StochasticCoCoBargainer(), StateFictitiousPlay(myopic=True)):
        r = StochasticEnvironment(g, {strat: 10}, matching="pairs", rounds=200, seed=1).run()
        keep[strat.name] = mean_stock(r)[-50:].mean()
    assert keep["StochasticGrimTrigger"] == pytest.approx(3.0)
    assert keep["StochasticCoCoBargainer"] == pytest.approx(3.0)
    assert keep["StateFictitiousPlay(0, 1, True)"] < 0.5


def test_mixed_population_round_robin_is_seeded():
    pop = {StochasticGrimTrigger(): 2, StochasticCoCoBargainer(): 1, IndependentQ(): 2, StateFictitiousPlay(): 1}
    g = commons_game()
    a = StochasticEnvironment(g, pop, rounds=60, seed=3).run()
    b = StochasticEnvironment(g, pop, rounds=60, seed=3).run()
    np.testing.assert_array_equal(a.total_reward, b.total_reward)
    np.testing.assert_allclose(a.state_share.sum(axis=1), 1.0)
    assert a.series_reward.shape == (60, 4)


def test_minimax_q_in_the_environment():
    r = StochasticEnvironment(contested_game(), {MinimaxQ(): 4}, matching="pairs", rounds=100, seed=2).run()
    assert r.state_share.shape == (100, 3)


def test_bad_input_names_the_field():
    g = commons_game()
    with pytest.raises(ValueError, match="matching"):
        StochasticEnvironment(g, {StochasticGrimTrigger(): 2}, matching="random")
    with pytest.raises(ValueError, match="population"):
        StochasticEnvironment(g, {prisoners_dilemma(): 2})
    with pytest.raises(ValueError, match="game"):
        StochasticEnvironment(prisoners_dilemma(), {StochasticGrimTrigger(): 2})
    with pytest.raises(ValueError, match="rounds"):
        StochasticEnvironment(g, {StochasticGrimTrigger(): 2}, rounds=0)
    with pytest.raises(ValueError, match="agreed"):
        StochasticGrimTrigger(agreed=((0, 0),)).plan(g)
    with pytest.raises(ValueError, match="capacity"):
        commons_game(capacity=0)
