"""Game models as validated data.

A :class:`NormalFormGame` is a payoff tensor ``payoffs[i, a_1, ..., a_n]`` holding
the utility of player ``i`` when the players choose actions ``a_1, ..., a_n``, plus
player and action names.  It is immutable: the array is copied and made read-only
on construction, so a game can be cached and shared by many agents.

This module imports nothing else of gamesim; every other part builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["NormalFormGame", "as_game"]


def _as_float_array(value: Any, field: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be an array of numbers ({exc})") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    return arr


class NormalFormGame:
    """A finite normal-form (strategic) game with any number of players.

    Parameters
    ----------
    payoffs : array_like, shape (n_players, m_1, ..., m_n)
        ``payoffs[i, a_1, ..., a_n]`` is player ``i``'s utility at the joint action
        ``(a_1, ..., a_n)``.  Every player needs at least one action and there must
        be at least one player; the leading axis must equal the number of action axes.
    players : sequence of str, optional
        Player names; default ``("P1", "P2", ...)``.
    actions : sequence of sequence of str, optional
        Action names per player; default ``("a0", "a1", ...)``.  For a game whose
        players share one action set (a symmetric game) a single flat sequence of
        names is accepted.
    name : str, optional
        A label used in tables and plots.

    Raises
    ------
    ValueError
        Naming the field: wrong shape, NaN/inf payoffs, fewer than one action, or
        names whose counts do not match the tensor.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3, 0], [5, 1]]); B = A.T
    >>> g = NormalFormGame.from_bimatrix(A, B, actions=["C", "D"])
    >>> g.n_players, g.n_actions
    (2, (2, 2))
    >>> g.payoff_vector((0, 1))
    array([0., 5.])
    """

    def __init__(
        self,
        payoffs: Any,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        arr = _as_float_array(payoffs, "payoffs")
        if arr.ndim < 2:
            raise ValueError(
                "payoffs: expected shape (n_players, m_1, ..., m_n) with at least one "
                f"player, got shape {arr.shape}"
            )
        n = arr.shape[0]
        if arr.ndim != n + 1:
            raise ValueError(
                f"payoffs: leading axis says {n} players but the tensor has "
                f"{arr.ndim - 1} action axes (shape {arr.shape}); "
                "expected shape (n_players, m_1, ..., m_n)"
            )
        if any(m < 1 for m in arr.shape[1:]):
            raise ValueError(f"payoffs: every player needs at least one action, shape {arr.shape}")
        arr.setflags(write=False)
        self._payoffs = arr
        self.players: tuple[str, ...] = self._check_players(players, n)
        self.actions: tuple[tuple[str, ...], ...] = self._check_actions(actions, arr.shape[1:])
        self.name = name if name is not None else f"{'x'.join(map(str, arr.shape[1:]))} game"

    # -- construction helpers -------------------------------------------------
    @staticmethod
    def _check_players(players: Sequence[str] | None, n: int) -> tuple[str, ...]:
        if players is None:
            return tuple(f"P{i + 1}" for i in range(n))
        if isinstance(players, str):
            raise ValueError("players: expected a sequence of names, got a single string")
        names = tuple(str(p) for p in players)
        if len(names) != n:
            raise ValueError(f"players: {len(names)} names given for {n} players")
        if len(set(names)) != n:
            raise ValueError(f"players: names must be distinct, got {names}")
        return names

    @staticmethod
    def _check_actions(actions: Any, counts: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
        if actions is None:
            return tuple(tuple(f"a{k}" for k in range(m)) for m in counts)
        if isinstance(actions, str):
            raise ValueError("actions: expected a sequence of names, got a single string")
        actions = list(actions)
        if actions and all(isinstance(a, str) for a in actions):
            actions = [actions] * len(counts)  # one shared action set
        if len(actions) != len(counts):
            raise ValueError(f"actions: {len(actions)} action lists given for {len(counts)} players")
        out = []
        for i, (names, m) in enumerate(zip(actions, counts)):
            if isinstance(names, str):
                raise ValueError(f"actions[{i}]: expected a sequence of names, got a single string")
            names = tuple(str(a) for a in names)
            if len(names) != m:
                raise ValueError(f"actions[{i}]: {len(names)} names given for {m} actions")
            if len(set(names)) != m:
                raise ValueError(f"actions[{i}]: names must be distinct, got {names}")
            out.append(names)
        return tuple(out)

    @classmethod
    def from_bimatrix(
        cls, A: Any, B: Any, *, players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | Sequence[str] | None = None, name: str | None = None,
    ) -> "NormalFormGame":
        """Two-player game from the row player's matrix ``A`` and the column player's ``B``.

        ``A[r, c]`` and ``B[r, c]`` are the payoffs when row plays ``r`` and column
        plays ``c`` (the convention of Nashpy and Gambit).
        """
        A = _as_float_array(A, "A")
        B = _as_float_array(B, "B")
        if A.ndim != 2:
            raise ValueError(f"A: expected a 2-D matrix, got shape {A.shape}")
        if B.shape != A.shape:
            raise ValueError(f"B: shape {B.shape} does not match A's shape {A.shape}")
        return cls(np.stack([A, B]), players=players, actions=actions, name=name)

    @classmethod
    def zero_sum(cls, A: Any, **kwargs: Any) -> "NormalFormGame":
        """Two-player zero-sum game: the row player gets ``A``, the column player ``-A``."""
        A = _as_float_array(A, "A")
        return cls.from_bimatrix(A, -A, **kwargs)

    @classmethod
    def symmetric(cls, A: Any, *, n_players: int = 2, **kwargs: Any) -> "NormalFormGame":
        """Symmetric game from one player's payoff table.

        For two players ``A[r, c]`` is the payoff of playing ``r`` against ``c``; the
        column player gets ``A.T``.  For ``n_players > 2`` pass ``A`` with ``n_players``
        axes, ``A[own, other_1, ..., other_{n-1}]``, and the game is built so that each
        player's payoff is ``A`` with that player's action first and the others in
        seat order.
        """
        A = _as_float_array(A, "A")
        if n_players < 2:
            raise ValueError(f"n_players: a symmetric game needs at least 2 players, got {n_players}")
        if A.ndim != n_players:
            raise ValueError(f"A: expected {n_players} axes for {n_players} players, got shape {A.shape}")
        if len(set(A.shape)) != 1:
            raise ValueError(f"A: every axis must have the same length in a symmetric game, got {A.shape}")
        for j in range(1, n_players - 1):
            axes = list(range(n_players))
            axes[j], axes[j + 1] = axes[j + 1], axes[j]
            if not np.allclose(A, np.transpose(A, axes)):
                raise ValueError(
                    "A: a symmetric game's payoff must not depend on the order of the "
                    "other players (A must be symmetric in axes 1..n-1)"
                )
        tensors = []
        for i in range(n_players):
            # Player i's own action is axis i; the others keep their seat order.
            order = [i] + [j for j in range(n_players) if j != i]
            tensors.append(np.transpose(A, np.argsort(order)))
        return cls(np.stack(tensors), **kwargs)

    # -- accessors ------------------------------------------------------------
    @property
    def payoffs(self) -> np.ndarray:
        """The read-only payoff tensor, shape ``(n_players, m_1, ..., m_n)``."""
        return self._payoffs

    @property
    def n_players(self) -> int:
        return self._payoffs.shape[0]

    @property
    def n_actions(self) -> tuple[int, ...]:
        return self._payoffs.shape[1:]

    @property
    def n_outcomes(self) -> int:
        return int(np.prod(self.n_actions))

    def payoff_matrix(self, player: int) -> np.ndarray:
        """Player ``player``'s payoff tensor over joint actions."""
        self._check_player(player)
        return self._payoffs[player]

    def payoff_vector(self, profile: Sequence[int]) -> np.ndarray:
        """Payoffs of all players at one pure joint action."""
        profile = tuple(int(a) for a in profile)
        if len(profile) != self.n_players:
            raise ValueError(f"profile: {len(profile)} actions given for {self.n_players} players")
        for i, (a, m) in enumerate(zip(profile, self.n_actions)):
            if not 0 <= a < m:
                raise ValueError(f"profile[{i}]: action {a} out of range 0..{m - 1}")
        return self._payoffs[(slice(None),) + profile].copy()

    def outcome_payoffs(self) -> np.ndarray:
        """All outcomes' payoff vectors, shape ``(n_outcomes, n_players)`` in C order."""
        return self._payoffs.reshape(self.n_players, -1).T.copy()

    def action_index(self, player: int, action: int | str) -> int:
        """Index of an action given by index or name."""
        self._check_player(player)
        if isinstance(action, str):
            try:
                return self.actions[player].index(action)
            except ValueError:
                raise ValueError(
                    f"action: {action!r} is not an action of {self.players[player]} "
                    f"(actions: {', '.join(self.actions[player])})"
                ) from None
        a = int(action)
        if not 0 <= a < self.n_actions[player]:
            raise ValueError(f"action: {a} out of range 0..{self.n_actions[player] - 1}")
        return a

    def _check_player(self, player: int) -> None:
        if not 0 <= int(player) < self.n_players:
            raise ValueError(f"player: {player} out of range 0..{self.n_players - 1}")

    @property
    def is_two_player(self) -> bool:
        return self.n_players == 2

    def is_zero_sum(self, atol: float = 1e-12) -> bool:
        """Whether payoffs sum to zero at every outcome."""
        return bool(np.allclose(self._payoffs.sum(axis=0), 0.0, atol=atol))

    def is_symmetric(self, atol: float = 1e-12) -> bool:
        """Whether every permutation of players permutes payoffs the same way."""
        if len(set(self.n_actions)) != 1:
            return False
        n = self.n_players
        base = self._payoffs[0]
        for i in range(1, n):
            order = [i] + [j for j in range(n) if j != i]
            if not np.allclose(self._payoffs[i], np.transpose(base, np.argsort(order)), atol=atol):
                return False
        if n > 2:
            # Player 0's payoff must not depend on the order of the others.
            for j in range(1, n - 1):
                axes = list(range(n))
                axes[j], axes[j + 1] = axes[j + 1], axes[j]
                if not np.allclose(base, np.transpose(base, axes), atol=atol):
                    return False
        return True

    def with_payoffs(self, payoffs: Any, name: str | None = None) -> "NormalFormGame":
        """Same players and actions, new payoff tensor (e.g. an affine transformation)."""
        return NormalFormGame(payoffs, players=self.players, actions=self.actions,
                              name=name if name is not None else self.name)

    # -- value semantics ------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalFormGame):
            return NotImplemented
        return (self.players == other.players and self.actions == other.actions
                and np.array_equal(self._payoffs, other._payoffs))

    def __hash__(self) -> int:
        return hash((self.players, self.actions, self._payoffs.tobytes()))

    def __repr__(self) -> str:
        return f"NormalFormGame(name={self.name!r}, players={self.players}, n_actions={self.n_actions})"

    def __str__(self) -> str:
        if self.n_players != 2:
            return repr(self)
        rows = [f"{self.name}: {self.players[0]} (rows) vs {self.players[1]} (columns)"]
        width = max(len(a) for a in self.actions[0])
        header = " " * width + " | " + " | ".join(self.actions[1])
        rows.append(header)
        for r, ra in enumerate(self.actions[0]):
            cells = [f"{self._payoffs[0, r, c]:g},{self._payoffs[1, r, c]:g}" for c in range(self.n_actions[1])]
            rows.append(ra.ljust(width) + " | " + " | ".join(cells))
        return "\n".join(rows)


def as_game(game: Any) -> NormalFormGame:
    """Return ``game`` if it is a :class:`NormalFormGame`, else raise a clear error."""
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game: expected a NormalFormGame, got {type(game).__name__}")
    return game
