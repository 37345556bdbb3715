"""Reactive repeated-game strategies, one small class each.

Every strategy here is a finite automaton over the moves C and D (see
:class:`~gamesim.sim.protocol.Automaton`).  In the prisoner's dilemma C and D are
the actions of those names; in any other two-player game C is the player's part of
an agreed action profile and D its minmax (punishing) strategy against the partner,
so grim trigger and tit-for-tat are defined for every two-player game
(:func:`default_conventions`).

The behaviour of each class matches the Axelrod library's strategy of the same
name (Axelrod-Python project, ``axelrod`` 4.x), which the tests check.

References
----------
.. [A84] R. Axelrod, *The Evolution of Cooperation*, Basic Books, 1984.
.. [F86] J. W. Friedman, *Game Theory with Applications to Economics*, 1986 (grim trigger).
.. [NS93] M. Nowak and K. Sigmund, "A strategy of win-stay, lose-shift that outperforms
   tit-for-tat in the Prisoner's Dilemma game", Nature 364, 1993.
.. [PD12] W. H. Press and F. J. Dyson, "Iterated Prisoner's Dilemma contains strategies that
   dominate any evolutionary opponent", PNAS 109, 2012 (zero-determinant memory-one strategies).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..sim.games import NormalFormGame
from ..sim.protocol import Automaton, AutomatonStrategy, Conventions, describe_params

__all__ = [
    "ReactiveStrategy", "default_conventions", "Cooperator", "Defector", "GrimTrigger",
    "Grudger", "TitForTat", "TitForTwoTats", "TitFor2Tats", "SuspiciousTitForTat",
    "WinStayLoseShift", "Alternator", "Random", "MemoryOne", "REACTIVE_STRATEGIES",
]

C, D = 0, 1


def _table(*rows: tuple[int, int, int, int]) -> np.ndarray:
    """Transition table from rows (next after CC, CD, DC, DD) with (own, partner) order."""
    return np.array(rows, dtype=np.intp).reshape(len(rows), 2, 2)


def default_conventions(game: NormalFormGame) -> Conventions:
    """The agreed profile and punishments reactive strategies use in ``game`` (cached per game).

    See :func:`_default_conventions`.
    """
    return _default_conventions(game)


@functools.lru_cache(maxsize=256)
def _default_conventions(game: NormalFormGame) -> Conventions:
    """The agreed profile and punishments reactive strategies use in ``game``.

    Agreed profile: the actions named ``"C"`` if both players have one, otherwise the
    pure profile with the largest total payoff (first in row-major order on ties).
    Punishment: each player's minmax strategy against its partner (the column player's
    optimal strategy in the zero-sum game of the partner's payoffs), which may be mixed.
    """
    if game.n_players != 2:
        raise ValueError(f"game: reactive strategies need a two-player game, got {game.n_players} players")
    from ..analysis.equilibria import zero_sum_value

    if all("C" in acts for acts in game.actions):
        agreed = tuple(acts.index("C") for acts in game.actions)
    else:
        total = game.payoffs.sum(axis=0)
        agreed = tuple(int(a) for a in np.unravel_index(int(np.argmax(total)), total.shape))
    A, B = game.payoffs
    # Row player punishes the column player: minimise max_c x^T B[:, c].
    punish_row = zero_sum_value(B.T).col_strategy
    punish_col = zero_sum_value(A).col_strategy
    return Conventions(cooperate=agreed, punish=(_clean(punish_row), _clean(punish_col)))


def _clean(x: np.ndarray) -> np.ndarray:
    """Snap LP round-off so a pure punishment stays deterministic."""
    x = np.where(np.abs(x) < 1e-9, 0.0, np.asarray(x, dtype=float))
    x = np.clip(x, 0.0, None)
    x = x / x.sum()
    x.setflags(write=False)     # shared through the per-game cache
    return x


@functools.lru_cache(maxsize=4096)
def _cached_name(strategy: AutomatonStrategy) -> str:
    return describe_params(strategy)


class ReactiveStrategy(AutomatonStrategy):
    """Base of the automaton strategies: display name and default conventions."""

    @property
    def name(self) -> str:
        return _cached_name(self)

    def default_conventions(self, game: NormalFormGame) -> Conventions:
        return default_conventions(game)


@dataclass(frozen=True)
class Cooperator(ReactiveStrategy):
    """Always cooperates (Axelrod's ``Cooperator``, [A84]_)."""

    memory_depth: ClassVar[float] = 0

    def automaton(self) -> Automaton:
        return Automaton(np.array([1.0]), _table((0, 0, 0, 0)))


@dataclass(frozen=True)
class Defector(ReactiveStrategy):
    """Always defects (Axelrod's ``Defector``, [A84]_)."""

    memory_depth: ClassVar[float] = 0

    def automaton(self) -> Automaton:
        return Automaton(np.array([0.0]), _table((0, 0, 0, 0)))


@dataclass(frozen=True)
class GrimTrigger(ReactiveStrategy):
    """Cooperates until the partner defects once, then defects forever.

    Friedman's trigger strategy [F86]_, Axelrod's ``Grudger`` ("Grim Trigger" in the
    notes).  State 0 cooperates; a partner's D moves to the absorbing state 1.
    """

    memory_depth: ClassVar[float] = float("inf")

    def automaton(self) -> Automaton:
        return Automaton(np.array([1.0, 0.0]), _table((0, 1, 0, 1), (1, 1, 1, 1)))


Grudger = GrimTrigger


@dataclass(frozen=True)
class TitForTat(ReactiveStrategy):
    """Cooperates first, then copies the partner's last move (Rapoport; winner of [A84]_)."""

    memory_depth: ClassVar[float] = 1

    def automaton(self) -> Automaton:
        # state = the move to play = partner's last move
        return Automaton(np.array([1.0, 0.0]), _table((0, 1, 0, 1), (0, 1, 0, 1)))


@dataclass(frozen=True)
class SuspiciousTitForTat(ReactiveStrategy):
    """Tit-for-tat that defects on the first move (Beaufils, Delahaye and Mathieu 1996)."""

    memory_depth: ClassVar[float] = 1

    def automaton(self) -> Automaton:
        return Automaton(np.array([1.0, 0.0]), _table((0, 1, 0, 1), (0, 1, 0, 1)), initial=1)


@dataclass(frozen=True)
class TitForTwoTats(ReactiveStrategy):
    """Defects only after two consecutive defections by the partner [A84]_.

    States count the partner's trailing defections (0, 1, 2 or more); only the last
    one defects.
    """

    memory_depth: ClassVar[float] = 2

    def automaton(self) -> Automaton:
        return Automaton(np.array([1.0, 1.0, 0.0]),
                         _table((0, 1, 0, 1), (0, 2, 0, 2), (0, 2, 0, 2)))


TitFor2Tats = TitForTwoTats


@dataclass(frozen=True)
class WinStayLoseShift(ReactiveStrategy):
    """Pavlov: cooperates first, then cooperates iff both moved alike last round [NS93]_.

    The memory-one strategy (p_CC, p_CD, p_DC, p_DD) = (1, 0, 0, 1).
    """

    memory_depth: ClassVar[float] = 1

    def automaton(self) -> Automaton:
        # states: 0 = C (after CC or DD, or at start), 1 = D (after CD or DC)
        return Automaton(np.array([1.0, 0.0]), _table((0, 1, 1, 0), (0, 1, 1, 0)))


@dataclass(frozen=True)
class Alternator(ReactiveStrategy):
    """Cooperates first, then plays the opposite of its own last move [A84]_.

    It follows the move actually played, so under noise a flipped move shifts the
    phase (as in Axelrod).
    """

    memory_depth: ClassVar[float] = 1

    def automaton(self) -> Automaton:
        return Automaton(np.array([1.0, 0.0]), _table((1, 1, 0, 0), (1, 1, 0, 0)))


@dataclass(frozen=True)
class Random(ReactiveStrategy):
    """Cooperates with probability ``p`` each round, independently [A84]_ (Axelrod's ``Random``)."""

    p: float = 0.5
    memory_depth: ClassVar[float] = 0
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not 0 <= float(self.p) <= 1:
            raise ValueError(f"p: must lie in [0, 1], got {self.p!r}")

    def automaton(self) -> Automaton:
        return Automaton(np.array([float(self.p)]), _table((0, 0, 0, 0)))


@dataclass(frozen=True)
class MemoryOne(ReactiveStrategy):
    """Cooperates with a probability set by last round's outcome (Nowak and Sigmund 1990).

    Parameters
    ----------
    p_cc, p_cd, p_dc, p_dd : float
        Probability of C after own/partner moves CC, CD, DC, DD.
    initial : float
        Probability of C in the first round (default 1, as Axelrod's MemoryOnePlayer).

    Zero-determinant strategies [PD12]_ are memory-one strategies with particular
    vectors (e.g. extortionate ZD with chi = 3 in the standard PD:
    ``MemoryOne(11/13, 1/2, 7/26, 0)``).
    """

    p_cc: float = 1.0
    p_cd: float = 0.0
    p_dc: float = 1.0
    p_dd: float = 0.0
    initial: float = 1.0
    memory_depth: ClassVar[float] = 1
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for field in ("p_cc", "p_cd", "p_dc", "p_dd", "initial"):
            v = getattr(self, field)
            try:
                ok = 0 <= float(v) <= 1
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ValueError(f"{field}: must be a probability in [0, 1], got {v!r}")

    def automaton(self) -> Automaton:
        # state 0 = first round; states 1..4 = last outcome CC, CD, DC, DD
        probs = np.array([self.initial, self.p_cc, self.p_cd, self.p_dc, self.p_dd], dtype=float)
        after = (1, 2, 3, 4)
        return Automaton(probs, _table(*([after] * 5)))


REACTIVE_STRATEGIES = (Cooperator, Defector, GrimTrigger, TitForTat, TitForTwoTats,
                       SuspiciousTitForTat, WinStayLoseShift, Alternator, Random, MemoryOne)
