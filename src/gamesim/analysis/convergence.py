"""Convergence metrics of learning dynamics, from empirical joint-action counts.

A learner's progress is judged by what its *empirical* play looks like: the
frequencies with which each player used each action (compared with Nash
equilibria) and the empirical distribution of joint actions (compared with the
correlated-equilibrium polytope).  Everything here works on counts of joint
actions, shape ``(batch, m_1, ..., m_n)``, so many runs are measured at once, and
:func:`convergence_trace` evaluates the metrics at log-spaced checkpoints of a
recorded history: cumulative sums make that cheap.

Metrics
-------
* empirical mixed strategies (marginals of the empirical joint distribution);
* ``nash_conv`` of the empirical profile: sum of best-response gains (Lanctot et
  al. 2017);
* ``ce_violation`` of the empirical joint distribution: the largest gain from a
  swap deviation (Hart & Mas-Colell 2000: regret matching drives it to 0);
* average external regret of each player (the coarse-CE gap): how much better the
  best fixed action would have done against the realised play of the others;
* distance to the nearest Nash equilibrium (two players): L1 distance of the
  empirical profile to the closest equilibrium returned by
  :func:`~gamesim.analysis.equilibria.nash_equilibria`.  In degenerate games that
  function returns the extreme points of equilibrium components, so the distance
  is to the nearest extreme equilibrium (an upper bound on the distance to the set).

References
----------
.. [HM00] S. Hart and A. Mas-Colell, "A simple adaptive procedure leading to
   correlated equilibrium", Econometrica 68(5), 2000.
.. [L17] M. Lanctot et al., "A unified game-theoretic approach to multiagent
   reinforcement learning", NeurIPS 2017.
.. [FL98] D. Fudenberg and D. K. Levine, *The Theory of Learning in Games*, MIT
   Press, 1998.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..sim.games import NormalFormGame, as_game
from .equilibria import ce_violation, nash_conv, nash_equilibria

__all__ = ["ConvergenceTrace", "log_checkpoints", "joint_counts", "empirical_marginals",
           "external_regret", "distance_to_nash", "convergence_metrics", "convergence_trace"]


def log_checkpoints(rounds: int, n: int = 60, start: int = 1) -> np.ndarray:
    """About ``n`` log-spaced round counts from ``start`` to ``rounds`` (unique, sorted, inclusive).

    Examples
    --------
    >>> log_checkpoints(1000, n=4).tolist()
    [1, 10, 100, 1000]
    """
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise ValueError(f"rounds: must be a positive integer, got {rounds!r}")
    if n < 1:
        raise ValueError(f"n: must be positive, got {n}")
    pts = np.unique(np.round(np.geomspace(max(start, 1), rounds, num=n)).astype(np.int64))
    return pts[(pts >= 1) & (pts <= rounds)]


def joint_counts(game: NormalFormGame, history: Any) -> np.ndarray:
    """Counts of each joint action per match from a history ``(rounds, matches, n_players)``.

    Returns
    -------
    ndarray, shape (matches, m_1, ..., m_n)
    """
    game = as_game(game)
    h = np.asarray(history)
    if h.ndim != 3 or h.shape[2] != game.n_players:
        raise ValueError(f"history: expected shape (rounds, matches, {game.n_players}), got {h.shape}")
    T, M, _ = h.shape
    flat = np.ravel_multi_index(tuple(np.moveaxis(h, 2, 0)), game.n_actions)     # (T, M)
    O = game.n_outcomes
    counts = np.bincount((np.arange(M) * O + flat).ravel(), minlength=M * O)
    return counts.reshape((M,) + game.n_actions).astype(float)


def _as_distribution(game: NormalFormGame, counts: Any) -> tuple[np.ndarray, bool]:
    C = np.asarray(counts, dtype=float)
    shape = game.n_actions
    single = C.shape == shape
    if single:
        C = C[None]
    if C.shape[1:] != shape:
        raise ValueError(f"counts: expected shape {shape} or (batch, *{shape}), got {C.shape}")
    if np.any(C < 0) or not np.all(np.isfinite(C)):
        raise ValueError("counts: must be finite and non-negative")
    total = C.reshape(C.shape[0], -1).sum(axis=1)
    if np.any(total <= 0):
        raise ValueError("counts: every entry of the batch needs at least one observation")
    return C / total.reshape((-1,) + (1,) * len(shape)), single


def empirical_marginals(game: NormalFormGame, counts: Any) -> list[np.ndarray]:
    """Each player's empirical mixed strategy, shape ``(batch, m_i)`` per player."""
    game = as_game(game)
    D, _ = _as_distribution(game, counts)
    n = game.n_players
    return [D.sum(axis=tuple(1 + j for j in range(n) if j != i)) for i in range(n)]


def external_regret(game: NormalFormGame, counts: Any) -> np.ndarray:
    """Average external regret of each player under the empirical joint distribution.

    ``max_l E[u_i(l, a_-i)] - E[u_i(a)]`` (may be negative), shape ``(batch, n_players)``:
    the per-round gain the best fixed action would have had against the others'
    realised play [HM00]_.
    """
    game = as_game(game)
    D, _ = _as_distribution(game, counts)
    b, n = D.shape[0], game.n_players
    out = np.empty((b, n))
    for i in range(n):
        U = game.payoffs[i]
        realised = D.reshape(b, -1) @ U.reshape(-1)
        others = D.sum(axis=1 + i).reshape(b, -1)                   # distribution of a_-i
        Ui = np.moveaxis(U, i, 0).reshape(U.shape[i], -1)           # (m_i, others)
        fixed = others @ Ui.T                                       # value of always playing l
        out[:, i] = fixed.max(axis=1) - realised
    return out


def distance_to_nash(game: NormalFormGame, profile: Sequence[Any],
                     equilibria: Sequence[Any] | None = None) -> np.ndarray:
    """L1 distance of mixed profiles to the nearest listed Nash equilibrium (two players).

    ``sum_i |x_i - x_i^*|_1`` minimised over the equilibria (all of them by default,
    from :func:`~gamesim.analysis.equilibria.nash_equilibria`).

    Returns
    -------
    ndarray, shape (batch,)
    """
    game = as_game(game)
    if game.n_players != 2:
        raise ValueError(f"game: distance to Nash is offered for two-player games, got {game.n_players} players")
    if equilibria is None:
        equilibria = [eq.strategies for eq in nash_equilibria(game)]
    xs = [np.atleast_2d(np.asarray(x, dtype=float)) for x in profile]
    best = None
    for eq in equilibria:
        d = sum(np.abs(xs[i] - np.asarray(eq[i], dtype=float)[None, :]).sum(axis=1) for i in range(2))
        best = d if best is None else np.minimum(best, d)
    if best is None:
        raise ValueError("equilibria: no equilibrium to measure against")
    return best


def convergence_metrics(game: NormalFormGame, counts: Any, equilibria: Sequence[Any] | None = None) -> dict[str, np.ndarray]:
    """All convergence metrics for a batch of empirical joint-action counts.

    Returns a dict of arrays over the batch: ``marginals`` (list per player of
    ``(batch, m_i)``), ``nash_conv``, ``ce_violation``, ``external_regret``
    (``(batch, n_players)``) and, for two-player games, ``distance_to_nash``.
    """
    game = as_game(game)
    D, _ = _as_distribution(game, counts)
    marg = empirical_marginals(game, D)
    out: dict[str, Any] = {
        "marginals": marg,
        "nash_conv": np.asarray(nash_conv(game, marg), dtype=float).reshape(-1),
        "ce_violation": np.asarray(ce_violation(game, D), dtype=float).reshape(-1),
        "external_regret": external_regret(game, D),
    }
    if game.n_players == 2:
        out["distance_to_nash"] = distance_to_nash(game, marg, equilibria)
    return out


@dataclass(frozen=True)
class ConvergenceTrace:
    """Convergence metrics at checkpoints of a run (or of a batch of runs).

    Attributes
    ----------
    rounds : ndarray, shape (n_checkpoints,)
        Number of rounds played at each checkpoint.
    marginals : list of ndarray, shape (n_checkpoints, batch, m_i)
        Empirical mixed strategy of each player.
    nash_conv, ce_violation : ndarray, shape (n_checkpoints, batch)
    external_regret : ndarray, shape (n_checkpoints, batch, n_players)
    distance_to_nash : ndarray or None, shape (n_checkpoints, batch)
    game : str
    method : str
    actions : tuple of tuple of str, optional
        Action names per player (used to label plots).
    """

    rounds: np.ndarray
    marginals: list[np.ndarray]
    nash_conv: np.ndarray
    ce_violation: np.ndarray
    external_regret: np.ndarray
    distance_to_nash: np.ndarray | None
    game: str
    method: str = "empirical joint distribution at checkpoints"
    params: dict[str, Any] = field(default_factory=dict)
    actions: tuple[tuple[str, ...], ...] | None = None


def convergence_trace(game: NormalFormGame, history: Any, checkpoints: Any = None,
                      equilibria: Sequence[Any] | None = None) -> ConvergenceTrace:
    """Convergence metrics of every match of a history at log-spaced checkpoints.

    Parameters
    ----------
    game : NormalFormGame
    history : array_like of int, shape (rounds, matches, n_players)
        Joint actions per round, e.g. ``Environment(..., keep_history=True).run().history``
        with a fixed matching (each match is one independent run).
    checkpoints : array_like of int, optional
        Round counts to evaluate at; default :func:`log_checkpoints`.

    Examples
    --------
    >>> import numpy as np
    >>> from gamesim.sim.catalogue import matching_pennies
    >>> h = np.array([[[0, 0]], [[1, 1]], [[0, 1]], [[1, 0]]])     # every outcome once
    >>> tr = convergence_trace(matching_pennies(), h, checkpoints=[4])
    >>> tr.marginals[0][0, 0].tolist(), float(tr.nash_conv[0, 0])
    ([0.5, 0.5], 0.0)
    """
    game = as_game(game)
    h = np.asarray(history)
    if h.ndim != 3 or h.shape[2] != game.n_players:
        raise ValueError(f"history: expected shape (rounds, matches, {game.n_players}), got {h.shape}")
    T, M, _ = h.shape
    if T == 0:
        raise ValueError("history: no rounds recorded")
    cps = log_checkpoints(T) if checkpoints is None else np.asarray(checkpoints, dtype=np.int64)
    if cps.ndim != 1 or cps.size == 0 or cps.min() < 1 or cps.max() > T:
        raise ValueError(f"checkpoints: must be round counts in 1..{T}")
    if game.n_players == 2 and equilibria is None:
        equilibria = [eq.strategies for eq in nash_equilibria(game)]
    O = game.n_outcomes
    flat = np.ravel_multi_index(tuple(np.moveaxis(h, 2, 0)), game.n_actions)   # (T, M)
    # Cumulative joint counts at the checkpoints, via one bincount per segment.
    counts = np.zeros((M, O))
    prev = 0
    rows = []
    for c in cps.tolist():
        seg = flat[prev:c]
        if seg.size:
            counts += np.bincount((np.arange(M) * O + seg).ravel(), minlength=M * O).reshape(M, O)
        prev = c
        rows.append(convergence_metrics(game, counts.reshape((M,) + game.n_actions), equilibria))
    return ConvergenceTrace(
        rounds=cps,
        marginals=[np.stack([r["marginals"][i] for r in rows]) for i in range(game.n_players)],
        nash_conv=np.stack([r["nash_conv"] for r in rows]),
        ce_violation=np.stack([r["ce_violation"] for r in rows]),
        external_regret=np.stack([r["external_regret"] for r in rows]),
        distance_to_nash=np.stack([r["distance_to_nash"] for r in rows]) if game.n_players == 2 else None,
        game=game.name,
        params={"matches": M, "rounds": T},
        actions=game.actions,
    )
