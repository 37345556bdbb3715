"""The agent protocol: what the environment needs from a strategy class.

A *strategy* is a small immutable object holding parameters (``TitForTat()``,
``MemoryOne(0.9, 0.1, 0.6, 0.2)``, ``FictitiousPlay(...)``).  It never holds the
state of play.  The environment asks it for a :class:`Runner` that keeps the state
of all the *units* it plays for in arrays and advances them all at once:

* in fixed matchings (round robin, graph edges) a unit is one seat in one match,
  so a tit-for-tat agent remembers each partner separately;
* in random matching a unit is one agent, which meets a new partner every round.

Two kinds of strategies exist:

* :class:`AutomatonStrategy` - a small finite automaton over the alphabet
  {cooperate, defect} (an output table and a transition table on both players'
  last moves).  The environment compiles every automaton strategy in a population
  into one table, so a single gather advances all their matches at once.
* any other :class:`Strategy` returns a :class:`Runner` whose ``act`` and
  ``observe`` are a constant number of NumPy calls over all its units.

This module imports nothing from ``gamesim.agents``; the environment depends only
on it, never on a concrete agent class.
"""

from __future__ import annotations

import abc
import functools
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .games import NormalFormGame

__all__ = ["Strategy", "AutomatonStrategy", "Automaton", "Runner", "Conventions", "RoundContext"]


@dataclass(frozen=True)
class Conventions:
    """How the abstract moves *cooperate* and *defect* map onto a concrete two-player game.

    Attributes
    ----------
    cooperate : tuple of int
        The agreed action of each player (the profile cooperation sustains).
    punish : tuple of ndarray
        For each player, the mixed strategy it plays to punish its partner: a minmax
        strategy against the partner.
    """

    cooperate: tuple[int, ...]
    punish: tuple[np.ndarray, ...]

    def defected(self, player: int, n_actions: int) -> np.ndarray:
        """Boolean per action of ``player``: does playing it count as a defection?"""
        out = np.ones(n_actions, dtype=bool)
        out[self.cooperate[player]] = False
        return out


@dataclass(frozen=True)
class Automaton:
    """A stochastic finite automaton over the moves C (0) and D (1).

    Attributes
    ----------
    cooperate_prob : ndarray, shape (n_states,)
        Probability of playing C in each state (0 or 1 for a deterministic automaton).
    transition : ndarray of int, shape (n_states, 2, 2)
        ``transition[s, own, partner]``: the next state after this round's moves,
        own and partner's, each 0 for C and 1 for D.
    initial : int
        The starting state.
    """

    cooperate_prob: np.ndarray
    transition: np.ndarray
    initial: int = 0

    def __post_init__(self) -> None:
        p = np.asarray(self.cooperate_prob, dtype=float)
        t = np.asarray(self.transition, dtype=np.intp)
        if p.ndim != 1 or p.size == 0:
            raise ValueError(f"cooperate_prob: expected a non-empty 1-D array, got shape {p.shape}")
        if np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
            raise ValueError("cooperate_prob: probabilities must lie in [0, 1]")
        if t.shape != (p.size, 2, 2):
            raise ValueError(f"transition: expected shape ({p.size}, 2, 2), got {t.shape}")
        if np.any((t < 0) | (t >= p.size)):
            raise ValueError("transition: next states out of range")
        if not 0 <= self.initial < p.size:
            raise ValueError(f"initial: state {self.initial} out of range 0..{p.size - 1}")
        object.__setattr__(self, "cooperate_prob", p)
        object.__setattr__(self, "transition", t)

    @property
    def n_states(self) -> int:
        return self.cooperate_prob.size

    @property
    def deterministic(self) -> bool:
        return bool(np.all((self.cooperate_prob == 0) | (self.cooperate_prob == 1)))


@dataclass(frozen=True)
class RoundContext:
    """What the environment tells a runner about the round, if the runner asks for it.

    Runners that set :attr:`Runner.wants_context` get one with every :meth:`Runner.act`.

    Attributes
    ----------
    signal : ndarray of float, shape (k,)
        The public random signal of each unit's match this round: uniform on [0, 1),
        one draw per match from the environment's seeded signal stream, the **same**
        for every seat of a match (a public correlation device, Aumann 1974).
    seat_strategies : ndarray of int, shape (k, n_players)
        Who sits where in each unit's match: indices into :attr:`strategies`.
    strategies : tuple of Strategy
        The population's distinct strategies.
    round : int
        Rounds played before this one.

    References
    ----------
    .. [A74] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
       J. Math. Econ. 1, 1974.
    """

    signal: np.ndarray
    seat_strategies: np.ndarray
    strategies: tuple
    round: int


class Runner(abc.ABC):
    """The state of play of one strategy for all its units, advanced with array code."""

    #: Whether :meth:`act` takes a third argument, the round's :class:`RoundContext`.
    wants_context: ClassVar[bool] = False
    #: Whether the environment may call :meth:`observe_outcomes` (flat outcome indices)
    #: instead of :meth:`observe` (joint action rows), which saves a gather.
    observes_outcomes: ClassVar[bool] = False

    @abc.abstractmethod
    def act(self, units: np.ndarray, players: np.ndarray) -> np.ndarray:
        """Actions of ``units`` this round; ``players[k]`` is unit ``units[k]``'s seat (player index).

        A runner with :attr:`wants_context` is called as ``act(units, players, context)``.
        """

    @abc.abstractmethod
    def observe(self, units: np.ndarray, players: np.ndarray, joint: np.ndarray, payoffs: np.ndarray) -> None:
        """Update after a round: ``joint`` (len(units), n_players) joint actions, ``payoffs`` own payoffs."""

    def observe_outcomes(self, units: np.ndarray, players: np.ndarray, outcomes: np.ndarray,
                         payoffs: np.ndarray) -> None:
        """:meth:`observe` with each unit's joint action as a flat outcome index (C order)."""
        raise NotImplementedError


class Strategy(abc.ABC):
    """Base of every strategy class.

    Subclasses are frozen dataclasses (hashable parameters, usable as population
    keys) and set the class metadata below, in the manner of the Axelrod library.
    """

    #: How many past rounds the strategy conditions on (``float('inf')`` if unbounded).
    memory_depth: ClassVar[float] = float("inf")
    #: Whether the strategy draws random numbers.
    stochastic: ClassVar[bool] = False
    #: Whether it only works in two-player games.
    two_player_only: ClassVar[bool] = False
    #: Strategies with the same key (not None) in one population share a single runner,
    #: built by :meth:`batch_runner`, so a round costs the same number of NumPy calls
    #: however many parameter sets of the family play.
    batch_key: ClassVar[str | None] = None

    @property
    def name(self) -> str:
        """Display name: the class name plus any non-default parameters."""
        return type(self).__name__

    @abc.abstractmethod
    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        """A fresh runner for ``n_units`` units (the environment calls this at reset)."""

    def is_stochastic(self) -> bool:
        """Whether this instance draws random numbers (parameters may make it deterministic)."""
        return self.stochastic

    @classmethod
    def batch_runner(cls, game: NormalFormGame, strategies: list["Strategy"], unit_strategy: np.ndarray,
                     rng: np.random.Generator, conventions: Conventions | None = None) -> Runner:
        """One runner for several strategies of a family with a :attr:`batch_key`.

        ``unit_strategy[k]`` is unit ``k``'s index into ``strategies``.
        """
        raise NotImplementedError(f"{cls.__name__} sets batch_key but defines no batch_runner")


class AutomatonStrategy(Strategy):
    """A strategy given by a finite automaton over the moves C and D.

    In any two-player game, C means the player's agreed action and D its punishing
    (minmax) strategy, as set by :class:`Conventions`; the environment derives them
    from the game unless told otherwise.
    """

    two_player_only: ClassVar[bool] = True

    @abc.abstractmethod
    def automaton(self) -> Automaton:
        """The automaton over {C, D}."""

    def is_stochastic(self) -> bool:
        return not self.compiled_automaton().deterministic

    def compiled_automaton(self) -> Automaton:
        """:meth:`automaton`, built once per (immutable) strategy instance."""
        return _automaton_cache(self)

    def default_conventions(self, game: NormalFormGame) -> Conventions:
        """What C and D mean in ``game`` when the environment is not told.

        The agents layer supplies this (it needs the minmax strategies of analysis);
        the environment only calls it.
        """
        raise NotImplementedError(
            f"{type(self).__name__}: pass conventions= (the agreed profile and punishments) "
            "to the environment"
        )

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        # Imported here: the bank is the sim layer's implementation detail.
        from .automata import AutomatonBank

        return AutomatonBank(game, [self], np.zeros(n_units, np.intp), rng, conventions).as_runner()


@functools.lru_cache(maxsize=4096)
def _automaton_cache(strategy: "AutomatonStrategy") -> Automaton:
    return strategy.automaton()


def describe_params(strategy: Any) -> str:
    """``Name(a, b, ...)``: positional parameters up to the last one that differs from its default.

    ``MemoryOne(1, 0, 0, 1)`` stays ``MemoryOne(1, 0, 0, 1)`` and ``Random()`` is
    ``Random``, so distinct parameter sets get distinct, readable names.
    """
    import dataclasses

    if not dataclasses.is_dataclass(strategy):
        return type(strategy).__name__
    fields = [f for f in dataclasses.fields(strategy) if f.init]
    values = [getattr(strategy, f.name) for f in fields]
    last = -1
    for k, (f, v) in enumerate(zip(fields, values)):
        if f.default is dataclasses.MISSING or v != f.default:
            last = k
    shown = [f"{v:g}" if isinstance(v, float) else repr(v) for v in values[: last + 1]]
    return type(strategy).__name__ + (f"({', '.join(shown)})" if shown else "")
