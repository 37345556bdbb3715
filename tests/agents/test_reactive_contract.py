"""Contract tests for the reactive strategies, in the manner of Axelrod's TestPlayer.

Every strategy is checked the same way (metadata, cloning, reset, seeding) and its
behaviour is stated as expected action sequences against fixed opponents.
"""

import copy
import inspect

import numpy as np
import pytest

import gamesim as gs
from gamesim.agents import (
    Alternator, Cooperator, Defector, GrimTrigger, MemoryOne, Random, SuspiciousTitForTat,
    TitForTat, TitForTwoTats, WinStayLoseShift,
)
from gamesim.sim.environment import Environment, play_match

PD = gs.games.prisoners_dilemma()


def moves(text):
    return [0 if ch == "C" else 1 for ch in text]


class StrategyContract:
    """Subclasses set ``strategy``, ``memory_depth``, ``stochastic`` and ``expected``."""

    strategy = None
    memory_depth = None
    stochastic = False
    #: (opponent, own moves as a C/D string) for play from the first round, no noise
    expected: list = []

    def test_metadata(self):
        cls = type(self.strategy)
        assert cls.memory_depth == self.memory_depth
        assert cls.stochastic == self.stochastic
        assert self.strategy.is_stochastic() == (self.stochastic and not self.strategy.compiled_automaton().deterministic)
        doc = inspect.getdoc(cls)
        assert doc and len(doc.splitlines()[0]) > 10, "one-line docstring naming the strategy's origin"

    def test_clone_is_equal_and_hashable(self):
        clone = copy.deepcopy(self.strategy)
        assert clone == self.strategy and hash(clone) == hash(self.strategy)
        assert clone is not self.strategy
        with pytest.raises(Exception):
            self.strategy.some_field = 1        # frozen

    def test_automaton_is_well_formed(self):
        a = self.strategy.compiled_automaton()
        assert a.transition.shape == (a.n_states, 2, 2)
        assert 0 <= a.initial < a.n_states

    @pytest.mark.parametrize("seed", [0, 1])
    def test_reset_and_seeding_reproduce_play(self, seed):
        env = Environment(PD, [self.strategy, Random(0.5), TitForTat()], rounds=40, seed=seed, keep_history=True)
        first = env.run().history
        second = env.run().history                      # run() resets
        again = Environment(PD, [self.strategy, Random(0.5), TitForTat()], rounds=40, seed=seed,
                            keep_history=True).run().history
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, again)

    def test_expected_sequences(self):
        for opponent, text in self.expected:
            got = play_match(PD, self.strategy, opponent, len(text), seed=0)[:, 0]
            assert got.tolist() == moves(text), f"{self.strategy.name} vs {opponent.name}"
            # Seat order must not matter in a symmetric game.
            got_col = play_match(PD, opponent, self.strategy, len(text), seed=0)[:, 1]
            assert got_col.tolist() == moves(text)


class TestCooperator(StrategyContract):
    strategy = Cooperator()
    memory_depth = 0
    expected = [(Defector(), "CCCCC"), (Alternator(), "CCCCC")]


class TestDefector(StrategyContract):
    strategy = Defector()
    memory_depth = 0
    expected = [(Cooperator(), "DDDDD"), (TitForTat(), "DDDDD")]


class TestGrimTrigger(StrategyContract):
    strategy = GrimTrigger()
    memory_depth = float("inf")
    expected = [(Cooperator(), "CCCCC"), (Alternator(), "CCDDDDD"), (SuspiciousTitForTat(), "CDDDD"),
                (Defector(), "CDDDD")]


class TestTitForTat(StrategyContract):
    strategy = TitForTat()
    memory_depth = 1
    expected = [(Cooperator(), "CCCCC"), (Defector(), "CDDDD"), (Alternator(), "CCDCDCD"),
                (SuspiciousTitForTat(), "CDCDCD")]


class TestTitForTwoTats(StrategyContract):
    strategy = TitForTwoTats()
    memory_depth = 2
    expected = [(Alternator(), "CCCCCCC"), (Defector(), "CCDDDD"), (SuspiciousTitForTat(), "CCCCC")]


class TestSuspiciousTitForTat(StrategyContract):
    strategy = SuspiciousTitForTat()
    memory_depth = 1
    expected = [(Cooperator(), "DCCCC"), (Defector(), "DDDDD"), (Alternator(), "DCDCDC")]


class TestWinStayLoseShift(StrategyContract):
    strategy = WinStayLoseShift()
    memory_depth = 1
    expected = [(Cooperator(), "CCCCC"), (Defector(), "CDCDCD"), (Alternator(), "CCDDCCDD")]


class TestAlternator(StrategyContract):
    strategy = Alternator()
    memory_depth = 1
    expected = [(Cooperator(), "CDCDC"), (Defector(), "CDCDC")]


class TestRandomDeterministicEnds(StrategyContract):
    strategy = Random(1.0)
    memory_depth = 0
    stochastic = True
    expected = [(Defector(), "CCCCC")]


class TestMemoryOneAsTitForTat(StrategyContract):
    strategy = MemoryOne(1, 0, 1, 0)
    memory_depth = 1
    stochastic = True
    expected = [(Alternator(), "CCDCDCD"), (Defector(), "CDDDD")]


class TestMemoryOneAsWinStayLoseShift(StrategyContract):
    strategy = MemoryOne(1, 0, 0, 1)
    memory_depth = 1
    stochastic = True
    expected = [(Alternator(), "CCDDCCDD"), (Defector(), "CDCDCD")]


def test_random_strategy_frequency_and_seed_dependence():
    # 2000 rounds of Random(0.3) against itself: C frequency within 4 standard errors of 0.3.
    hist = play_match(PD, Random(0.3), Random(0.3), 2000, seed=11)
    freq = (hist == 0).mean()
    assert abs(freq - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)
    other = play_match(PD, Random(0.3), Random(0.3), 2000, seed=12)
    assert not np.array_equal(hist, other)


def test_memory_one_follows_its_vector():
    # After CC it cooperates with p_cc, after DD with p_dd: measure on a long run.
    s = MemoryOne(0.9, 0.2, 0.6, 0.1)
    hist = play_match(PD, s, s, 20000, seed=5)
    own, other = hist[:-1, 0], hist[:-1, 1]
    nxt = hist[1:, 0]
    for (o, p), want in {(0, 0): 0.9, (0, 1): 0.2, (1, 0): 0.6, (1, 1): 0.1}.items():
        sel = (own == o) & (other == p)
        assert sel.sum() > 500
        assert abs((nxt[sel] == 0).mean() - want) < 4 * np.sqrt(want * (1 - want) / sel.sum()) + 1e-9


@pytest.mark.parametrize("field", ["p_cc", "p_cd", "p_dc", "p_dd", "initial"])
def test_memory_one_rejects_bad_probabilities(field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        MemoryOne(**{field: 1.5})
    with pytest.raises(ValueError, match=r"^p:"):
        Random(-0.1)


def test_grim_trigger_in_another_game_uses_minmax_punishment():
    # Treutlein's Example 60: agreed = the welfare-maximising outcome (b1, a1) = (4, 4);
    # the row player's minmax punishment of the column player is b2, the column's is a3.
    g = gs.games.treutlein_example_60()
    hist = play_match(g, GrimTrigger(), Defector(), 4, seed=0)
    assert hist[:, 0].tolist() == [0, 1, 1, 1]           # b1, then b2 forever
    assert hist[:, 1].tolist() == [2, 2, 2, 2]           # Defector plays its punishment a3


def test_mixed_punishment_is_played_stochastically():
    # In matching pennies the minmax punishment is (1/2, 1/2), so grim trigger's
    # punishment phase mixes even though the strategy itself is deterministic.
    g = gs.games.matching_pennies()
    hist = play_match(g, GrimTrigger(), Defector(), 4000, seed=3)
    tail = hist[1:, 0]
    assert abs(tail.mean() - 0.5) < 4 * np.sqrt(0.25 / tail.size)
