"""Shared pieces of the learning scenarios: play as constant segments, traces, tables, plots.

Fictitious play run by :func:`~gamesim.agents.fast_fp.fictitious_play` comes back as
*constant segments* of play (rows ``start, length, row action, column action``); a
kept :class:`~gamesim.sim.environment.Environment` history becomes the same rows
with :func:`segments_from_history`.  From segments, the joint-action counts after
any number of rounds are cheap (:func:`joint_counts_at`), and
:func:`trace_from_counts` turns them into a
:class:`~gamesim.analysis.convergence.ConvergenceTrace` (batch of one run), so the
plotting functions of :mod:`gamesim.analysis.plots` apply to both engines.

Nothing here is a scenario; the scenario modules import it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "fp_segments", "segments_from_history", "joint_counts_at", "trace_from_counts", "trace_rows",
    "joint_label", "joint_table", "parse_numbers", "parse_profile", "save_csv", "new_figure",
    "loglog_slope", "environment_traces",
]


# -- play as segments ----------------------------------------------------------------------
def fp_segments(result: Any) -> np.ndarray:
    """Constant segments ``(start, length, a, b)`` of a single :func:`fictitious_play` run."""
    seg = result.segments
    if seg is None:
        raise ValueError("result: fictitious_play was run without keep_actions")
    return np.asarray(seg[:, 1:], dtype=np.int64)


def segments_from_history(history: Any) -> np.ndarray:
    """Constant segments ``(start, length, a, b)`` of one two-player run's joint actions.

    Parameters
    ----------
    history : array_like of int, shape (rounds, 2)

    Examples
    --------
    >>> segments_from_history([[1, 1], [1, 0], [1, 0], [0, 0]]).tolist()
    [[0, 1, 1, 1], [1, 2, 1, 0], [3, 1, 0, 0]]
    """
    h = np.asarray(history, dtype=np.int64)
    if h.ndim != 2 or h.shape[1] != 2 or h.shape[0] == 0:
        raise ValueError(f"history: expected shape (rounds, 2) with at least one round, got {h.shape}")
    change = np.flatnonzero(np.any(h[1:] != h[:-1], axis=1)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [h.shape[0]]]))
    return np.stack([starts, lengths, h[starts, 0], h[starts, 1]], axis=1)


def joint_counts_at(segments: Any, times: Any, shape: tuple[int, int]) -> np.ndarray:
    """Joint-action counts over the first ``t`` rounds, for each ``t`` in ``times``.

    Parameters
    ----------
    segments : array_like of int, shape (E, 4)
        ``(start, length, a, b)``, sorted by start and covering rounds ``0 .. T - 1``.
    times : array_like of int
        Round counts in ``1 .. T``.
    shape : (m, n)
        Numbers of actions.

    Returns
    -------
    ndarray, shape (len(times), m, n)

    Examples
    --------
    >>> joint_counts_at([[0, 1, 1, 1], [1, 2, 1, 0], [3, 1, 0, 0]], [1, 4], (2, 2)).tolist()
    [[[0.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [2.0, 1.0]]]
    """
    seg = np.asarray(segments, dtype=np.int64).reshape(-1, 4)
    t = np.asarray(times, dtype=np.int64).reshape(-1)
    m, n = shape
    E = seg.shape[0]
    starts, lengths, cell = seg[:, 0], seg[:, 1], seg[:, 2] * n + seg[:, 3]
    before = np.zeros((E, m * n))
    before[np.arange(E), cell] = lengths
    before = np.cumsum(before, axis=0) - before                   # counts before each segment
    e = np.searchsorted(starts, t - 1, side="right") - 1          # segment holding round t - 1
    if np.any(e < 0) or np.any(t > starts[-1] + lengths[-1]):
        raise ValueError("times: must lie within the rounds the segments cover")
    out = before[e].copy()
    out[np.arange(t.size), cell[e]] += (t - starts[e]).astype(float)
    return out.reshape(t.size, m, n)


# -- traces ------------------------------------------------------------------------------------
def trace_from_counts(game: Any, times: Any, counts: Any, equilibria: Sequence[Any] | None = None) -> Any:
    """A :class:`~gamesim.analysis.convergence.ConvergenceTrace` of one run from its counts at checkpoints.

    ``counts`` has shape ``(len(times), m_1, ..., m_n)`` (from :func:`joint_counts_at`);
    the trace's batch axis has length one.
    """
    from ..analysis.convergence import ConvergenceTrace, convergence_metrics

    times = np.asarray(times, dtype=np.int64)
    met = convergence_metrics(game, counts, equilibria)
    return ConvergenceTrace(
        rounds=times,
        marginals=[x[:, None, :] for x in met["marginals"]],
        nash_conv=met["nash_conv"][:, None],
        ce_violation=met["ce_violation"][:, None],
        external_regret=met["external_regret"][:, None, :],
        distance_to_nash=None if met.get("distance_to_nash") is None else met["distance_to_nash"][:, None],
        game=game.name,
        method="empirical joint distribution at checkpoints, from constant segments of play",
        params={"matches": 1, "rounds": int(times[-1])},
        actions=game.actions,
    )


def trace_rows(game: Any, trace: Any, run: int = 0) -> list[dict[str, Any]]:
    """One dict per checkpoint of run ``run``: rounds, each player's frequencies, the metrics."""
    rows = []
    for j, t in enumerate(trace.rounds.tolist()):
        row: dict[str, Any] = {"rounds": t}
        for i, marg in enumerate(trace.marginals):
            for a, name in enumerate(game.actions[i]):
                row[f"p{i + 1}_{name}"] = float(marg[j, run, a])
        row["nash_conv"] = float(trace.nash_conv[j, run])
        row["ce_violation"] = float(trace.ce_violation[j, run])
        if trace.distance_to_nash is not None:
            row["distance_to_nash"] = float(trace.distance_to_nash[j, run])
        rows.append(row)
    return rows


def environment_traces(game: Any, population: Mapping[Any, int], rounds: int, seed: Any,
                       checkpoints: Any, progress: Any = None, label: str = "rounds") -> tuple[Any, Any]:
    """Self-play runs side by side: ``Environment(matching="pairs", keep_history=True)`` and its trace.

    ``population`` maps each strategy to its number of agents (twice its number of
    runs); agents pair up in population order, so every match is a strategy against
    itself.  Returns ``(result, trace)`` with the trace over all matches.
    """
    from ..analysis.convergence import convergence_trace
    from ..sim.environment import Environment
    from ._base import run_environment

    env = Environment(game, dict(population), matching="pairs", rounds=rounds, keep_history=True, seed=seed)
    result = run_environment(env, progress, label=label)
    trace = convergence_trace(game, result.history, checkpoints)
    return result, trace


# -- names and parsing ----------------------------------------------------------------------
def joint_label(game: Any, joint: Sequence[int]) -> str:
    """``"(T, H)"``: the action names of a joint action."""
    return "(" + ", ".join(game.actions[i][int(a)] for i, a in enumerate(joint)) + ")"


def joint_table(game: Any, dist: Any) -> dict[str, float]:
    """A joint distribution over two players' actions as ``{"(a, b)": probability}`` (row-major)."""
    D = np.asarray(dist, dtype=float)
    return {joint_label(game, idx): float(D[idx]) for idx in np.ndindex(*D.shape)}


def parse_numbers(text: str, size: int, field: str, *, non_negative: bool = True) -> tuple[float, ...]:
    """``"1.5,2"`` -> ``(1.5, 2.0)``; exactly ``size`` finite numbers, else ``ValueError`` naming ``field``.

    Examples
    --------
    >>> parse_numbers("1.5, 2", 2, "belief_1")
    (1.5, 2.0)
    >>> parse_numbers("1,x", 2, "belief_1")
    Traceback (most recent call last):
    ...
    ValueError: belief_1: expected 2 comma-separated numbers, got '1,x'
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{field}: expected {size} comma-separated numbers, got {text!r}") from None
    if len(vals) != size:
        raise ValueError(f"{field}: expected {size} comma-separated numbers, got {text!r}")
    if not all(math.isfinite(v) for v in vals):
        raise ValueError(f"{field}: expected finite numbers, got {text!r}")
    if non_negative and any(v < 0 for v in vals):
        raise ValueError(f"{field}: weights must be non-negative, got {text!r}")
    return vals


def parse_profile(game: Any, text: str, field: str) -> tuple[int, ...]:
    """``"a,b"`` -> action indices, one name (or index) per player.

    Examples
    --------
    >>> from gamesim.sim.catalogue import shapley_game
    >>> parse_profile(shapley_game(), "a, c", "start")
    (0, 2)
    """
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != game.n_players:
        raise ValueError(f"{field}: expected {game.n_players} comma-separated actions, got {text!r}")
    out = []
    for i, p in enumerate(parts):
        names = game.actions[i]
        if p in names:
            out.append(names.index(p))
        elif p.isdigit() and int(p) < len(names):
            out.append(int(p))
        else:
            raise ValueError(f"{field}: unknown action {p!r} for player {i + 1} (actions: {', '.join(names)})")
    return tuple(out)


# -- output ----------------------------------------------------------------------------------
def save_csv(rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write ``rows`` (dicts with the same keys) as a CSV file."""
    import pandas as pd

    pd.DataFrame(list(rows)).to_csv(path, index=False)
    return path


def new_figure(width: float, height: float) -> Any:
    """A matplotlib figure (object API, constrained layout), like the ones in :mod:`gamesim.analysis.plots`."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def loglog_slope(x: Any, y: Any) -> float:
    """Least-squares slope of ``log y`` against ``log x`` over the points with ``y > 0`` (NaN if < 2)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])
