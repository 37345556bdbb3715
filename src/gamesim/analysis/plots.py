"""Plots of simulation results, each returning a :class:`matplotlib.figure.Figure`.

Figures are built with the object-oriented API (no ``pyplot``): nothing is shown,
no global figure registry grows, and it works with any backend (the command line
uses Agg).  In a notebook a returned figure displays itself; to write it, use
:func:`save_figure`.

Contents
--------
Tournaments (:class:`~gamesim.sim.results.SimulationResult`)
    :func:`score_distribution`, :func:`pairwise_heatmap`, :func:`cooperation_rate`
Repeated-game thresholds
    :func:`discount_sweep`
Learning dynamics (:class:`~gamesim.analysis.convergence.ConvergenceTrace`)
    :func:`convergence`, :func:`simplex_trajectory`, :func:`regret_decay`
Output
    :func:`save_figure`
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["score_distribution", "pairwise_heatmap", "cooperation_rate", "discount_sweep", "save_figure",
           "moving_average", "convergence", "simplex_trajectory", "regret_decay"]


# -- helpers ------------------------------------------------------------------------
def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _ranked_indices(result: Any) -> list[int]:
    """Strategy indices, best mean score first (NaN scores last)."""
    scores = result.strategy_scores()
    names = list(result.strategy_names)
    order = sorted(range(len(names)),
                   key=lambda k: (not np.isfinite(scores[names[k]]), -np.nan_to_num(scores[names[k]], nan=0.0)))
    return order


def _order(result: Any, order: str | Sequence[str] | None) -> list[int]:
    names = list(result.strategy_names)
    if order is None or order == "ranking":
        return _ranked_indices(result)
    if order == "population":
        return list(range(len(names)))
    if isinstance(order, str):
        raise ValueError(f"order: expected 'ranking', 'population' or a list of strategy names, got {order!r}")
    idx = []
    for n in order:
        if n not in names:
            raise ValueError(f"order: unknown strategy {n!r} (known: {', '.join(names)})")
        idx.append(names.index(n))
    return idx


def _action_label(result: Any, action: int) -> str:
    names = result.action_names[0] if result.action_names else ()
    return str(names[action]) if action < len(names) else f"action {action}"


# -- tournaments --------------------------------------------------------------------
def score_distribution(result: Any, *, include_self_play: bool = False,
                       order: str | Sequence[str] | None = "ranking", title: str | None = None) -> Figure:
    """Box plot per strategy of its mean payoff per turn against each opponent.

    For every agent of a strategy, each opponent agent it met contributes one value
    (the agent's mean payoff per turn in that pairing, from ``result.pairwise_payoff``),
    so the box shows how a strategy's score is spread over its opponents.  A diamond
    marks the strategy's score (``result.strategy_scores()``).

    Parameters
    ----------
    result : SimulationResult
        A two-player run (it needs the pairwise table).
    include_self_play : bool
        Whether an agent's match against itself counts as an opponent.
    order : {"ranking", "population"} or list of str
        Order of the strategies on the x axis; default best score first.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes; one box per strategy.
    """
    pay = result.pairwise_payoff
    if pay is None:
        raise ValueError("result: score_distribution needs the pairwise table of a two-player game")
    idx = _order(result, order)
    names = [result.strategy_names[k] for k in idx]
    data = []
    n = pay.shape[0]
    for k in idx:
        agents = np.flatnonzero(result.agent_strategy == k)
        vals = []
        for i in agents:
            row = pay[i].copy()
            if not include_self_play:
                row[i] = np.nan
            vals.append(row[np.isfinite(row)])
        v = np.concatenate(vals) if vals else np.empty(0)
        data.append(v)
    scores = result.strategy_scores(include_self_play)
    fig = _new_figure(max(6.0, 0.8 * len(names) + 2), 4.5)
    ax = fig.add_subplot()
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(np.arange(1, len(names) + 1), labels=names)
    ax.plot(np.arange(1, len(names) + 1), [scores[nm] for nm in names], "D", color="tab:red",
            markersize=5, label="mean score per turn")
    ax.set_xlabel("strategy")
    ax.set_ylabel("mean payoff per turn against each opponent")
    ax.set_title(title or f"Score distribution ({n} agents)")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(loc="best", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig


def pairwise_heatmap(result: Any, *, order: str | Sequence[str] | None = "ranking",
                     annotate: bool = True, cmap: str = "viridis", title: str | None = None) -> Figure:
    """Heatmap of strategy k's mean payoff per turn against strategy l, annotated.

    Parameters
    ----------
    result : SimulationResult
        A two-player run.
    order : {"ranking", "population"} or list of str
        Order of rows and columns; default best score first.
    annotate : bool
        Write each value in its cell.
    cmap : str
        A matplotlib colormap name.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the heatmap (rows: strategy, columns: opponent) and its colorbar.
    """
    table = result.strategy_pairwise_payoff()
    if table is None:
        raise ValueError("result: pairwise_heatmap needs the pairwise table of a two-player game")
    idx = _order(result, order)
    names = [result.strategy_names[k] for k in idx]
    M = table[np.ix_(idx, idx)]
    K = len(names)
    size = max(4.5, 0.6 * K + 2.5)
    fig = _new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    masked = np.ma.masked_invalid(M)
    im = ax.imshow(masked, cmap=cmap, aspect="equal")
    fig.colorbar(im, ax=ax, label="mean payoff per turn")
    ax.set_xticks(np.arange(K), labels=names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(K), labels=names)
    ax.set_xlabel("opponent")
    ax.set_ylabel("strategy")
    ax.set_title(title or "Pairwise payoff per turn")
    if annotate and K:
        finite = M[np.isfinite(M)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        mid = (lo + hi) / 2
        for r in range(K):
            for c in range(K):
                v = M[r, c]
                text = "–" if not np.isfinite(v) else f"{v:.2f}"
                colour = "white" if (np.isfinite(v) and v < mid) else "black"
                ax.text(c, r, text, ha="center", va="center", color=colour, fontsize="small")
    return fig


def cooperation_rate(result: Any, action: int = 0, *, window: int | None = None,
                     title: str | None = None) -> Figure:
    """Frequency of ``action`` (C in the catalogue's PD) per round, one line per strategy.

    Parameters
    ----------
    result : SimulationResult
    action : int
        Action index whose frequency is plotted.
    window : int, optional
        Plot the mean over the last ``window`` rounds (a trailing moving average, so
        period-2 patterns such as Alternator's do not fill the plot).  Default: 1 for
        runs of up to 40 rounds, else an even number near ``rounds / 20``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one line per strategy and a legend.
    """
    series = result.cooperation_series(action)                 # (rounds, K)
    T = series.shape[0]
    if window is None:
        window = 1 if T <= 40 else 2 * max(1, round(T / 40))
    if isinstance(window, bool) or int(window) != window or window < 1:
        raise ValueError(f"window: must be a positive integer, got {window!r}")
    window = int(min(window, max(T, 1)))
    rounds = np.arange(1, T + 1)
    label = _action_label(result, action)
    fig = _new_figure(7.5, 4.5)
    ax = fig.add_subplot()
    for k, name in enumerate(result.strategy_names):
        x, y = moving_average(rounds, series[:, k], window)
        ax.plot(x, y, label=name, linewidth=1.2)
    ax.set_xlabel("round")
    ylabel = f"frequency of {label}"
    if window > 1:
        ylabel += f"\n(mean over the last {window} rounds)"
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.03, 1.03)
    if T:
        ax.set_xlim(1, max(2, T))
    ax.set_title(title or f"Rate of {label} per round")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def moving_average(x: np.ndarray, y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing mean of ``y`` over ``window`` points, ignoring NaN; placed at each window's last ``x``.

    Examples
    --------
    >>> moving_average(np.arange(4), np.array([1.0, 0.0, 1.0, np.nan]), 2)
    (array([1, 2, 3]), array([0.5, 0.5, 1. ]))
    """
    y = np.asarray(y, dtype=float)
    if window <= 1 or y.size == 0:
        return np.asarray(x), y
    ok = np.isfinite(y)
    cs = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    cn = np.concatenate([[0], np.cumsum(ok)])
    total = cs[window:] - cs[:-window]
    count = cn[window:] - cn[:-window]
    avg = np.full(total.shape, np.nan)
    np.divide(total, count, out=avg, where=count > 0)
    return np.asarray(x)[window - 1:], avg


# -- repeated-game thresholds ---------------------------------------------------------
def discount_sweep(deltas: Sequence[float], cooperate: Sequence[float], deviate: Sequence[float],
                   delta_star: float | None = None, *, normalised: bool = True,
                   labels: tuple[str, str] = ("cooperate: GrimTrigger vs GrimTrigger",
                                              "deviate: Defector vs GrimTrigger"),
                   title: str | None = None) -> Figure:
    """Payoff of cooperating and of deviating against the discount factor, with the threshold.

    Parameters
    ----------
    deltas : sequence of float
        Discount factors.
    cooperate, deviate : sequence of float
        Payoffs at each discount factor; per-round averages ``(1 - delta) * discounted``
        when ``normalised`` (only the axis label depends on it).
    delta_star : float, optional
        Theoretical threshold, drawn as a vertical dashed line (skipped if not finite).
    normalised : bool
    labels : (str, str)
        Legend entries of the two curves.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with two payoff lines, plus the threshold line if given.
    """
    d = np.asarray(deltas, dtype=float)
    c = np.asarray(cooperate, dtype=float)
    v = np.asarray(deviate, dtype=float)
    if not (d.shape == c.shape == v.shape) or d.ndim != 1:
        raise ValueError(f"deltas, cooperate, deviate: need three 1-d sequences of one length, got shapes {d.shape}, {c.shape}, {v.shape}")
    fig = _new_figure(7.0, 4.5)
    ax = fig.add_subplot()
    ax.plot(d, c, "o-", label=labels[0], markersize=3)
    ax.plot(d, v, "s-", label=labels[1], markersize=3)
    if delta_star is not None and np.isfinite(delta_star):
        ax.axvline(delta_star, color="black", linestyle="--", linewidth=1, label=f"δ* = {delta_star:.4g}")
    ax.set_xlabel("discount factor δ")
    ax.set_ylabel("average payoff per round, (1 − δ) × discounted" if normalised else "discounted payoff")
    ax.set_title(title or "Grim trigger: cooperate vs deviate")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


# -- learning dynamics ---------------------------------------------------------------
def _log_log_rounds(ax: Any, ylabel: str) -> None:
    """Log-log axes with rounds on x, a legend and a light grid (the convergence plots' style)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rounds")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", loc="best")
    ax.grid(alpha=0.3, which="both")


def convergence(trace: Any, run: int = 0, *, title: str | None = None) -> Figure:
    """Empirical frequencies and distance to equilibrium against rounds (log-scaled rounds).

    Parameters
    ----------
    trace : ConvergenceTrace
        From :func:`gamesim.analysis.convergence.convergence_trace`.
    run : int
        Which match of the batch to draw.

    Returns
    -------
    matplotlib.figure.Figure
        Top axes: each player's empirical probability of each action; bottom axes:
        NashConv, CE violation and (two players) L1 distance to the nearest Nash
        equilibrium, on log-log axes.
    """
    n = len(trace.marginals)
    if not 0 <= run < trace.nash_conv.shape[1]:
        raise ValueError(f"run: {run} out of range 0..{trace.nash_conv.shape[1] - 1}")
    fig = _new_figure(7.5, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = trace.rounds
    for i in range(n):
        freq = trace.marginals[i][:, run, :]
        for a in range(freq.shape[1]):
            names = getattr(trace, "actions", None)
            label = names[i][a] if names is not None else f"action {a}"
            top.plot(x, freq[:, a], linestyle="-" if i == 0 else "--", label=f"player {i + 1}, {label}")
    top.set_xscale("log")
    top.set_ylabel("empirical frequency")
    top.set_ylim(-0.02, 1.02)
    top.legend(fontsize="x-small", ncol=2, loc="best")
    top.grid(alpha=0.3)
    series = [("NashConv", trace.nash_conv[:, run]), ("CE violation", trace.ce_violation[:, run])]
    if trace.distance_to_nash is not None:
        series.append(("L1 distance to nearest Nash equilibrium", trace.distance_to_nash[:, run]))
    for label, y in series:
        bottom.plot(x, np.maximum(y, 1e-12), label=label)
    _log_log_rounds(bottom, "distance to equilibrium")
    fig.suptitle(title or f"Convergence on {trace.game}")
    return fig


def simplex_trajectory(points: Any, *, labels: Sequence[str] = ("a0", "a1", "a2"),
                       equilibrium: Any = None, title: str | None = None) -> Figure:
    """A trajectory of mixed strategies over three actions, drawn on the 2-simplex.

    Parameters
    ----------
    points : array_like, shape (T, 3) or (k, T, 3)
        Probabilities of the three actions along one or several trajectories.
    labels : three str
        Names of the corners.
    equilibrium : array_like of 3 floats, optional
        Marked with a star.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the triangle, each trajectory and its start (circle) and end (square).
    """
    P = np.asarray(points, dtype=float)
    if P.ndim == 2:
        P = P[None]
    if P.ndim != 3 or P.shape[2] != 3:
        raise ValueError(f"points: expected shape (T, 3) or (k, T, 3), got {np.shape(points)}")
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    fig = _new_figure(6.0, 5.5)
    ax = fig.add_subplot()
    tri = np.vstack([corners, corners[:1]])
    ax.plot(tri[:, 0], tri[:, 1], color="black", linewidth=1)
    for c, lab, off in zip(corners, labels, ([-0.04, -0.05], [0.01, -0.05], [-0.02, 0.03])):
        ax.text(c[0] + off[0], c[1] + off[1], lab)
    for k, traj in enumerate(P):
        xy = traj @ corners
        line, = ax.plot(xy[:, 0], xy[:, 1], linewidth=1, label=f"trajectory {k + 1}" if len(P) > 1 else None)
        ax.plot(*xy[0], "o", color=line.get_color(), markersize=4)
        ax.plot(*xy[-1], "s", color=line.get_color(), markersize=4)
    if equilibrium is not None:
        e = np.asarray(equilibrium, dtype=float) @ corners
        ax.plot(*e, "*", color="red", markersize=12, label="equilibrium")
    ax.set_aspect("equal")
    ax.axis("off")
    if len(P) > 1 or equilibrium is not None:
        ax.legend(fontsize="small", loc="upper right")
    ax.set_title(title or "Trajectory on the simplex")
    return fig


def regret_decay(trace: Any, *, title: str | None = None) -> Figure:
    """Average external regret and CE violation against rounds, log-log, with a 1/sqrt(T) guide.

    The largest player's regret is averaged over the runs of the batch (positive part).

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = trace.rounds.astype(float)
    regret = np.clip(trace.external_regret.max(axis=2), 0, None).mean(axis=1)
    ce = trace.ce_violation.mean(axis=1)
    fig = _new_figure(7.0, 4.5)
    ax = fig.add_subplot()
    ax.plot(x, np.maximum(regret, 1e-12), label="average external regret (max over players)")
    ax.plot(x, np.maximum(ce, 1e-12), label="CE violation of empirical joint play")
    guide = regret[0] if regret[0] > 0 else 1.0
    ax.plot(x, guide / np.sqrt(x / x[0]), color="gray", linestyle=":", label="∝ 1/√T")
    _log_log_rounds(ax, "regret per round")
    ax.set_title(title or f"Regret decay on {trace.game}")
    return fig


# -- output -------------------------------------------------------------------------
def save_figure(fig: Figure, path: str | Path, *, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix, e.g. PNG), creating parent folders.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path
