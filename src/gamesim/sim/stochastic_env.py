"""Populations playing a stochastic game: every match carries its own state.

:class:`StochasticEnvironment` is the stochastic-game counterpart of
:class:`~gamesim.sim.environment.Environment`: a population of strategies, a fixed
matching (round robin, pairs or the edges of a networkx graph) and ``rounds`` rounds.
Each match starts in a state drawn from the game's initial distribution; every round
all matches act, collect their state's rewards and move to their next state through
:func:`~gamesim.sim.stochastic.step` -- a constant number of NumPy calls per strategy
class and round, whatever the number of matches.

The state belongs to a match (the stock of a shared resource, a position in a
contest), so matchings that re-pair agents every round do not apply: a random
matching raises a ``ValueError``.

A strategy for stochastic games implements :class:`StochasticStrategy`: its runner's
``act(units, players, states)`` returns each unit's action in its match's current
state, and ``observe(units, players, states, joint, rewards, next_states)`` updates it.

References
----------
.. [S53] L. S. Shapley, "Stochastic games", PNAS 39, 1953.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._seeding import child_rng, seed_root
from .matching import as_matching
from .stochastic import StochasticGame, step

__all__ = ["StochasticStrategy", "StochasticRunner", "StochasticEnvironment", "StochasticResult"]


class StochasticRunner(abc.ABC):
    """The state of play of one strategy for all its units (seats in matches)."""

    @abc.abstractmethod
    def act(self, units: np.ndarray, players: np.ndarray, states: np.ndarray) -> np.ndarray:
        """Actions of ``units`` (seat ``players``) in their matches' current ``states``."""

    @abc.abstractmethod
    def observe(self, units: np.ndarray, players: np.ndarray, states: np.ndarray, joint: np.ndarray,
                rewards: np.ndarray, next_states: np.ndarray) -> None:
        """Update after a round: ``joint`` (k, n_players), own ``rewards`` (k,), ``next_states`` (k,)."""


class StochasticStrategy(abc.ABC):
    """Base of strategies for stochastic games (hashable parameters, like :class:`Strategy`)."""

    @property
    def name(self) -> str:
        from .protocol import describe_params

        return describe_params(self)

    @abc.abstractmethod
    def stochastic_runner(self, game: StochasticGame, players: np.ndarray, rng: np.random.Generator) -> StochasticRunner:
        """A runner for units seated at ``players`` (one entry per unit)."""


@dataclass(frozen=True, eq=False)
class StochasticResult:
    """Figures of a :class:`StochasticEnvironment` run.

    Attributes
    ----------
    strategy_names : tuple of str
    agent_strategy : ndarray of int
    total_reward, turns : ndarray, shape (n_agents,)
        Each agent's summed (undiscounted) rewards and rounds played.
    discounted_reward : ndarray, shape (n_agents,)
        ``sum_t discount^t r_t`` per agent, summed over its matches.
    series_reward : ndarray, shape (rounds, n_strategies)
        Mean reward per seat of each strategy in each round.
    state_share : ndarray, shape (rounds, n_states)
        Share of matches in each state at the start of each round.
    final_states : ndarray, shape (n_matches,)
    matches : ndarray, shape (n_matches, n_players)
    parameters : dict
    """

    strategy_names: tuple
    agent_strategy: np.ndarray
    total_reward: np.ndarray
    turns: np.ndarray
    discounted_reward: np.ndarray
    series_reward: np.ndarray
    state_share: np.ndarray
    final_states: np.ndarray
    matches: np.ndarray
    parameters: dict

    def strategy_scores(self) -> dict[str, float]:
        """Mean reward per round of each strategy's agents."""
        K = len(self.strategy_names)
        tot = np.bincount(self.agent_strategy, weights=self.total_reward, minlength=K)
        n = np.bincount(self.agent_strategy, weights=self.turns, minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            return {name: float(t / c) for name, t, c in zip(self.strategy_names, tot, n)}


class StochasticEnvironment:
    """Plays a population of :class:`StochasticStrategy` instances in a stochastic game.

    Parameters
    ----------
    game : StochasticGame
    population : dict or sequence
        ``{strategy: count}`` or a list of strategies (one agent each).
    matching : {"round_robin", "pairs"}, networkx.Graph or Matching
        A fixed matching (see :class:`~gamesim.sim.environment.Environment`).
    rounds : int
    self_play : bool
        Round robin includes each agent against a copy of itself.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Start states, transitions and every strategy draw from streams derived from it
        (a Generator is spawned from once, at construction).

    Examples
    --------
    >>> from gamesim.sim.stochastic import contested_game
    >>> from gamesim.agents.stochastic import MinimaxQ
    >>> env = StochasticEnvironment(contested_game(), {MinimaxQ(): 2}, rounds=50, seed=1)
    >>> env.run().state_share.shape
    (50, 3)
    """

    def __init__(self, game: StochasticGame, population: Any, matching: Any = "round_robin", rounds: int = 200,
                 *, self_play: bool = True, seed: Any = None) -> None:
        if not isinstance(game, StochasticGame):
            raise ValueError(f"game: expected a StochasticGame, got {type(game).__name__}")
        self.game = game
        self.strategies, self.agent_strategy = _parse(population)
        if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
            raise ValueError(f"rounds: must be a positive integer, got {rounds!r}")
        self.rounds = int(rounds)
        self.matching = as_matching(matching, self_play=self_play)
        if not self.matching.fixed:
            raise ValueError("matching: a stochastic game's state belongs to a match, so the matching must be "
                             "fixed (round_robin, pairs or a graph), not re-drawn every round")
        self.seed = seed
        self._root = seed_root(seed)
        self.matches = self.matching.matches(self.agent_strategy.size, game.n_players)
        if self.matches.shape[0] == 0:
            raise ValueError("population: no match can be formed")

    def run(self) -> StochasticResult:
        """Play every round of every match from fresh runners; same seed, same numbers."""
        game = self.game
        P, S, K = game.n_players, game.n_states, len(self.strategies)
        root = self._root

        def stream(i: int) -> np.random.Generator:
            return child_rng(root, i)

        M = self.matches.shape[0]
        seat_agent = self.matches.reshape(-1)
        seat_player = np.tile(np.arange(P), M)
        seat_strategy = self.agent_strategy[seat_agent]
        groups = []
        for k, strat in enumerate(self.strategies):
            seats = np.flatnonzero(seat_strategy == k)
            if seats.size == 0:
                continue
            runner = strat.stochastic_runner(game, seat_player[seats], stream(2 + k))
            groups.append((runner, seats, np.arange(seats.size), seat_player[seats], seats // P))
        start_rng, env_rng = stream(0), stream(1)
        states = start_rng.choice(S, size=M, p=game.initial)
        N = self.agent_strategy.size
        total = np.zeros(N)
        disc = np.zeros(N)
        turns = np.zeros(N)
        series = np.zeros((self.rounds, K))
        per_strategy = np.bincount(seat_strategy, minlength=K).astype(float)
        share = np.empty((self.rounds, S))
        acts = np.empty(M * P, dtype=np.intp)
        gamma = 1.0 if game.discount is None else game.discount
        weight = 1.0
        for t in range(self.rounds):
            share[t] = np.bincount(states, minlength=S) / M
            for runner, seats, units, players, mos in groups:
                acts[seats] = runner.act(units, players, states[mos])
            joint = acts.reshape(M, P)
            rewards, nxt = step(game, states, joint.T, env_rng, check=False)
            seat_reward = rewards.T.reshape(-1)                       # (M * P,), seat order
            for runner, seats, units, players, mos in groups:
                runner.observe(units, players, states[mos], joint[mos], seat_reward[seats], nxt[mos])
            total += np.bincount(seat_agent, weights=seat_reward, minlength=N)
            disc += weight * np.bincount(seat_agent, weights=seat_reward, minlength=N)
            series[t] = np.bincount(seat_strategy, weights=seat_reward, minlength=K) / np.maximum(per_strategy, 1)
            weight *= gamma
            states = nxt
        turns += np.bincount(seat_agent, minlength=N) * self.rounds
        series[:, per_strategy == 0] = np.nan
        return StochasticResult(
            strategy_names=tuple(s.name for s in self.strategies), agent_strategy=self.agent_strategy.copy(),
            total_reward=total, turns=turns, discounted_reward=disc, series_reward=series, state_share=share,
            final_states=states, matches=self.matches,
            parameters={"game": game.name, "rounds": self.rounds, "matching": self.matching.name,
                        "seed": self.seed if not isinstance(self.seed, np.random.SeedSequence) else str(self.seed),
                        "population": {s.name: int(c) for s, c in
                                       zip(self.strategies, np.bincount(self.agent_strategy, minlength=K))}})


def _parse(population: Any) -> tuple[list, np.ndarray]:
    """Like :func:`~gamesim.sim.environment.parse_population`, for stochastic-game strategies."""
    from collections.abc import Mapping, Sequence

    if isinstance(population, Mapping):
        items = list(population.items())
    elif isinstance(population, Sequence) and not isinstance(population, str):
        items = [(s, 1) for s in population]
    else:
        raise ValueError("population: expected a dict {strategy: count} or a list of strategies")
    if not items:
        raise ValueError("population: no strategies given")
    strategies, index, agents = [], {}, []
    for s, c in items:
        if isinstance(s, type):
            s = s()
        if not isinstance(s, StochasticStrategy):
            raise ValueError(f"population: {s!r} is not a strategy for stochastic games")
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1:
            raise ValueError(f"population: count for {s.name} must be a positive integer, got {c!r}")
        k = index.setdefault(s, len(strategies))
        if k == len(strategies):
            strategies.append(s)
        agents.extend([k] * int(c))
    return strategies, np.array(agents, dtype=np.intp)
