"""The environment: a population of strategies playing a game under a matching rule.

One round of all matches is a constant number of NumPy calls per strategy class:

* all automaton strategies (tit-for-tat, grim trigger, memory-one, ...) share one
  compiled table (:class:`~gamesim.sim.automata.AutomatonBank`); when they are all
  deterministic and there is no noise, a round is one gather on the product
  automaton of each match;
* every other strategy class advances all its units with its runner's ``act`` and
  ``observe``.

Joint actions are stored compactly (one byte per seat when the game has at most
256 actions) in a history buffer.  Under a fixed matching, per-match outcome counts
are taken from each chunk of it as the run goes, and the scores and pairwise tables
follow from them; the per-round series are computed from the kept history when
first read (or chunk by chunk as the run goes when that history would be large).
Everything is ``bincount``/reduction work over arrays, never per agent in Python.

References
----------
R. Axelrod, *The Evolution of Cooperation*, 1984 (round-robin tournaments with
self-play, 200 turns).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._seeding import child_rng, seed_root
from .automata import AutomatonBank
from .games import NormalFormGame, as_game
from .matching import Matching, as_matching
from .protocol import AutomatonStrategy, Conventions, RoundContext, Strategy
from .results import DeferredSeries, SimulationResult

__all__ = ["Environment", "parse_population", "play_match", "SIGNALS"]

SIGNALS = ("random", "rotation")
"""Kinds of public signal an :class:`Environment` can give its matches."""

#: Most rounds held in the history buffer between two accumulations.
_CHUNK = 512
#: Agent-by-agent pairwise tables are kept up to this many agents (two N x N float
#: arrays: 64 MB at 2000); above it only the strategy-by-strategy table is kept.
MAX_PAIRWISE_AGENTS = 2000
#: Golden-ratio step of the ``signal="rotation"`` sequence.
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
#: Largest history buffer (bytes); the chunk shrinks for very many matches.
_BUFFER_BYTES = 16 << 20
#: Under a fixed matching the per-round series are computed on first access from the
#: run's compact history if that history takes at most this many bytes; otherwise they
#: are accumulated chunk by chunk during the run (and the history is not kept).
LAZY_SERIES_BYTES = 64 << 20


def parse_population(population: Any) -> tuple[list[Strategy], np.ndarray]:
    """Distinct strategies and each agent's strategy index, from a dict or a sequence.

    ``{TitForTat(): 3, Defector(): 1}`` gives the agents in the dict's order, or
    ``[TitForTat(), Defector(), TitForTat()]`` gives one agent per entry in list order
    (which matters for graph matching: agent ``k`` sits on the graph's ``k``-th node).
    Strategy classes are instantiated with their defaults.
    """
    if isinstance(population, Mapping):
        items = list(population.items())
    elif isinstance(population, Sequence) and not isinstance(population, str):
        items = [(s, 1) for s in population]
    else:
        raise ValueError(f"population: expected a dict {{strategy: count}} or a list of strategies, got {type(population).__name__}")
    if not items:
        raise ValueError("population: no strategies given")
    strategies: list[Strategy] = []
    index: dict[Strategy, int] = {}
    agent_strategy: list[int] = []
    for s, c in items:
        if isinstance(s, type) and issubclass(s, Strategy):
            s = s()
        if not isinstance(s, Strategy):
            raise ValueError(f"population: {s!r} is not a gamesim strategy")
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1:
            raise ValueError(f"population: count for {s.name} must be a positive integer, got {c!r}")
        k = index.setdefault(s, len(strategies))         # one hash per entry
        if k == len(strategies):
            strategies.append(s)
        agent_strategy.extend([k] * int(c))
    return strategies, np.array(agent_strategy, dtype=np.intp)


def _check_probability(value: Any, field: str, *, allow_one: bool = True) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: expected a number, got {value!r}") from None
    hi_ok = v <= 1 if allow_one else v < 1
    if not (0 <= v and hi_ok) or math.isnan(v):
        raise ValueError(f"{field}: must lie in [0, 1{']' if allow_one else ')'}, got {value!r}")
    return v


class Environment:
    """Plays a population of strategies against each other.

    Parameters
    ----------
    game : NormalFormGame
        The stage game.  Reactive (automaton) strategies need two players.
    population : dict or sequence
        ``{strategy: count}`` or a list of strategies (see :func:`parse_population`).
    matching : {"round_robin", "random"}, networkx.Graph or Matching
        Round robin (every pair once; with ``self_play`` also each agent against a
        copy of itself, as in Axelrod's tournaments), random groups each round, or the
        edges of a graph whose nodes are the agents in population order.
    rounds : int
        Rounds per match; with ``continuation`` the cap on a match's length.
    continuation : float, optional
        Probability that a match goes on after each round (match lengths are
        geometric with mean ``1 / (1 - continuation)``, truncated at ``rounds``).
        Under random matching it draws the length of the whole run.
    noise : float
        Probability that a played action is replaced by a different one, chosen
        uniformly (a flip in two-action games), after the strategy chose it.  Both
        players' strategies see the action actually played, as in Axelrod.
    discount : float, optional
        If given, ``discounted_payoff`` sums ``discount**t * u_t`` (t from 0).
    self_play : bool
        Whether round robin includes self-play.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        All randomness (matching, noise, lengths, each strategy class) comes from
        generators derived from this seed (a Generator is spawned from once, at
        construction, so :meth:`reset` repeats the run).
    conventions : Conventions, optional
        What C and D mean for the reactive strategies; default: the agreed profile and
        minmax punishments derived from the game.
    keep_history : bool
        Keep every round's joint actions (``result.history``); costs memory
        proportional to rounds x matches.
    fast_path : bool
        Allow the match-level fast paths for automata (set False to force the
        seat-level path, e.g. to check one against the other).  Under a fixed
        two-player matching, matches between two automata take the fast path even
        when other strategies play in the population.
    signal : {"random", "rotation"}
        The public signal strategies such as the bargainers correlate on (one number
        in [0, 1) per match and round, the same for all its seats; drawn only when
        some strategy asks for it).  ``"random"``: independent uniforms.
        ``"rotation"``: ``frac(u_m + t * 0.618...)`` from a uniform start ``u_m`` per
        match, a low-discrepancy sequence: a correlated lottery is then carried out by
        alternating between its outcomes, each one's share of ``T`` rounds within
        ``O(log T / T)`` of its probability instead of ``O(1 / sqrt(T))``.

    Examples
    --------
    >>> import gamesim as gs
    >>> from gamesim.agents import TitForTat, Defector
    >>> env = Environment(gs.games.prisoners_dilemma(), [TitForTat(), Defector()], rounds=10, seed=1)
    >>> env.run().strategy_scores()
    {'TitForTat': 0.9, 'Defector': 1.4}
    """

    def __init__(self, game: NormalFormGame, population: Any, matching: Any = "round_robin",
                 rounds: int = 200, *, continuation: float | None = None, noise: float = 0.0,
                 discount: float | None = None, self_play: bool = True, seed: Any = None,
                 conventions: Conventions | None = None, keep_history: bool = False,
                 fast_path: bool = True, signal: str = "random") -> None:
        self.game = as_game(game)
        self.strategies, self.agent_strategy = parse_population(population)
        self.counts = np.bincount(self.agent_strategy, minlength=len(self.strategies)).tolist()
        if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
            raise ValueError(f"rounds: must be a positive integer, got {rounds!r}")
        self.rounds = int(rounds)
        self.continuation = None if continuation is None else _check_probability(continuation, "continuation", allow_one=False)
        self.noise = _check_probability(noise, "noise")
        if discount is not None:
            d = float(discount)
            if not 0 < d <= 1:
                raise ValueError(f"discount: must lie in (0, 1], got {discount!r}")
            discount = d
        self.discount = discount
        self.matching: Matching = as_matching(matching, self_play=self_play)
        self.seed = seed
        self._root = seed_root(seed)       # once: a Generator seed is spawned from here, not at every reset
        self.conventions = conventions
        self.keep_history = bool(keep_history)
        self.fast_path = bool(fast_path)
        if signal not in SIGNALS:
            raise ValueError(f"signal: expected one of {', '.join(SIGNALS)}, got {signal!r}")
        self.signal = signal
        P = self.game.n_players
        for s in self.strategies:
            if s.two_player_only and P != 2:
                raise ValueError(f"population: {s.name} plays two-player games only; the game has {P} players")
        self.n_agents = int(self.agent_strategy.size)
        names = [s.name for s in self.strategies]
        self._names = tuple(names)
        if len(set(names)) != len(names):
            raise ValueError(f"population: two different strategies share a display name: {names}")
        seen = [0] * len(names)
        agent_names = []
        for k in self.agent_strategy.tolist():
            seen[k] += 1
            agent_names.append(names[k] if self.counts[k] == 1 else f"{names[k]}#{seen[k]}")
        self.agent_names = tuple(agent_names)
        self.reset()

    # -- setup -----------------------------------------------------------------
    def reset(self) -> None:
        """Start afresh: same seed, same numbers."""
        game, P = self.game, self.game.n_players
        K = len(self.strategies)
        # Streams: 0 matching, 1 noise, 2 match lengths, 3 + k strategy k, 3 + K the public
        # signal, 3 + K + 1 the seat-level automata of a split population.  A generator is
        # made only for the streams this run uses; the others cost nothing.
        # The children are derived, not spawned: spawning would advance the caller's
        # SeedSequence, so a reset (or a second environment) would draw new numbers.
        root = self._root

        def stream(i: int) -> np.random.Generator:
            return child_rng(root, i)

        fixed = self.matching.fixed
        self._match_rng = None if fixed else stream(0)
        self._noise_rng = stream(1) if self.noise > 0 else None
        if fixed:
            matches = self.matching.matches(self.n_agents, P)
            self._n_matches = matches.shape[0]
        else:
            self._n_matches = self.n_agents // P
            if self._n_matches == 0:
                raise ValueError(f"population: {self.n_agents} agent(s) cannot form a group of {P}")
            matches = None
        # Split: in a mixed population under a fixed two-player matching, the matches
        # between two automata go on the match-level fast path and only the others
        # on the seat-level path.  Automaton-only matches are put first, so each part
        # is a contiguous block of the history.
        is_auto = np.array([isinstance(s, AutomatonStrategy) for s in self.strategies])
        self._auto_matches = self._seat_matches = None
        if fixed and P == 2 and self.fast_path and is_auto.any() and not is_auto.all():
            both_auto = is_auto[self.agent_strategy[matches]].all(axis=1)
            n_auto = int(both_auto.sum())
            if n_auto:
                matches = matches[np.argsort(~both_auto, kind="stable")]
                self._auto_matches = slice(0, n_auto)
                self._seat_matches = slice(n_auto, matches.shape[0])
        self._fixed_matches = matches
        M = self._n_matches

        # Match lengths: fixed rounds, or geometric under a continuation probability.
        n_lengths = M if fixed else 1
        if self.continuation is None:
            lengths = np.full(n_lengths, self.rounds)
        elif self.continuation > 0:
            lengths = np.minimum(stream(2).geometric(1 - self.continuation, size=n_lengths), self.rounds)
        else:
            lengths = np.ones(n_lengths, int)
        self._lengths = lengths.astype(np.intp)
        self._horizon = int(lengths.max())

        # Groups: one bank for all automaton strategies, one runner per other strategy
        # (or per family: strategies sharing a batch_key share one runner).
        auto_ids = np.flatnonzero(is_auto).tolist()
        other_ids = np.flatnonzero(~is_auto).tolist()
        group_of_strategy = np.full(K, -1, np.intp)
        self._groups: list[dict[str, Any]] = []
        if auto_ids:
            group_of_strategy[auto_ids] = 0
            self._groups.append({"kind": "bank", "strategies": auto_ids})
        families: dict[Any, int] = {}
        for k in other_ids:
            key = type(self.strategies[k]).batch_key
            if key is not None and key in families:
                gi = families[key]
                self._groups[gi]["strategies"].append(k)
            else:
                gi = len(self._groups)
                self._groups.append({"kind": "runner", "strategies": [k], "batch": key is not None})
                if key is not None:
                    families[key] = gi
            group_of_strategy[k] = gi
        self._group_of_agent = group_of_strategy[self.agent_strategy]

        conventions = self.conventions
        if auto_ids and conventions is None:
            conventions = self.strategies[auto_ids[0]].default_conventions(game)
        self._conventions = conventions

        seat_level = matches if self._seat_matches is None else matches[self._seat_matches]
        M_seat = M if seat_level is None else seat_level.shape[0]
        self._seat_player = np.tile(np.arange(P), M_seat)

        seat_agents = None if seat_level is None else seat_level.reshape(-1)
        for gi, g in enumerate(self._groups):
            members = g["strategies"]
            if fixed:
                if len(self._groups) == 1:
                    seats = np.arange(M_seat * P)
                else:
                    seats = np.flatnonzero(self._group_of_agent[seat_agents] == gi)
                unit_strategy = self.agent_strategy[seat_agents[seats]]
                g["seats"] = seats
                g["players"] = self._seat_player[seats]
                # None tells the bank "all units, in seat order" and saves a gather.
                g["units"] = None if (g["kind"] == "bank" and seats.size == M_seat * P) else np.arange(seats.size)
            else:
                agents = np.flatnonzero(np.isin(self.agent_strategy, members))
                unit_of_agent = np.full(self.n_agents, -1, np.intp)
                unit_of_agent[agents] = np.arange(agents.size)
                g["unit_of_agent"] = unit_of_agent
                unit_strategy = self.agent_strategy[agents]
            n_units = unit_strategy.size
            # A split gives the automata two banks: the match-level one keeps the
            # automata's own stream, this one gets a stream after the strategies'.
            rng = stream(3 + K + 1) if (g["kind"] == "bank" and self._auto_matches is not None) \
                else stream(3 + members[0])
            to_local = np.full(K, -1, np.intp)
            to_local[members] = np.arange(len(members))
            local_ids = to_local[unit_strategy]
            if g["kind"] == "bank":
                g["engine"] = AutomatonBank(game, [self.strategies[k] for k in members], local_ids,
                                            rng, conventions)
            elif g["batch"]:
                first = self.strategies[members[0]]
                g["engine"] = type(first).batch_runner(game, [self.strategies[k] for k in members],
                                                       local_ids, rng, conventions)
            else:
                g["engine"] = self.strategies[members[0]].runner(game, n_units, rng, conventions)
            g["context"] = bool(getattr(g["engine"], "wants_context", False))
            g["outcomes"] = bool(getattr(g["engine"], "observes_outcomes", False))
            if fixed:
                g["match_of_seat"] = seats // P
                if g["context"]:
                    g["seat_strategies"] = self.agent_strategy[seat_level[g["match_of_seat"]]]

        # The public signal (one uniform per match and round) for runners that want it;
        # its stream comes after the strategies' so adding it changes no other numbers.
        self._strategy_tuple = tuple(self.strategies)
        self._signal_rng = None
        self._signal_offset = None
        if any(g["context"] for g in self._groups):
            self._signal_rng = stream(3 + K)
            if self.signal == "rotation":
                self._signal_offset = self._signal_rng.random(M_seat)

        # Fast paths for fixed two-player matches between automata: the whole population
        # or, after a split, the automaton-only matches.
        self._product = None
        self._stepper = None
        auto_bank = None
        if self._auto_matches is not None:
            pairs = matches[self._auto_matches].reshape(-1)
            to_local = np.full(K, -1, np.intp)
            to_local[auto_ids] = np.arange(len(auto_ids))
            auto_bank = AutomatonBank(game, [self.strategies[k] for k in auto_ids],
                                      to_local[self.agent_strategy[pairs]], stream(3 + auto_ids[0]), conventions)
        elif (self.fast_path and fixed and P == 2 and len(self._groups) == 1
              and self._groups[0]["kind"] == "bank"):
            auto_bank = self._groups[0]["engine"]
        if auto_bank is not None:
            product = auto_bank.product() if self.noise == 0 else None
            if product is not None:
                self._product = product
                s = auto_bank.initial_states
                self._joint = product.initial(s[0::2], s[1::2])
            elif self._auto_matches is not None or self._groups[0]["units"] is None:
                self._stepper = auto_bank.match_stepper()

        self._table_T = np.ascontiguousarray(game.payoffs.reshape(P, -1).T)   # (n_outcomes, P)
        self._outcome_actions = np.stack(np.unravel_index(np.arange(game.n_outcomes), game.n_actions), axis=1)
        self._t = 0
        # History buffer: the joint action of every match, one row per round.
        self._act_dtype = np.dtype(np.uint8) if max(game.n_actions) <= 256 else np.dtype(np.intp)
        row_bytes = M * P * self._act_dtype.itemsize
        self._rows = max(1, min(_CHUNK, self._horizon, _BUFFER_BYTES // row_bytes))
        # Fixed matchings keep the history for lazily computed series when it is small.
        self._lazy = fixed and self._horizon * row_bytes <= LAZY_SERIES_BYTES
        self._keeps_chunks = self.keep_history or self._lazy
        self._new_buffer()
        self._acc = _Accumulator(self)
        self._last = None
        self._chunks: list[np.ndarray] = []
        self._chunks_agents: list[np.ndarray] = []

    def _new_buffer(self) -> None:
        M, P = self._n_matches, self.game.n_players
        # No more rows than the run has left: kept buffers hold no unused rows.
        rows = max(1, min(self._rows, self._horizon - self._t))
        self._buffer = np.empty((rows, M, P), dtype=self._act_dtype)
        self._buffer_agents = None if self.matching.fixed else np.empty((rows, M, P), dtype=np.intp)
        self._buf_start = 0          # first row not yet accumulated
        self._buf_end = 0            # next row to write

    def _room(self) -> int:
        """Free rows in the buffer, making room first if it is full."""
        if self._buf_end == self._buffer.shape[0]:
            # Accumulate the full buffer; start a fresh one if kept chunks refer to it.
            self._flush()
            if self._keeps_chunks:
                self._new_buffer()
            else:
                self._buf_start = self._buf_end = 0
        return self._buffer.shape[0] - self._buf_end

    def _codes(self, acts: np.ndarray) -> np.ndarray:
        """Flat outcome index of joint actions ``(..., P)`` (C order, as ``ravel_multi_index``)."""
        m = self.game.n_actions
        out = acts[..., 0].astype(np.intp)
        for p in range(1, len(m)):
            out *= m[p]
            out += acts[..., p]
        return out

    # -- stepping ----------------------------------------------------------------
    @property
    def round(self) -> int:
        """Rounds played since the last reset."""
        return self._t

    def runner(self, strategy: Strategy) -> Any:
        """The runner holding the state of all units of ``strategy`` (e.g. a learner's beliefs).

        Automaton strategies share one compiled
        :class:`~gamesim.sim.automata.AutomatonBank`, which is returned for them.
        The runner is replaced at every :meth:`reset` (and so by :meth:`run`).
        """
        if isinstance(strategy, type):
            strategy = strategy()
        for g in self._groups:
            if any(self.strategies[k] == strategy for k in g["strategies"]):
                return g["engine"]
        raise ValueError(f"strategy: {getattr(strategy, 'name', strategy)!r} is not in this population")

    @property
    def horizon(self) -> int:
        """Number of rounds :meth:`run` plays (the longest match)."""
        return self._horizon

    def step(self) -> None:
        """Play one round of every match."""
        if self._t >= self._horizon:
            raise ValueError(f"rounds: the run is over after {self._horizon} rounds; call reset() to start again")
        self._room()
        row = self._buf_end
        stepper = self._stepper
        if self._auto_matches is not None:
            self._auto_rounds(self._buffer[row: row + 1])
            self._buffer[row, self._seat_matches] = self._play_round(row)
        elif self._product is not None:
            outcomes = self._product.outcome[self._joint]
            self._joint = self._product.step[self._joint]
            self._buffer[row] = self._outcome_actions[outcomes]
        elif stepper is not None and stepper.interleaved:
            stepper.play(self._buffer[row: row + 1], self.noise, self._noise_rng)
        elif stepper is not None:
            self._buffer[row] = self._play_round_matches()
        else:
            self._buffer[row] = self._play_round(row)
        self._buf_end += 1
        self._t += 1
        agents = None if self._buffer_agents is None else self._buffer_agents[row: row + 1].copy()
        self._last = (self._buffer[row: row + 1].copy(), agents)

    def _signal(self, n: int) -> np.ndarray:
        """This round's public signal, one uniform per seat-level match."""
        if self._signal_offset is not None:
            # A Kronecker sequence: frac(offset + t * golden ratio) visits [0, 1) evenly.
            return np.modf(self._signal_offset + self._t * _GOLDEN)[0]
        return self._signal_rng.random(n)

    def _play_round(self, row: int) -> np.ndarray:
        """One round on the seat-level path; the joint actions ``(n_seat_matches, P)``."""
        game, P = self.game, self.game.n_players
        M = self._seat_player.size // P
        if self.matching.fixed:
            seat_agent = None
        else:
            matches = self.matching.matches(self.n_agents, P, self._match_rng)
            self._buffer_agents[row] = matches
            seat_agent = matches.ravel()
        signal = None if self._signal_rng is None else self._signal(M)
        acts = np.empty(M * P, dtype=np.intp)
        plan = []
        for gi, g in enumerate(self._groups):
            if seat_agent is None:
                seats, units, players, match_of_seat = g["seats"], g["units"], g["players"], g["match_of_seat"]
            else:
                seats = np.flatnonzero(self._group_of_agent[seat_agent] == gi)
                units = g["unit_of_agent"][seat_agent[seats]]
                players = self._seat_player[seats]
                match_of_seat = seats // P
            plan.append((g, seats, units, players, match_of_seat))
            if g["context"]:
                seat_strategies = (g["seat_strategies"] if seat_agent is None
                                   else self.agent_strategy[matches[match_of_seat]])
                ctx = RoundContext(signal[match_of_seat], seat_strategies, self._strategy_tuple, self._t)
                acts[seats] = g["engine"].act(units, players, ctx)
            else:
                acts[seats] = g["engine"].act(units, players)
        if self.noise > 0:
            acts = self._apply_noise(acts, self._seat_player)
        joint = acts.reshape(M, P)
        outcomes = self._codes(joint)
        for g, seats, units, players, match_of_seat in plan:
            if g["kind"] == "bank":
                g["engine"].observe_outcomes(units, players, outcomes[match_of_seat])
            else:
                codes = outcomes[match_of_seat]
                pay = self._table_T[codes, players]
                if g["outcomes"]:
                    g["engine"].observe_outcomes(units, players, codes, pay)
                else:
                    g["engine"].observe(units, players, joint[match_of_seat], pay)
        return joint

    def _play_round_matches(self) -> np.ndarray:
        """One round of match-level stepping (any two-player game); the joint actions."""
        stepper = self._stepper
        row, col = stepper.actions()
        if self.noise > 0:
            acts = np.empty(2 * row.size, dtype=np.intp)
            acts[0::2], acts[1::2] = row, col
            acts = self._apply_noise(acts, np.tile(np.arange(2), row.size))
            row, col = acts[0::2], acts[1::2]
        outcomes = row * self.game.n_actions[1] + col
        stepper.advance(outcomes)
        return np.stack([row, col], axis=1)

    def _auto_rounds(self, rows: np.ndarray) -> None:
        """Play ``len(rows)`` rounds of the automaton-only matches of a split population."""
        n, idx = rows.shape[0], self._auto_matches
        if self._product is not None:
            js = np.empty((n, idx.stop), np.intp)
            step, joint = self._product.step, self._joint
            for r in range(n):
                js[r] = joint
                joint = step[joint]
            self._joint = joint
            rows[:, idx] = self._outcome_actions[self._product.outcome[js]]
        elif self._stepper.interleaved:
            # Written in place: each round's automaton block is contiguous.
            self._stepper.play(rows[:, idx], self.noise, self._noise_rng)
        else:
            for r in range(n):
                rows[r, idx] = self._play_round_matches()

    def _apply_noise(self, acts: np.ndarray, players: np.ndarray) -> np.ndarray:
        m = np.asarray(self.game.n_actions)[players]
        flip = self._noise_rng.random(acts.size) < self.noise
        if m.max() == 2:
            shift = 1
        else:
            shift = self._noise_rng.integers(1, np.maximum(m, 2))
        return np.where(flip, (acts + shift) % m, acts)

    def _flush(self) -> None:
        """Accumulate the rows played since the last flush (and keep them if needed)."""
        start, end = self._buf_start, self._buf_end
        if end > start:
            t0 = self._t - (end - start)
            acts = self._buffer[start:end]
            agents = None if self._buffer_agents is None else self._buffer_agents[start:end]
            self._acc.add(acts, agents, t0)
            if self._keeps_chunks:
                # Views: a buffer that holds kept rows is never written again.
                self._chunks.append(acts)
                if agents is not None:
                    self._chunks_agents.append(agents)
            self._buf_start = end

    def run(self) -> SimulationResult:
        """Reset (if anything was played), play every round and return the result."""
        if self._t > 0 or self._acc.dirty:
            self.reset()
        if self._auto_matches is not None:
            self._run_split()
        elif self._product is not None:
            self._run_product()
        elif self._stepper is not None and self._stepper.interleaved:
            self._run_stepper()
        else:
            while self._t < self._horizon:
                self.step()
        return self.result()

    def _run_product(self) -> None:
        # Tight loop of the fast path: a round of all matches is one gather.
        step, outcome = self._product.step, self._product.outcome
        joint = self._joint
        M = self._n_matches
        pairs = self._act_dtype == np.uint8
        if pairs:
            # Both actions of a match as one uint16 (two bytes side by side).
            outcome_pair = self._outcome_actions.astype(np.uint8).view(np.uint16).reshape(-1)
        scratch = np.empty((self._rows, M), dtype=np.intp)
        while self._t < self._horizon:
            n = min(self._room(), self._horizon - self._t)
            js = scratch[:n]
            for r in range(n):
                js[r] = joint
                joint = step[joint]
            rows = self._buffer[self._buf_end: self._buf_end + n]
            np.take(outcome, js, out=js)
            if pairs:
                np.take(outcome_pair, js, out=rows.view(np.uint16).reshape(n, M))
            else:
                rows[...] = self._outcome_actions[js]
            self._buf_end += n
            self._t += n
        self._joint = joint

    def _run_split(self) -> None:
        # Automaton-only matches a buffer's worth of rounds at a time, the rest round by round.
        while self._t < self._horizon:
            n = min(self._room(), self._horizon - self._t)
            rows = self._buffer[self._buf_end: self._buf_end + n]
            self._auto_rounds(rows)
            for r in range(n):
                rows[r, self._seat_matches] = self._play_round(self._buf_end)
                self._buf_end += 1
                self._t += 1
        row = self._buf_end - 1
        self._last = (self._buffer[row: row + 1].copy(), None)

    def _run_stepper(self) -> None:
        # Match-level stepping in blocks of rounds, straight into the history buffer.
        stepper = self._stepper
        while self._t < self._horizon:
            n = min(self._room(), self._horizon - self._t)
            stepper.play(self._buffer[self._buf_end: self._buf_end + n], self.noise, self._noise_rng)
            self._buf_end += n
            self._t += n
        row = self._buf_end - 1
        self._last = (self._buffer[row: row + 1].copy(), None)

    def result(self) -> SimulationResult:
        """Figures for the rounds played so far."""
        self._flush()
        result = self._acc.result(self._t)
        if self.keep_history:
            M, P = self._n_matches, self.game.n_players
            joint = (np.concatenate(self._chunks).astype(np.intp) if self._chunks
                     else np.zeros((0, M, P), np.intp))
            agents = (np.concatenate(self._chunks_agents) if self._chunks_agents
                      else np.broadcast_to(self._fixed_matches, joint.shape).copy())
            object.__setattr__(result, "history", joint)
            object.__setattr__(result, "history_agents", agents)
        return result

    def last_round(self) -> dict[str, np.ndarray]:
        """Mean payoff and action frequencies per strategy in the latest :meth:`step`."""
        if self._last is None:
            raise ValueError("round: no round has been played with step() yet")
        acts, agents = self._last
        return self._acc.summarize_round(self._codes(acts), agents, self._t - 1)


def _series_chunk(codes: np.ndarray, seat_strategy: np.ndarray, table: np.ndarray, onehot: np.ndarray,
                  K: int, n_codes: int):
    """Per-round series of a chunk of fixed-matching history.

    ``codes`` (T, M) are flat outcome indices, ``n_codes - 1`` marking a match that is
    over when ``n_codes`` exceeds the number of outcomes.  Returns the payoff sums, turn
    counts and action counts per (round, strategy): shapes (T, K), (T, K), (T, K, A).
    """
    T, M = codes.shape
    O, P = table.shape
    rounds = np.arange(T)[:, None] * K
    s_sum = np.zeros((T, K))
    s_n = np.zeros((T, K))
    s_act = np.zeros((T, K, onehot.shape[2]))
    for p in range(P):
        key = ((rounds + seat_strategy[:, p][None, :]) * n_codes + codes).reshape(-1)
        c = np.bincount(key, minlength=T * K * n_codes).reshape(T, K, n_codes)[:, :, :O]
        s_sum += c @ table[:, p]
        s_n += c.sum(axis=2)
        s_act += c @ onehot[p]
    return s_sum, s_n, s_act


class _FixedSeries(DeferredSeries):
    """The per-round series of a fixed-matching run, computed from its kept history."""

    def __init__(self, chunks: list[np.ndarray], env: "Environment") -> None:
        super().__init__()
        self.chunks = list(chunks)
        self.n_actions = env.game.n_actions
        self.seat_strategy = env.agent_strategy[env._fixed_matches]
        self.table = env._table_T
        self.onehot = env._acc.onehot
        self.K = len(env.strategies)
        self.lengths = None if env.continuation is None else env._lengths

    def _compute(self):
        O = self.table.shape[0]
        sums, ns, acts = [], [], []
        t0 = 0
        for chunk in self.chunks:
            codes = chunk[..., 0].astype(np.intp)
            for p in range(1, len(self.n_actions)):
                codes *= self.n_actions[p]
                codes += chunk[..., p]
            n_codes = O
            if self.lengths is not None:
                over = (t0 + np.arange(codes.shape[0]))[:, None] >= self.lengths[None, :]
                codes[over] = O
                n_codes = O + 1
            s, n, a = _series_chunk(codes, self.seat_strategy, self.table, self.onehot, self.K, n_codes)
            sums.append(s)
            ns.append(n)
            acts.append(a)
            t0 += codes.shape[0]
        A = self.onehot.shape[2]
        s_sum = np.concatenate(sums) if sums else np.zeros((0, self.K))
        s_n = np.concatenate(ns) if ns else np.zeros((0, self.K))
        s_act = np.concatenate(acts) if acts else np.zeros((0, self.K, A))
        with np.errstate(invalid="ignore", divide="ignore"):
            return s_sum / s_n, s_act / s_n[:, :, None], s_n


class _Accumulator:
    """Turns chunks of history into scores, pairwise tables and series.

    Fixed matchings: per-match outcome counts are summed over chunks; agents' totals,
    self-play and pairwise tables follow from them in :meth:`result`.  Random matching:
    agents' figures are accumulated per chunk with bincounts.
    """

    def __init__(self, env: Environment) -> None:
        # A weak reference: no cycle, so a finished environment and its buffers are freed at once.
        self.env = weakref.proxy(env)
        N = env.n_agents
        K = len(env.strategies)
        P = env.game.n_players
        M = env._n_matches
        O = env.game.n_outcomes
        self.K, self.P, self.N, self.M, self.O = K, P, N, M, O
        self.A = max(env.game.n_actions)
        self.dirty = False
        self.onehot = np.zeros((P, O, self.A))
        self.onehot[np.arange(P)[None, :], np.arange(O)[:, None], env._outcome_actions] = 1.0
        self.fixed = env.matching.fixed
        # Two players with two actions each, one byte per action: counts from byte sums.
        self.pairs = (self.fixed and tuple(env.game.n_actions) == (2, 2)
                      and env._act_dtype == np.uint8)
        if self.fixed:
            self.match_counts = np.zeros((M, O))
            self.match_disc = np.zeros((M, O)) if env.discount is not None else None
        else:
            self.total = np.zeros(N)
            self.turns = np.zeros(N)
            self.discounted = np.zeros(N) if env.discount is not None else None
            agent_pairs = P == 2 and N <= MAX_PAIRWISE_AGENTS
            self.pair_total = np.zeros(N * N) if agent_pairs else None
            self.pair_turns = np.zeros(N * N) if agent_pairs else None
            self.spair_total = np.zeros(K * K) if P == 2 else None
            self.spair_turns = np.zeros(K * K) if P == 2 else None
        self.eager_series = not env._lazy
        if self.eager_series:
            H = env.horizon
            self.series_sum = np.zeros((H, K))
            self.series_n = np.zeros((H, K))
            self.series_act = np.zeros((H, K, self.A))

    def _expand(self, outcomes: np.ndarray, agents: np.ndarray | None, t0: int):
        env = self.env
        T, M = outcomes.shape
        pay = np.stack([np.take(env._table_T[:, p], outcomes) for p in range(self.P)], axis=-1)
        acts = np.stack([np.take(env._outcome_actions[:, p], outcomes) for p in range(self.P)], axis=-1)
        if agents is None:
            agents = np.broadcast_to(env._fixed_matches, (T, M, self.P))
            active = (t0 + np.arange(T))[:, None] < env._lengths[None, :]   # (T, M)
        else:
            active = np.broadcast_to(((t0 + np.arange(T)) < env._lengths[0])[:, None], (T, M))
        w = np.broadcast_to(active[:, :, None], (T, M, self.P)).astype(float)
        return pay, acts, agents, w

    def add(self, acts: np.ndarray, agents: np.ndarray | None, t0: int) -> None:
        """Take in the joint actions ``acts`` (T, M, P) of rounds ``t0 .. t0 + T - 1``."""
        self.dirty = True
        if agents is None:
            self._add_fixed(acts, t0)
        else:
            self._add_random(self.env._codes(acts), agents, t0)

    def _add_fixed(self, acts: np.ndarray, t0: int) -> None:
        # Seats never change, so the scores follow from each match's outcome counts.
        env, M, O = self.env, self.M, self.O
        T = acts.shape[0]
        active = None
        if env.continuation is not None:
            active = (t0 + np.arange(T))[:, None] < env._lengths[None, :]          # (T, M)
        codes = None
        if self.pairs:
            self.match_counts += self._pair_counts(acts, active)
        else:
            codes = self._fixed_codes(acts, active)
            n_codes = O if active is None else O + 1
            key = (np.arange(M) * n_codes)[None, :] + codes
            c = np.bincount(key.reshape(-1), minlength=M * n_codes).reshape(M, n_codes)
            self.match_counts += c[:, :O]
        if self.match_disc is not None or self.eager_series:
            if codes is None:
                codes = self._fixed_codes(acts, active)
            n_codes = O if active is None else O + 1
            if self.match_disc is not None:
                key = (np.arange(M) * n_codes)[None, :] + codes
                disc = np.broadcast_to(env.discount ** (t0 + np.arange(T, dtype=float))[:, None], (T, M))
                c = np.bincount(key.reshape(-1), weights=disc.reshape(-1), minlength=M * n_codes)
                self.match_disc += c.reshape(M, n_codes)[:, :O]
            if self.eager_series:
                strat = env.agent_strategy[env._fixed_matches]
                s, n, a = _series_chunk(codes, strat, env._table_T, self.onehot, self.K, n_codes)
                self.series_sum[t0: t0 + T] += s
                self.series_n[t0: t0 + T] += n
                self.series_act[t0: t0 + T] += a

    def _fixed_codes(self, acts: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        codes = self.env._codes(acts)
        if active is not None:
            codes[~active] = self.O                     # a match that is over: no outcome
        return codes

    def _pair_counts(self, acts: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        """Outcome counts per match (M, 4) of a 2x2 game, from byte sums of the actions.

        A match's two actions (bytes a0, a1) read as one uint16 ``v``.  Summing ``v`` over
        at most 255 rounds sums each byte on its own (no carry), which counts a0 = 1 and
        a1 = 1; ``v == v(1, 1)`` counts both.
        """
        T, M = acts.shape[0], self.M
        v = acts.reshape(T, 2 * M).view(np.uint16)                    # (T, M)
        if active is not None:
            v = v * active                                            # a match that is over: (0, 0) ...
            turns = active.sum(axis=0)                                # ... and no turn
        else:
            turns = T
        v11 = np.array([1, 1], np.uint8).view(np.uint16)[0]
        ones = np.zeros((M, 2), np.int64)
        n11 = np.zeros(M, np.int64)
        B = max(1, min(255, T, (1 << 18) // M))                      # rows per block (<= 255)
        both = np.empty((B, M), np.bool_)
        for b in range(0, T, B):
            block = v[b: b + B]
            eq = np.equal(block, v11, out=both[: block.shape[0]])
            ones += np.add.reduce(block, axis=0, dtype=np.uint16).view(np.uint8).reshape(M, 2)
            n11 += np.add.reduce(eq.view(np.uint8), axis=0, dtype=np.uint8)
        n1x, nx1 = ones[:, 0], ones[:, 1]
        counts = np.empty((M, 4))
        counts[:, 0] = turns - n1x - nx1 + n11              # (0, 0)
        counts[:, 1] = nx1 - n11                            # (0, 1)
        counts[:, 2] = n1x - n11                            # (1, 0)
        counts[:, 3] = n11                                  # (1, 1)
        return counts

    def _add_random(self, outcomes: np.ndarray, agents: np.ndarray, t0: int) -> None:
        env, N, K, P, A = self.env, self.N, self.K, self.P, self.A
        pay, acts, agents, w = self._expand(outcomes, agents, t0)
        T = outcomes.shape[0]
        flat_agents = agents.reshape(-1)
        wp = (pay * w).reshape(-1)
        wf = w.reshape(-1)
        self.total += np.bincount(flat_agents, weights=wp, minlength=N)
        self.turns += np.bincount(flat_agents, weights=wf, minlength=N)
        if self.discounted is not None:
            disc = env.discount ** (t0 + np.arange(T, dtype=float))
            self.discounted += np.bincount(flat_agents, weights=(pay * w * disc[:, None, None]).reshape(-1), minlength=N)
        if P == 2:
            a0, a1 = agents[:, :, 0].reshape(-1), agents[:, :, 1].reshape(-1)
            p0, p1 = (pay[:, :, 0] * w[:, :, 0]).reshape(-1), (pay[:, :, 1] * w[:, :, 1]).reshape(-1)
            wm = w[:, :, 0].reshape(-1)
            if self.pair_total is not None:
                self.pair_total += np.bincount(a0 * N + a1, weights=p0, minlength=N * N)
                self.pair_total += np.bincount(a1 * N + a0, weights=p1, minlength=N * N)
                self.pair_turns += np.bincount(a0 * N + a1, weights=wm, minlength=N * N)
                self.pair_turns += np.bincount(a1 * N + a0, weights=wm, minlength=N * N)
            s0, s1 = env.agent_strategy[a0], env.agent_strategy[a1]
            self.spair_total += np.bincount(s0 * K + s1, weights=p0, minlength=K * K)
            self.spair_total += np.bincount(s1 * K + s0, weights=p1, minlength=K * K)
            self.spair_turns += np.bincount(s0 * K + s1, weights=wm, minlength=K * K)
            self.spair_turns += np.bincount(s1 * K + s0, weights=wm, minlength=K * K)
        strat = env.agent_strategy[agents]                                   # (T, M, P)
        key = (np.arange(T)[:, None, None] * K + strat).reshape(-1)
        self.series_sum[t0: t0 + T] += np.bincount(key, weights=wp, minlength=T * K).reshape(T, K)
        self.series_n[t0: t0 + T] += np.bincount(key, weights=wf, minlength=T * K).reshape(T, K)
        self.series_act[t0: t0 + T] += np.bincount(key * A + acts.reshape(-1), weights=wf,
                                                   minlength=T * K * A).reshape(T, K, A)

    def summarize_round(self, outcomes: np.ndarray, agents: np.ndarray | None, t: int) -> dict[str, np.ndarray]:
        pay, acts, agents, w = self._expand(outcomes, agents, t)
        K, A = self.K, self.A
        strat = self.env.agent_strategy[agents].reshape(-1)
        wf = w.reshape(-1)
        n = np.bincount(strat, weights=wf, minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(strat, weights=(pay * w).reshape(-1), minlength=K) / n
            freq = np.bincount(strat * A + acts.reshape(-1), weights=wf, minlength=K * A).reshape(K, A) / n[:, None]
        return {"mean_payoff": mean, "action_freq": freq}

    def _fixed_totals(self):
        """Agents' totals, self-play and pairwise tables from the per-match counts."""
        env, N, P, O = self.env, self.N, self.P, self.O
        # One product gives every seat's payoff total and every match's turns.
        ext = np.empty((O, P + 1))
        ext[:, :P] = env._table_T
        ext[:, P] = 1.0
        per_match = self.match_counts @ ext                           # (M, P + 1)
        match_turns = np.ascontiguousarray(per_match[:, P])
        disc = None if self.match_disc is None else self.match_disc @ env._table_T
        agents = env._fixed_matches                                   # (M, P)
        seat = [np.ascontiguousarray(agents[:, p]) for p in range(P)]
        selfplay = np.ones(agents.shape[0], dtype=bool)
        for p in range(1, P):
            selfplay &= seat[p] == seat[0]
        total, turns = np.zeros(N), np.zeros(N)
        discounted = None if disc is None else np.zeros(N)
        self_total, self_turns = np.zeros(N), np.zeros(N)
        sp_agents = seat[0][selfplay]
        for p in range(P):
            st = np.ascontiguousarray(per_match[:, p])
            total += np.bincount(seat[p], weights=st, minlength=N)
            turns += np.bincount(seat[p], weights=match_turns, minlength=N)
            if disc is not None:
                discounted += np.bincount(seat[p], weights=disc[:, p], minlength=N)
            self_total += np.bincount(sp_agents, weights=st[selfplay], minlength=N)
        self_turns += np.bincount(sp_agents, weights=match_turns[selfplay], minlength=N) * P
        pairs = (None, None), (None, None)
        if P == 2:
            pairs = (self._pair_tables(seat[0], seat[1], per_match, match_turns, N)
                     if N <= MAX_PAIRWISE_AGENTS else (None, None),
                     self._pair_tables(env.agent_strategy[seat[0]], env.agent_strategy[seat[1]],
                                       per_match, match_turns, self.K))
        return total, turns, discounted, self_total, self_turns, pairs

    @staticmethod
    def _pair_tables(row, col, per_match, match_turns, n):
        """(n, n) totals and turns of row-against-column from per-match figures."""
        fwd, bwd = row * n + col, col * n + row
        tot = (np.bincount(fwd, weights=per_match[:, 0], minlength=n * n)
               + np.bincount(bwd, weights=per_match[:, 1], minlength=n * n)).reshape(n, n)
        trn = (np.bincount(fwd, weights=match_turns, minlength=n * n)
               + np.bincount(bwd, weights=match_turns, minlength=n * n)).reshape(n, n)
        return tot, trn

    def result(self, rounds_played: int) -> SimulationResult:
        env, N = self.env, self.N
        if self.fixed:
            total, turns, discounted, self_total, self_turns, pairs = self._fixed_totals()
            (pair_total, pair_turns), (spair_total, spair_turns) = pairs
        else:
            K = self.K
            total, turns = self.total.copy(), self.turns.copy()
            discounted = None if self.discounted is None else self.discounted.copy()
            self_total, self_turns = np.zeros(N), np.zeros(N)
            pair_total = None if self.pair_total is None else self.pair_total.reshape(N, N).copy()
            pair_turns = None if self.pair_turns is None else self.pair_turns.reshape(N, N).copy()
            spair_total = None if self.spair_total is None else self.spair_total.reshape(K, K).copy()
            spair_turns = None if self.spair_turns is None else self.spair_turns.reshape(K, K).copy()
        if self.eager_series:
            with np.errstate(invalid="ignore", divide="ignore"):
                series = self.series_sum[:rounds_played] / self.series_n[:rounds_played]
                actions = self.series_act[:rounds_played] / self.series_n[:rounds_played, :, None]
            series_turns = self.series_n[:rounds_played].copy()
        else:
            series = actions = series_turns = _FixedSeries(env._chunks, env)
        params = {
            "game": env.game.name, "matching": env.matching.name, "rounds": env.rounds,
            "continuation": env.continuation, "noise": env.noise, "discount": env.discount,
            "seed": env.seed if not isinstance(env.seed, np.random.SeedSequence) else str(env.seed),
            "population": dict(zip(env._names, env.counts)),
            "method": (("split: automata " + ("product-automaton" if env._product is not None
                                               else "match-level") + ", others seat-level")
                       if env._auto_matches is not None
                       else "product-automaton" if env._product is not None
                       else "match-level automata" if env._stepper is not None else "seat-level"),
            "signal": env.signal,
        }
        return SimulationResult(
            agent_names=env.agent_names,
            strategy_names=env._names,
            agent_strategy=env.agent_strategy.copy(),
            total_payoff=total, turns=turns,
            discounted_payoff=discounted,
            self_payoff=self_total, self_turns=self_turns,
            pairwise_total=pair_total, pairwise_turns=pair_turns,
            strategy_pairwise_total=spair_total, strategy_pairwise_turns=spair_turns,
            series_payoff=series, series_actions=actions,
            series_turns=series_turns,
            action_names=env.game.actions, rounds_played=rounds_played, parameters=params,
        )


def play_match(game: NormalFormGame, row: Strategy, col: Strategy, rounds: int, *, seed: Any = None,
               noise: float = 0.0, conventions: Conventions | None = None) -> np.ndarray:
    """Actions of one match between two strategies, shape ``(rounds, 2)`` (row, column).

    A convenience for tests and teaching: the match is played by an
    :class:`Environment` like any other.

    Examples
    --------
    >>> import gamesim as gs
    >>> from gamesim.agents import TitForTat, Alternator
    >>> play_match(gs.games.prisoners_dilemma(), TitForTat(), Alternator(), 5)[:, 0].tolist()
    [0, 0, 1, 0, 1]
    """
    from .matching import Matching

    class _OneMatch(Matching):
        fixed = True
        name = "single match"

        def matches(self, n_agents, group_size, rng=None):
            return np.array([[0, 1]], dtype=np.intp)

    env = Environment(game, {row: 1, col: 1} if row != col else {row: 2}, _OneMatch(), rounds,
                      seed=seed, noise=noise, conventions=conventions, keep_history=True)
    return env.run().history[:, 0, :]
