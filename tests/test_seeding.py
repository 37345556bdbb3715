"""One seeding rule for every entry point: derived child streams, Generators accepted, bad seeds refused."""

from __future__ import annotations

import numpy as np
import pytest

from gamesim._seeding import child_rng, child_seed, seed_root, streams
from gamesim.agents.ecl import ECLCooperator, simulate_ecl
from gamesim.agents.reactive import TitForTat, Random
from gamesim.agents.stochastic import MinimaxQ, play_stochastic
from gamesim.sim.catalogue import prisoners_dilemma
from gamesim.sim.ecl import treutlein_example_35
from gamesim.sim.environment import Environment
from gamesim.sim.stochastic import contested_game


def test_children_are_spawn_children_and_leave_the_root_alone():
    root = np.random.SeedSequence(123)
    derived = [child_seed(root, i).generate_state(4) for i in range(3)]
    assert root.n_children_spawned == 0
    spawned = [c.generate_state(4) for c in np.random.SeedSequence(123).spawn(3)]
    for a, b in zip(derived, spawned):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(child_rng(root, 1).random(3), streams(123, 2)[1].random(3))


@pytest.mark.parametrize("bad, message", [("7", "expected None, an int"), (True, "expected None, an int"),
                                          (1.5, "expected None, an int"), (-3, "must be non-negative")])
def test_bad_seeds_are_refused_at_every_entry_point(bad, message):
    with pytest.raises(ValueError, match=f"^seed: {message}"):
        seed_root(bad)
    with pytest.raises(ValueError, match="^seed"):
        Environment(prisoners_dilemma(), [TitForTat(), TitForTat()], rounds=5, seed=bad)
    with pytest.raises(ValueError, match="^seed"):
        play_stochastic(contested_game(), MinimaxQ(), MinimaxQ(), 5, seed=bad)
    with pytest.raises(ValueError, match="^seed"):
        simulate_ecl(treutlein_example_35(10), ECLCooperator(), seed=bad)


def test_generator_seeds_are_reproducible_and_resets_repeat():
    # The same generator state gives the same run; an Environment spawns from it once, so
    # its reset repeats the numbers ("same seed, same numbers").
    def env():
        return Environment(prisoners_dilemma(), [Random(), Random()], rounds=20, seed=np.random.default_rng(4),
                           keep_history=True)

    e = env()
    first = e.run().history.copy()
    e.reset()
    np.testing.assert_array_equal(e.run().history, first)
    np.testing.assert_array_equal(env().run().history, first)
    a = play_stochastic(contested_game(), MinimaxQ(), MinimaxQ(), 50, n_matches=3, seed=np.random.default_rng(9))
    b = play_stochastic(contested_game(), MinimaxQ(), MinimaxQ(), 50, n_matches=3, seed=np.random.default_rng(9))
    np.testing.assert_array_equal(a.mean_rewards, b.mean_rewards)


def test_play_stochastic_checks_checkpoints_and_restart():
    g = contested_game()
    with pytest.raises(ValueError, match="^checkpoints: expected an integer >= 1"):
        play_stochastic(g, MinimaxQ(), MinimaxQ(), 5, checkpoints=-1)
    with pytest.raises(ValueError, match="^restart: expected a number"):
        play_stochastic(g, MinimaxQ(), MinimaxQ(), 5, restart="0.1")
