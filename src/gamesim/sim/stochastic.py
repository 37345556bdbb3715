"""Stochastic (Markov) games: the model and a vectorized transition engine.

A stochastic game (Shapley 1953) has players ``N``, finite states ``Q``, in every
state ``q`` an action set per player (sizes may differ by state), a stage reward
``R[q][i, a_1, ..., a_n]`` and a transition law ``P[q][a_1, ..., a_n, q']``.  Play
starts in a state drawn from an initial distribution; each round the players act,
collect the state's rewards and the state moves on.  Payoffs are discounted sums
(``discount`` in (0, 1)) or long-run averages (``discount=None``).

A repeated game is a one-state stochastic game (:meth:`StochasticGame.repeated`); a
Markov decision process is a one-player one.

The engine (:func:`step`) advances a batch of matches, each in its own state, with a
constant number of NumPy calls: the joint action of every match is turned into one
flat index into a table of all (state, joint action) pairs, rewards are one gather
from it, and next states are drawn by inverse CDF from the pair's transition row.

References
----------
.. [S53] L. S. Shapley, "Stochastic games", PNAS 39, 1095-1100, 1953.
.. [notes] "Game theory course notes", ``shared/seeds/game-theory-course-notes.md``
   (states Q, players N, actions A, transitions P, rewards R).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._arrays import as_number
from .._arrays import frozen as _frozen
from .games import NormalFormGame

__all__ = ["StochasticGame", "step", "contested_game", "commons_game"]

#: Tolerance on transition rows and the initial distribution summing to one.
PROB_TOL = 1e-9


def _as_float_array(value: Any, field: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: expected an array of numbers") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    return arr


class StochasticGame:
    """A finite stochastic game with per-state action sets.

    Parameters
    ----------
    rewards : sequence of array_like, or array_like
        Per state ``q`` an array of shape ``(n, m_1(q), ..., m_n(q))``: player ``i``'s
        stage reward at each joint action.  A single array of shape
        ``(S, n, m_1, ..., m_n)`` gives every state the same action counts.
    transitions : sequence of array_like, or array_like
        Per state an array of shape ``(m_1(q), ..., m_n(q), S)``: the distribution of
        the next state after each joint action (non-negative, rows summing to one
        within ``PROB_TOL``).  Or one array ``(S, m_1, ..., m_n, S)``.
    discount : float or None
        Discount factor in (0, 1); ``None`` for the long-run average reward.
    initial : int or array_like, optional
        Initial state, or a distribution over states (default: state 0).
    states : sequence of str, optional
    actions : sequence (per state) of sequences (per player) of str, optional
    players : sequence of str, optional
    name : str, optional

    Raises
    ------
    ValueError
        Naming the field: inconsistent shapes, negative probabilities, rows that do
        not sum to one, a discount outside (0, 1), names that do not match.

    Examples
    --------
    >>> g = StochasticGame.repeated(NormalFormGame.zero_sum([[1, -1], [-1, 1]]), discount=0.5)
    >>> g.n_states, g.n_players, g.n_actions(0)
    (1, 2, (2, 2))
    """

    def __init__(self, rewards: Any, transitions: Any, discount: float | None = 0.9, *,
                 initial: Any = 0, states: Sequence[str] | None = None,
                 actions: Sequence[Sequence[Sequence[str]]] | None = None,
                 players: Sequence[str] | None = None, name: str | None = None) -> None:
        R = self._per_state(rewards, "rewards")
        S = len(R)
        if S == 0:
            raise ValueError("rewards: need at least one state")
        T = self._per_state(transitions, "transitions")
        if len(T) != S:
            raise ValueError(f"transitions: {len(T)} states, but rewards has {S}")
        n = R[0].shape[0] if R[0].ndim >= 1 else 0
        if n < 1:
            raise ValueError("rewards: each state's array must have shape (n_players, m_1, ..., m_n)")
        shapes = []
        for q, (r, t) in enumerate(zip(R, T)):
            if r.ndim != n + 1 or r.shape[0] != n:
                raise ValueError(f"rewards: state {q} has shape {r.shape}; expected (n_players={n}, m_1, ..., m_{n})")
            m = r.shape[1:]
            if min(m) < 1:
                raise ValueError(f"rewards: state {q} gives a player no action (shape {r.shape})")
            if t.shape != m + (S,):
                raise ValueError(f"transitions: state {q} has shape {t.shape}; expected {m + (S,)} "
                                 "(the joint actions of its rewards, then the next state)")
            if np.any(t < 0):
                raise ValueError(f"transitions: state {q} has negative probabilities")
            sums = t.sum(axis=-1)
            if np.any(np.abs(sums - 1.0) > PROB_TOL):
                bad = np.unravel_index(int(np.argmax(np.abs(sums - 1.0))), m)
                raise ValueError(f"transitions: in state {q} the row of joint action {tuple(int(x) for x in bad)} "
                                 f"sums to {float(sums[bad]):.12g}, not 1")
            shapes.append(tuple(int(x) for x in m))
        self._rewards = tuple(_frozen(r) for r in R)
        self._transitions = tuple(_frozen(t / t.sum(axis=-1, keepdims=True)) for t in T)
        self._shapes = tuple(shapes)
        self.n_players = n
        self.n_states = S
        if discount is not None:
            if isinstance(discount, bool):
                raise ValueError(f"discount: expected a number in (0, 1) or None, got {discount!r}")
            try:
                d = float(discount)
            except (TypeError, ValueError):
                raise ValueError(f"discount: expected a number in (0, 1) or None, got {discount!r}") from None
            if not 0 < d < 1:
                raise ValueError(f"discount: must lie in (0, 1) (None for average reward), got {discount!r}")
            discount = d
        self.discount = discount
        self.initial = self._initial(initial)
        self.states = self._names(states, S, "states", "q")
        self.players = self._names(players, n, "players", "player ")
        if actions is None:
            acts = tuple(tuple(tuple(f"a{k}" for k in range(m[i])) for i in range(n)) for m in shapes)
        else:
            if len(actions) != S:
                raise ValueError(f"actions: expected names for {S} states, got {len(actions)}")
            acts = []
            for q, per_player in enumerate(actions):
                if len(per_player) != n:
                    raise ValueError(f"actions: state {q} names actions of {len(per_player)} players, expected {n}")
                row = []
                for i, names in enumerate(per_player):
                    names = tuple(str(x) for x in names)
                    if len(names) != shapes[q][i]:
                        raise ValueError(f"actions: state {q}, player {i} has {shapes[q][i]} actions, "
                                         f"got {len(names)} names")
                    row.append(names)
                acts.append(tuple(row))
            acts = tuple(acts)
        self.actions = acts
        self.name = name
        self._tables = None

    # -- construction helpers -------------------------------------------------------
    @staticmethod
    def _per_state(value: Any, field: str) -> list[np.ndarray]:
        if isinstance(value, np.ndarray) or not isinstance(value, Sequence):
            arr = _as_float_array(value, field)
            if arr.ndim < 2:
                raise ValueError(f"{field}: expected one array per state, got shape {arr.shape}")
            return [arr[q] for q in range(arr.shape[0])]
        return [_as_float_array(v, f"{field}[{q}]") for q, v in enumerate(value)]

    def _initial(self, initial: Any) -> np.ndarray:
        S = self.n_states
        if isinstance(initial, (int, np.integer)) and not isinstance(initial, bool):
            if not 0 <= initial < S:
                raise ValueError(f"initial: state {initial} out of range 0..{S - 1}")
            out = np.zeros(S)
            out[int(initial)] = 1.0
            return _frozen(out)
        p = _as_float_array(initial, "initial")
        if p.shape != (S,):
            raise ValueError(f"initial: expected a state index or {S} probabilities, got shape {p.shape}")
        if np.any(p < 0) or abs(p.sum() - 1.0) > PROB_TOL:
            raise ValueError("initial: probabilities must be non-negative and sum to 1")
        return _frozen(p / p.sum())

    @staticmethod
    def _names(names: Any, count: int, field: str, prefix: str) -> tuple[str, ...]:
        if names is None:
            return tuple(f"{prefix}{k}" for k in range(count))
        names = tuple(str(x) for x in names)
        if len(names) != count:
            raise ValueError(f"{field}: expected {count} names, got {len(names)}")
        return names

    @classmethod
    def repeated(cls, game: NormalFormGame, discount: float | None = 0.9, **kwargs: Any) -> "StochasticGame":
        """The repeated game of ``game``: one state that never changes."""
        if not isinstance(game, NormalFormGame):
            raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
        T = np.ones(game.n_actions + (1,))
        return cls([game.payoffs], [T], discount, actions=[game.actions], players=game.players,
                   name=kwargs.pop("name", game.name), **kwargs)

    @classmethod
    def mdp(cls, rewards: Any, transitions: Any, discount: float | None = 0.9, **kwargs: Any) -> "StochasticGame":
        """A Markov decision process: ``rewards[q]`` shape (m(q),), ``transitions[q]`` (m(q), S)."""
        R = [np.asarray(_as_float_array(r, f"rewards[{q}]"))[None, :] for q, r in enumerate(rewards)]
        return cls(R, transitions, discount, **kwargs)

    # -- accessors -----------------------------------------------------------------
    def n_actions(self, state: int) -> tuple[int, ...]:
        """Action counts of every player in ``state``."""
        return self._shapes[state]

    def rewards(self, state: int) -> np.ndarray:
        """Stage rewards ``(n, m_1, ..., m_n)`` in ``state`` (read-only)."""
        return self._rewards[state]

    def transitions(self, state: int) -> np.ndarray:
        """Next-state distributions ``(m_1, ..., m_n, S)`` from ``state`` (read-only)."""
        return self._transitions[state]

    def stage_game(self, state: int) -> NormalFormGame:
        """The stage game of ``state`` (its immediate rewards only)."""
        return NormalFormGame(self._rewards[state], players=self.players, actions=self.actions[state],
                              name=f"{self.name or 'stochastic game'}, state {self.states[state]}")

    @property
    def is_zero_sum(self) -> bool:
        """Two players whose rewards sum to zero in every state and joint action."""
        if self.n_players != 2:
            return False
        return all(np.allclose(r[0] + r[1], 0.0, atol=1e-12 * (1 + np.abs(r).max())) for r in self._rewards)

    def __repr__(self) -> str:
        return (f"StochasticGame(name={self.name!r}, n_players={self.n_players}, n_states={self.n_states}, "
                f"discount={self.discount})")

    # -- flat tables for the engine ---------------------------------------------------
    def tables(self) -> "_Tables":
        """Flat (state, joint action) tables used by :func:`step` (built once)."""
        if self._tables is None:
            self._tables = _Tables(self)
        return self._tables


class _Tables:
    """Every (state, joint action) pair as one flat index, with its rewards and transition CDF."""

    def __init__(self, game: StochasticGame) -> None:
        n, S = game.n_players, game.n_states
        sizes = np.array([int(np.prod(m)) for m in game._shapes], dtype=np.intp)
        self.offset = np.zeros(S, dtype=np.intp)
        np.cumsum(sizes[:-1], out=self.offset[1:])
        total = int(sizes.sum())
        # C-order strides of each state's joint-action index, padded to n players.
        self.strides = np.zeros((S, n), dtype=np.intp)
        self.n_actions = np.zeros((S, n), dtype=np.intp)
        for q, m in enumerate(game._shapes):
            self.n_actions[q] = m
            for i in range(n):
                self.strides[q, i] = int(np.prod(m[i + 1:]))
        self.rewards = np.empty((n, total))
        cdf = np.empty((total, S))
        for q in range(S):
            sl = slice(self.offset[q], self.offset[q] + sizes[q])
            self.rewards[:, sl] = game._rewards[q].reshape(n, -1)
            cdf[sl] = np.cumsum(game._transitions[q].reshape(-1, S), axis=1)
        # Drop the last column (always 1): next = number of thresholds the uniform passes.
        self.thresholds = np.ascontiguousarray(cdf[:, :-1])
        self.deterministic_next = None
        rows = np.concatenate([t.reshape(-1, S) for t in game._transitions])
        # Deterministic only if every row is exactly one-hot: tiny probabilities must not vanish.
        if np.all((rows == 0) | (rows == 1)):
            self.deterministic_next = (cdf < 0.5).sum(axis=1).astype(np.intp)
        self.total = total


def step(game: StochasticGame, states: Any, actions: Any, rng: np.random.Generator,
         *, check: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Rewards and next states for a batch of matches, each in its own state.

    Parameters
    ----------
    game : StochasticGame
    states : array_like of int, shape (B,)
        Each match's current state.
    actions : array_like of int, shape (n_players, B)
        Each player's action in each match (valid in that match's state).
    rng : numpy.random.Generator
        Draws one uniform per match for the next state (inverse CDF of the
        transition row), unless every transition is deterministic.
    check : bool
        Validate states and actions (a few extra array calls); set False in a hot loop
        whose inputs are valid by construction.

    Returns
    -------
    rewards : ndarray, shape (n_players, B)
    next_states : ndarray of int, shape (B,)

    Examples
    --------
    >>> P = [[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0]]]        # state 0: action 0 -> 1, action 1 -> 0
    >>> g = StochasticGame([[[1.0, 2.0]], [[0.0]]], P, 0.9)
    >>> r, s = step(g, [0, 0, 1], [[0, 1, 0]], np.random.default_rng(0))
    >>> r.tolist(), s.tolist()
    ([[1.0, 2.0, 0.0]], [1, 0, 1])
    """
    tab = game.tables()
    q = np.asarray(states, dtype=np.intp)
    a = np.asarray(actions, dtype=np.intp)
    if check:
        if q.ndim != 1:
            raise ValueError(f"states: expected a 1-D array of state indices, got shape {q.shape}")
        if a.shape != (game.n_players, q.size):
            raise ValueError(f"actions: expected shape ({game.n_players}, {q.size}), got {a.shape}")
        if q.size and (q.min() < 0 or q.max() >= game.n_states):
            raise ValueError(f"states: indices must lie in 0..{game.n_states - 1}")
        if q.size and (np.any(a < 0) or np.any(a >= tab.n_actions[q].T)):
            raise ValueError("actions: an action is out of range for its match's state")
    # Flat index of (state, joint action): offset of the state plus the C-order index.
    code = tab.offset[q] + np.einsum("bi,ib->b", tab.strides[q], a)
    rewards = tab.rewards[:, code]
    if tab.deterministic_next is not None:
        return rewards, tab.deterministic_next[code]
    u = rng.random(q.size)
    nxt = (u[:, None] >= tab.thresholds[code]).sum(axis=1)
    return rewards, nxt


def contested_game(discount: float = 0.9, bonus: float = 0.0) -> StochasticGame:
    """A three-state game: a contested state that can be won (W) or lost (L) for good.

    In state 0 the stage game is ``[[2, -1], [-1, 1]]`` for player 1 (player 2 gets the
    negative); (0, 0) and (1, 1) stay in 0, (0, 1) moves to W with probability 1/2 and
    (1, 0) to L with probability 1/2.  W pays player 1 +1 forever, L pays -1.  With
    ``discount=0.9`` Shapley's value of state 0 is 6.459904809 (and 10, -10 in W, L).
    ``bonus`` adds that much to player 2's reward at (0, 0) in state 0 (a general-sum
    variant: with ``bonus=3`` the CoCo values are (20, 10, -10) and (10, -10, 10)).

    References
    ----------
    ALGORITHMS.md section 7, worked example (verified there by a root finder).

    Examples
    --------
    >>> contested_game().n_states, contested_game().states
    (3, ('0', 'W', 'L'))
    """
    R0 = np.array([[2.0, -1.0], [-1.0, 1.0]])
    R0_2 = -R0.copy()
    R0_2[0, 0] += float(bonus)
    P0 = np.zeros((2, 2, 3))
    P0[0, 0, 0] = P0[1, 1, 0] = 1.0
    P0[0, 1, [1, 0]] = 0.5
    P0[1, 0, [2, 0]] = 0.5
    rewards = [np.stack([R0, R0_2]), np.array([[[1.0]], [[-1.0]]]), np.array([[[-1.0]], [[1.0]]])]
    transitions = [P0, np.array([[[0.0, 1.0, 0.0]]]), np.array([[[0.0, 0.0, 1.0]]])]
    return StochasticGame(rewards, transitions, discount, states=["0", "W", "L"],
                          actions=[[["a0", "a1"], ["b0", "b1"]], [["stay"], ["stay"]], [["stay"], ["stay"]]],
                          name="contested (ALGORITHMS 7)")


def commons_game(capacity: int = 10, regrowth: int = 2, recovery: float = 0.1, restrained: float = 1.0,
                 greedy: float = 2.0, discount: float = 0.95) -> StochasticGame:
    """Two players share a renewable resource whose stock ``0..capacity`` is the state.

    Each round both choose *restrain* (take ``restrained`` units) or *harvest* (take
    ``greedy``); if the stock cannot cover both demands it is split in proportion.
    What is left regrows by ``regrowth`` units (capped at ``capacity``); an exhausted
    stock (0) recovers one unit only with probability ``recovery``.  Harvesting pays
    more in every round (a prisoner's dilemma in each state), but two harvesters
    deplete the stock, while two restrained players take exactly the regrowth
    (``2 * restrained == regrowth`` by default) and keep it.  Fractional stock after a
    split is rounded down.  Play starts at full stock.

    Examples
    --------
    >>> g = commons_game()
    >>> g.n_states, g.rewards(10)[:, 1, 1].tolist(), g.rewards(1)[:, 1, 1].tolist()
    (11, [2.0, 2.0], [0.5, 0.5])
    """
    for field, v in (("capacity", capacity), ("regrowth", regrowth)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{field}: must be a positive integer, got {v!r}")
    as_number(recovery, "recovery", low=0.0, high=1.0)
    as_number(restrained, "restrained", low=0.0, low_open=True)
    as_number(greedy, "greedy", low=0.0, low_open=True)
    if not restrained < greedy:
        raise ValueError(f"restrained, greedy: need 0 < restrained < greedy, got {restrained!r}, {greedy!r}")
    S = capacity + 1
    demand = np.array([restrained, greedy], dtype=float)
    rewards, transitions = [], []
    for s in range(S):
        R = np.zeros((2, 2, 2))
        T = np.zeros((2, 2, S))
        for a in range(2):
            for b in range(2):
                want = demand[[a, b]]
                scale = min(1.0, s / want.sum())
                took = want * scale
                R[:, a, b] = took
                left = int(np.floor(s - took.sum() + 1e-9))
                if left > 0:
                    T[a, b, min(capacity, left + regrowth)] = 1.0
                else:
                    T[a, b, min(capacity, 1)] += recovery
                    T[a, b, 0] += 1.0 - recovery
        rewards.append(R)
        transitions.append(T)
    names = [["restrain", "harvest"], ["restrain", "harvest"]]
    return StochasticGame(rewards, transitions, discount, initial=capacity, states=[str(s) for s in range(S)],
                          actions=[names] * S, name=f"commons (capacity {capacity})")

