"""The vectorized payoff engine: the hot loop of every simulation.

Pure functions over plain NumPy arrays.  ``play`` turns a batch of integer joint
actions into payoffs with one flat-index gather into the game's payoff table;
``expected_payoffs`` and ``action_values`` contract the payoff tensor against
batches of mixed strategies.  All are vectorized over the batch, for any number of
players.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from .games import NormalFormGame, as_game

__all__ = ["play", "flat_index", "payoff_table", "expected_payoffs", "action_values", "as_mixed_batch"]

_PROB_ATOL = 1e-8


def payoff_table(game: NormalFormGame) -> np.ndarray:
    """The payoff tensor viewed as ``(n_players, n_outcomes)``, outcomes in C order (no copy)."""
    return game.payoffs.reshape(game.n_players, -1)


def flat_index(game: NormalFormGame, actions: Any) -> np.ndarray:
    """C-order outcome index of each joint action in a batch.

    Parameters
    ----------
    game : NormalFormGame
    actions : array_like of int, shape (n_players, batch)

    Returns
    -------
    ndarray of intp, shape (batch,)

    Raises
    ------
    ValueError
        If the shape is wrong, the entries are not integers, or an action is out of
        range (the message names the player).
    """
    a = np.asarray(actions)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] != game.n_players:
        raise ValueError(
            f"actions: expected shape (n_players={game.n_players}, batch), got {np.shape(actions)}"
        )
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "b" or a.size == 0:
            a = a.astype(np.intp)
        else:
            raise ValueError(f"actions: expected integer action indices, got dtype {a.dtype}")
    # One pass per player: viewed as unsigned, a negative action becomes huge, so a
    # single max() catches both ends (np.ravel_multi_index checks element by element).
    unsigned = a.view(a.dtype.str.replace("i", "u")) if a.dtype.kind == "i" else a
    highs = unsigned.max(axis=1) if a.shape[1] else np.zeros(a.shape[0], dtype=unsigned.dtype)
    for i, m in enumerate(game.n_actions):
        if highs[i] >= m:
            bad = (a[i] < 0) | (a[i] >= m)
            raise ValueError(
                f"actions[{i}]: action {a[i][bad][0]} out of range 0..{m - 1} "
                f"for player {game.players[i]}"
            )
    flat = a[0].astype(np.intp, copy=True)
    for i in range(1, game.n_players):
        flat *= game.n_actions[i]
        flat += a[i]
    return flat


def play(game: NormalFormGame, actions: Any) -> np.ndarray:
    """Payoffs of a batch of pure joint actions.

    Computes ``payoffs[i, a_1[k], ..., a_n[k]]`` for every player ``i`` and batch
    element ``k`` with one gather into the flattened payoff table.

    Parameters
    ----------
    game : NormalFormGame
    actions : array_like of int, shape (n_players, batch)
        ``actions[i, k]`` is player ``i``'s action in the ``k``-th play.

    Returns
    -------
    ndarray, shape (n_players, batch)

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> play(prisoners_dilemma(), [[0, 0, 1], [0, 1, 1]])
    array([[3., 0., 1.],
           [3., 5., 1.]])
    """
    game = as_game(game)
    return np.take(payoff_table(game), flat_index(game, actions), axis=1)


def as_mixed_batch(game: NormalFormGame, mixed: Sequence[Any], field: str = "mixed") -> tuple[list[np.ndarray], bool]:
    """Validate mixed strategies and bring them to shape ``(batch, m_i)``.

    Returns the list of arrays and whether the input was a single profile (no batch
    axis), so callers can squeeze the result back.
    """
    if isinstance(mixed, np.ndarray) and mixed.dtype != object:
        raise ValueError(f"{field}: expected one array per player (a list), got a single array of shape {mixed.shape}")
    mixed = list(mixed)
    if len(mixed) != game.n_players:
        raise ValueError(f"{field}: {len(mixed)} strategies given for {game.n_players} players")
    out = []
    ndims = set()
    for i, x in enumerate(mixed):
        try:
            x = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{field}[{i}]: must be an array of probabilities") from None
        ndims.add(x.ndim)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != game.n_actions[i]:
            raise ValueError(
                f"{field}[{i}]: expected {game.n_actions[i]} probabilities (or shape (batch, "
                f"{game.n_actions[i]})), got shape {np.shape(mixed[i])}"
            )
        sums = x.sum(axis=1)
        # NaN or inf anywhere makes the total non-finite: one reduction instead of a pass per check.
        if not np.isfinite(sums.sum()) or x.min() < -_PROB_ATOL:
            raise ValueError(f"{field}[{i}]: probabilities must be finite and non-negative")
        if np.abs(sums - 1.0).max() > 1e-6:
            raise ValueError(f"{field}[{i}]: probabilities must sum to 1 (got sums {sums[:3]}...)")
        out.append(x)
    batches = {x.shape[0] for x in out}
    if len(batches - {1}) > 1:
        raise ValueError(f"{field}: batch sizes differ between players: {sorted(batches)}")
    single = ndims == {1}
    return out, single


def _letters(n: int) -> str:
    letters = string.ascii_letters.replace("z", "").replace("p", "")
    if n > len(letters):
        raise ValueError(f"game: {n} players is more than the engine's einsum supports ({len(letters)})")
    return letters[:n]


def expected_payoffs(game: NormalFormGame, mixed: Sequence[Any]) -> np.ndarray:
    """Expected payoffs of independent mixed strategies, for a batch of profiles.

    Computes ``sum_a payoffs[i, a] * prod_j x_j[a_j]`` for every player ``i``.

    Parameters
    ----------
    game : NormalFormGame
    mixed : sequence of n_players arrays
        Player ``j``'s mixed strategy, shape ``(m_j,)`` or ``(batch, m_j)``.

    Returns
    -------
    ndarray, shape (n_players,) for one profile or (n_players, batch)

    Examples
    --------
    >>> from gamesim.sim.catalogue import matching_pennies
    >>> expected_payoffs(matching_pennies(), [[0.5, 0.5], [0.9, 0.1]])
    array([0., 0.])
    """
    game = as_game(game)
    xs, single = as_mixed_batch(game, mixed)
    n = game.n_players
    acts = _letters(n)
    subs = "p" + acts + "," + ",".join(f"z{c}" for c in acts) + "->pz"
    out = np.einsum(subs, game.payoffs, *xs, optimize=True)
    return out[:, 0] if single else out


def action_values(game: NormalFormGame, player: int, mixed: Sequence[Any]) -> np.ndarray:
    """Each of ``player``'s pure actions' expected payoff against the others' mixed strategies.

    The entry for ``player`` in ``mixed`` is ignored (pass anything of the right
    shape, or ``None``).

    Returns
    -------
    ndarray, shape (m_player,) for one profile or (batch, m_player)

    Examples
    --------
    >>> from gamesim.sim.catalogue import prisoners_dilemma
    >>> action_values(prisoners_dilemma(), 0, [None, [0.5, 0.5]])
    array([1.5, 3. ])
    """
    game = as_game(game)
    game._check_player(player)
    mixed = list(mixed)
    if len(mixed) != game.n_players:
        raise ValueError(f"mixed: {len(mixed)} strategies given for {game.n_players} players")
    m = game.n_actions[player]
    mixed[player] = np.full(m, 1.0 / m) if mixed[player] is None else mixed[player]
    xs, single = as_mixed_batch(game, mixed)
    n = game.n_players
    acts = _letters(n)
    own = acts[player]
    operands = [game.payoffs[player]]
    subs = [acts]
    for j in range(n):
        if j != player:
            operands.append(xs[j])
            subs.append("z" + acts[j])
    if n == 1:   # nobody else to average over: the payoff row itself
        out = np.array(game.payoffs[player])[None, :]
    else:
        out = np.einsum(",".join(subs) + "->z" + own, *operands, optimize=True)
    batch = max(x.shape[0] for x in xs)
    if out.shape[0] == 1 and batch > 1:
        out = np.broadcast_to(out, (batch, m)).copy()
    return out[0] if single else out
