"""The environment: a population of strategies playing a game under a matching rule.

One round of all matches is a constant number of NumPy calls per strategy class:

* all automaton strategies (tit-for-tat, grim trigger, memory-one, ...) share one
  compiled table (:class:`~gamesim.sim.automata.AutomatonBank`); when they are all
  deterministic and there is no noise, a round is one gather on the product
  automaton of each match;
* every other strategy class advances all its units with its runner's ``act`` and
  ``observe``.

Joint actions are stored as flat outcome indices in a history buffer; payoffs,
scores, pairwise tables and per-round series are computed from it in chunks with
``bincount``, never per agent in Python.

References
----------
R. Axelrod, *The Evolution of Cooperation*, 1984 (round-robin tournaments with
self-play, 200 turns).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .automata import AutomatonBank
from .games import NormalFormGame, as_game
from .matching import Matching, as_matching
from .protocol import AutomatonStrategy, Conventions, Strategy
from .results import SimulationResult

__all__ = ["Environment", "parse_population", "play_match"]

_CHUNK = 512


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
        if s not in index:
            index[s] = len(strategies)
            strategies.append(s)
        agent_strategy.extend([index[s]] * int(c))
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
    seed : int or numpy.random.SeedSequence, optional
        All randomness (matching, noise, lengths, each strategy class) comes from
        generators spawned from this seed.
    conventions : Conventions, optional
        What C and D mean for the reactive strategies; default: the agreed profile and
        minmax punishments derived from the game.
    keep_history : bool
        Keep every round's joint actions (``result.history``); costs memory
        proportional to rounds x matches.
    fast_path : bool
        Allow the product-automaton fast path (set False to force the seat-level
        path, e.g. to check one against the other).

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
                 fast_path: bool = True) -> None:
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
        self.conventions = conventions
        self.keep_history = bool(keep_history)
        self.fast_path = bool(fast_path)
        P = self.game.n_players
        for s in self.strategies:
            if s.two_player_only and P != 2:
                raise ValueError(f"population: {s.name} plays two-player games only; the game has {P} players")
        self.n_agents = int(self.agent_strategy.size)
        names = [s.name for s in self.strategies]
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
        root = self.seed if isinstance(self.seed, np.random.SeedSequence) else np.random.SeedSequence(self.seed)
        streams = root.spawn(3 + len(self.strategies))
        self._match_rng = np.random.default_rng(streams[0])
        self._noise_rng = np.random.default_rng(streams[1])
        length_rng = np.random.default_rng(streams[2])
        strategy_rngs = [np.random.default_rng(s) for s in streams[3:]]

        fixed = self.matching.fixed
        if fixed:
            matches = self.matching.matches(self.n_agents, P)
            self._n_matches = matches.shape[0]
        else:
            self._n_matches = self.n_agents // P
            if self._n_matches == 0:
                raise ValueError(f"population: {self.n_agents} agent(s) cannot form a group of {P}")
            matches = None
        self._fixed_matches = matches
        M = self._n_matches
        self._seat_player = np.tile(np.arange(P), M)

        # Match lengths: fixed rounds, or geometric under a continuation probability.
        if self.continuation is None:
            lengths = np.full(M if fixed else 1, self.rounds)
        else:
            draws = length_rng.geometric(1 - self.continuation, size=M if fixed else 1) if self.continuation > 0 else np.ones(M if fixed else 1, int)
            lengths = np.minimum(draws, self.rounds)
        self._lengths = lengths.astype(np.intp)
        self._horizon = int(lengths.max())

        # Groups: one bank for all automaton strategies, one runner per other strategy.
        auto_ids = [k for k, s in enumerate(self.strategies) if isinstance(s, AutomatonStrategy)]
        other_ids = [k for k in range(len(self.strategies)) if k not in auto_ids]
        group_of_strategy = np.full(len(self.strategies), -1, np.intp)
        self._groups: list[dict[str, Any]] = []
        if auto_ids:
            group_of_strategy[auto_ids] = 0
            self._groups.append({"kind": "bank", "strategies": auto_ids})
        for k in other_ids:
            group_of_strategy[k] = len(self._groups)
            self._groups.append({"kind": "runner", "strategies": [k]})
        self._group_of_agent = group_of_strategy[self.agent_strategy]

        conventions = self.conventions
        if auto_ids and conventions is None:
            conventions = self.strategies[auto_ids[0]].default_conventions(game)
        self._conventions = conventions

        for gi, g in enumerate(self._groups):
            members = g["strategies"]
            if fixed:
                seats = np.flatnonzero(self._group_of_agent[matches.ravel()] == gi)
                unit_strategy = self.agent_strategy[matches.ravel()[seats]]
                g["seats"] = seats
                g["players"] = self._seat_player[seats]
                # None tells the bank "all units, in seat order" and saves a gather.
                g["units"] = None if (g["kind"] == "bank" and seats.size == M * P) else np.arange(seats.size)
            else:
                agents = np.flatnonzero(np.isin(self.agent_strategy, members))
                unit_of_agent = np.full(self.n_agents, -1, np.intp)
                unit_of_agent[agents] = np.arange(agents.size)
                g["unit_of_agent"] = unit_of_agent
                unit_strategy = self.agent_strategy[agents]
            n_units = unit_strategy.size
            if g["kind"] == "bank":
                to_local = np.full(len(self.strategies), -1, np.intp)
                to_local[members] = np.arange(len(members))
                local_ids = to_local[unit_strategy]
                g["engine"] = AutomatonBank(game, [self.strategies[k] for k in members], local_ids,
                                            strategy_rngs[members[0]], conventions)
            else:
                k = members[0]
                g["engine"] = self.strategies[k].runner(game, n_units, strategy_rngs[k], conventions)

        # Fast path: fixed matches of deterministic automata without noise.
        self._product = None
        if (self.fast_path and fixed and P == 2 and self.noise == 0 and len(self._groups) == 1 and self._groups[0]["kind"] == "bank"):
            bank = self._groups[0]["engine"]
            product = bank.product()
            if product is not None:
                self._product = product
                s = bank.initial_states
                self._joint = product.initial(s[0::2], s[1::2])

        # Match-level stepping for any other population made only of automata in fixed pairs.
        self._stepper = None
        if (self._product is None and self.fast_path and fixed and P == 2 and len(self._groups) == 1
                and self._groups[0]["kind"] == "bank" and self._groups[0]["units"] is None):
            self._stepper = self._groups[0]["engine"].match_stepper()

        self._table_T = np.ascontiguousarray(game.payoffs.reshape(P, -1).T)   # (n_outcomes, P)
        self._outcome_actions = np.stack(np.unravel_index(np.arange(game.n_outcomes), game.n_actions), axis=1)
        self._t = 0
        self._buffer = np.empty((_CHUNK, M), dtype=np.intp)
        self._buffer_agents = None if fixed else np.empty((_CHUNK, M, P), dtype=np.intp)
        self._buffered = 0
        self._acc = _Accumulator(self)
        self._last = None
        self._history: list[np.ndarray] = []
        self._history_agents: list[np.ndarray] = []

    # -- stepping ----------------------------------------------------------------
    @property
    def round(self) -> int:
        """Rounds played since the last reset."""
        return self._t

    @property
    def horizon(self) -> int:
        """Number of rounds :meth:`run` plays (the longest match)."""
        return self._horizon

    def step(self) -> None:
        """Play one round of every match."""
        if self._t >= self._horizon:
            raise ValueError(f"rounds: the run is over after {self._horizon} rounds; call reset() to start again")
        if self._buffered == _CHUNK:
            self._flush()
        row = self._buffered
        if self._product is not None:
            outcomes = self._product.outcome[self._joint]
            self._joint = self._product.step[self._joint]
        elif self._stepper is not None:
            outcomes = self._play_round_matches()
        else:
            outcomes = self._play_round(row)
        self._buffer[row] = outcomes
        self._buffered += 1
        self._t += 1
        agents = None if self._buffer_agents is None else self._buffer_agents[row: row + 1].copy()
        self._last = (outcomes[None, :].copy(), agents)

    def _play_round(self, row: int) -> np.ndarray:
        game, P, M = self.game, self.game.n_players, self._n_matches
        if self.matching.fixed:
            seat_agent = None
        else:
            matches = self.matching.matches(self.n_agents, P, self._match_rng)
            self._buffer_agents[row] = matches
            seat_agent = matches.ravel()
        acts = np.empty(M * P, dtype=np.intp)
        plan = []
        for gi, g in enumerate(self._groups):
            if seat_agent is None:
                seats, units, players = g["seats"], g["units"], g["players"]
            else:
                seats = np.flatnonzero(self._group_of_agent[seat_agent] == gi)
                units = g["unit_of_agent"][seat_agent[seats]]
                players = self._seat_player[seats]
            plan.append((g, seats, units, players))
            acts[seats] = g["engine"].act(units, players)
        if self.noise > 0:
            acts = self._apply_noise(acts)
        joint = acts.reshape(M, P)
        outcomes = np.ravel_multi_index(tuple(joint.T), game.n_actions)
        for g, seats, units, players in plan:
            match_of_seat = seats // P
            if g["kind"] == "bank":
                g["engine"].observe_outcomes(units, players, outcomes[match_of_seat])
            else:
                pay = self._table_T[outcomes[match_of_seat], players]
                g["engine"].observe(units, players, joint[match_of_seat], pay)
        return outcomes

    def _play_round_matches(self) -> np.ndarray:
        stepper = self._stepper
        row, col = stepper.actions()
        if self.noise > 0:
            acts = np.empty(2 * row.size, dtype=np.intp)
            acts[0::2], acts[1::2] = row, col
            acts = self._apply_noise(acts)
            row, col = acts[0::2], acts[1::2]
        outcomes = row * self.game.n_actions[1] + col
        stepper.advance(outcomes)
        return outcomes

    def _apply_noise(self, acts: np.ndarray) -> np.ndarray:
        m = np.asarray(self.game.n_actions)[self._seat_player]
        flip = self._noise_rng.random(acts.size) < self.noise
        if m.max() == 2:
            shift = 1
        else:
            shift = self._noise_rng.integers(1, np.maximum(m, 2))
        return np.where(flip, (acts + shift) % m, acts)

    def _flush(self) -> None:
        if self._buffered:
            t0 = self._t - self._buffered
            agents = None if self._buffer_agents is None else self._buffer_agents[: self._buffered]
            self._acc.add(self._buffer[: self._buffered], agents, t0)
            if self.keep_history:
                self._history.append(self._buffer[: self._buffered].copy())
                if agents is not None:
                    self._history_agents.append(agents.copy())
            self._buffered = 0

    def run(self) -> SimulationResult:
        """Reset (if anything was played), play every round and return the result."""
        if self._t > 0 or self._acc_dirty():
            self.reset()
        if self._product is not None:
            self._run_product()
        else:
            while self._t < self._horizon:
                self.step()
        return self.result()

    def _run_product(self) -> None:
        # Tight loop of the fast path: a round of all matches is one gather.
        step, outcome = self._product.step, self._product.outcome
        joint = self._joint
        while self._t < self._horizon:
            if self._buffered == _CHUNK:
                self._flush()
            n = min(_CHUNK - self._buffered, self._horizon - self._t)
            buf = self._buffer[self._buffered: self._buffered + n]
            for r in range(n):
                buf[r] = joint
                joint = step[joint]
            np.take(outcome, buf, out=buf)
            self._buffered += n
            self._t += n
        self._joint = joint

    def _acc_dirty(self) -> bool:
        return self._buffered > 0 or bool(self._acc.turns.any())

    def result(self) -> SimulationResult:
        """Figures for the rounds played so far."""
        self._flush()
        result = self._acc.result(self._t)
        if self.keep_history:
            P = self.game.n_players
            outcomes = np.concatenate(self._history) if self._history else np.zeros((0, self._n_matches), np.intp)
            joint = self._outcome_actions[outcomes]                     # (T, M, P)
            agents = (np.concatenate(self._history_agents) if self._history_agents
                      else np.broadcast_to(self._fixed_matches, joint.shape).copy())
            object.__setattr__(result, "history", joint)
            object.__setattr__(result, "history_agents", agents)
        return result

    def last_round(self) -> dict[str, np.ndarray]:
        """Mean payoff and action frequencies per strategy in the latest :meth:`step`."""
        if self._last is None:
            raise ValueError("round: no round has been played with step() yet")
        outcomes, agents = self._last
        return self._acc.summarize_round(outcomes, agents, self._t - 1)


class _Accumulator:
    """Turns chunks of outcome history into scores, pairwise tables and series (bincounts)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        N = env.n_agents
        K = len(env.strategies)
        P = env.game.n_players
        self.K, self.P, self.N = K, P, N
        self.A = max(env.game.n_actions)
        self.total = np.zeros(N)
        self.turns = np.zeros(N)
        self.self_total = np.zeros(N)
        self.self_turns = np.zeros(N)
        self.discounted = np.zeros(N) if env.discount is not None else None
        self.pair_total = np.zeros(N * N) if P == 2 else None
        self.pair_turns = np.zeros(N * N) if P == 2 else None
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

    def add(self, outcomes: np.ndarray, agents: np.ndarray | None, t0: int) -> None:
        if agents is None:
            self._add_fixed(outcomes, t0)
        else:
            self._add_random(outcomes, agents, t0)

    def _add_fixed(self, outcomes: np.ndarray, t0: int) -> None:
        # Seats never change, so everything follows from outcome counts: per match
        # (for totals) and per (round, strategy in a seat position) (for the series).
        env, N, P, K, A = self.env, self.N, self.P, self.K, self.A
        T, M = outcomes.shape
        O = env.game.n_outcomes
        table = env._table_T                                          # (O, P)
        if env.continuation is None:
            w = None
        else:
            w = ((t0 + np.arange(T))[:, None] < env._lengths[None, :]).astype(float).reshape(-1)
        match_key = (np.arange(M) * O + outcomes).reshape(-1)
        per_match = np.bincount(match_key, weights=w, minlength=M * O).reshape(M, O)
        seat_total = per_match @ table                                # (M, P)
        match_turns = per_match.sum(axis=1)                           # (M,)
        agents = env._fixed_matches                                   # (M, P)
        flat_agents = agents.reshape(-1)
        self.total += np.bincount(flat_agents, weights=seat_total.reshape(-1), minlength=N)
        self.turns += np.bincount(flat_agents, weights=np.repeat(match_turns, P), minlength=N)
        if self.discounted is not None:
            disc = np.repeat(env.discount ** (t0 + np.arange(T, dtype=float)), M)
            dw = disc if w is None else disc * w
            per_match_disc = np.bincount(match_key, weights=dw, minlength=M * O).reshape(M, O)
            self.discounted += np.bincount(flat_agents, weights=(per_match_disc @ table).reshape(-1), minlength=N)
        selfplay = np.all(agents == agents[:, :1], axis=1)
        if selfplay.any():
            sp = np.repeat(selfplay, P)
            self.self_total += np.bincount(flat_agents[sp], weights=seat_total.reshape(-1)[sp], minlength=N)
            self.self_turns += np.bincount(flat_agents[sp], weights=np.repeat(match_turns, P)[sp], minlength=N)
        if P == 2:
            a0, a1 = agents[:, 0], agents[:, 1]
            self.pair_total += np.bincount(a0 * N + a1, weights=seat_total[:, 0], minlength=N * N)
            self.pair_total += np.bincount(a1 * N + a0, weights=seat_total[:, 1], minlength=N * N)
            self.pair_turns += np.bincount(a0 * N + a1, weights=match_turns, minlength=N * N)
            self.pair_turns += np.bincount(a1 * N + a0, weights=match_turns, minlength=N * N)
        rounds = np.arange(T)[:, None] * K
        for p in range(P):
            strat = env.agent_strategy[agents[:, p]]
            key = ((rounds + strat[None, :]) * O + outcomes).reshape(-1)
            c = np.bincount(key, weights=w, minlength=T * K * O).reshape(T, K, O)
            self.series_sum[t0: t0 + T] += c @ table[:, p]
            self.series_n[t0: t0 + T] += c.sum(axis=2)
            self.series_act[t0: t0 + T] += c @ self._action_onehot(p)

    def _action_onehot(self, p: int) -> np.ndarray:
        """(n_outcomes, max_actions): which action seat ``p`` plays in each outcome."""
        return np.eye(self.A)[self.env._outcome_actions[:, p]]

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
            self.pair_total += np.bincount(a0 * N + a1, weights=p0, minlength=N * N)
            self.pair_total += np.bincount(a1 * N + a0, weights=p1, minlength=N * N)
            self.pair_turns += np.bincount(a0 * N + a1, weights=wm, minlength=N * N)
            self.pair_turns += np.bincount(a1 * N + a0, weights=wm, minlength=N * N)
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

    def result(self, rounds_played: int) -> SimulationResult:
        env, N = self.env, self.N
        with np.errstate(invalid="ignore", divide="ignore"):
            series = self.series_sum[:rounds_played] / self.series_n[:rounds_played]
            actions = self.series_act[:rounds_played] / self.series_n[:rounds_played, :, None]
        params = {
            "game": env.game.name, "matching": env.matching.name, "rounds": env.rounds,
            "continuation": env.continuation, "noise": env.noise, "discount": env.discount,
            "seed": env.seed if not isinstance(env.seed, np.random.SeedSequence) else str(env.seed),
            "population": {s.name: c for s, c in zip(env.strategies, env.counts)},
            "method": ("product-automaton" if env._product is not None
                       else "match-level automata" if env._stepper is not None else "seat-level"),
        }
        return SimulationResult(
            agent_names=env.agent_names,
            strategy_names=tuple(s.name for s in env.strategies),
            agent_strategy=env.agent_strategy.copy(),
            total_payoff=self.total.copy(), turns=self.turns.copy(),
            discounted_payoff=None if self.discounted is None else self.discounted.copy(),
            self_payoff=self.self_total.copy(), self_turns=self.self_turns.copy(),
            pairwise_total=None if self.pair_total is None else self.pair_total.reshape(N, N).copy(),
            pairwise_turns=None if self.pair_turns is None else self.pair_turns.reshape(N, N).copy(),
            series_payoff=series, series_actions=actions,
            series_turns=self.series_n[:rounds_played].copy(),
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
