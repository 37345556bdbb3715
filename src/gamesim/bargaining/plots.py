"""Figures of two-player bargaining problems, in the style of Treutlein's figures 4, 11 and 16.

:func:`bargaining_figure` draws a feasible set with its strict Pareto frontier, the
disagreement point and any number of solution points; :func:`threat_sweep` draws
how settlement payoffs move as a threat grows (the ``coco_threats`` scenario).
Figures are built with the object-oriented API (see :mod:`gamesim.analysis.plots`);
write them with :func:`gamesim.analysis.plots.save_figure`.

References
----------
.. [T23] C. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
   arXiv:2307.04879 (figures 4, 11 and 16).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["boundary_polygon", "bargaining_figure", "threat_sweep"]

_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")


def boundary_polygon(F: Any, directions: int = 360) -> np.ndarray:
    """Points on the boundary of a 2-D convex set, in counter-clockwise order.

    For a set of finitely many points the polygon is their convex hull; for any
    other :class:`~gamesim.bargaining.feasible.FeasibleSet` it is traced with the
    support function, one support point per direction.
    """
    from scipy.spatial import ConvexHull, QhullError

    if F.n_players != 2:
        raise ValueError(f"F: only two-player feasible sets can be drawn, got {F.n_players} players")
    pts = getattr(F, "points", None)
    if pts is None or getattr(F, "A_ub", None) is not None:
        theta = np.linspace(0.0, 2 * np.pi, int(directions), endpoint=False)
        traced = []
        for t in theta:
            try:
                traced.append(F.support(np.array([np.cos(t), np.sin(t)]))[1])
            except RuntimeError:
                # a numerical support (SLSQP) can fail in a corner direction; the
                # neighbouring directions still trace the boundary
                continue
        pts = np.array(traced)
    pts = np.unique(np.round(np.asarray(pts, dtype=float), 12), axis=0)
    if len(pts) < 3:
        return pts
    try:
        hull = ConvexHull(pts)
    except QhullError:  # collinear: a segment
        order = np.lexsort((pts[:, 1], pts[:, 0]))
        return pts[order[[0, -1]]]
    return pts[hull.vertices]


def bargaining_figure(F: Any, *, disagreement: Any = None, solutions: Mapping[str, Any] | None = None,
                      points: Mapping[str, Any] | None = None, outcomes: bool = True,
                      title: str | None = None, labels: Sequence[str] = ("$u_1$", "$u_2$")) -> Figure:
    """A two-player feasible set, its Pareto frontier, the disagreement point and solutions.

    Parameters
    ----------
    F : FeasibleSet or NormalFormGame
        A two-player feasible set (a game is converted to its correlated hull).
    disagreement : array_like, optional
        Marked in red, with dashed lines to the solutions it is the reference of.
    solutions : mapping of label -> point or BargainingSolution, optional
        Marked with distinct markers and labelled.
    points : mapping of label -> point, optional
        Further points to mark (e.g. a Nash equilibrium), in grey.
    outcomes : bool
        Mark the pure outcomes of a game / the points of a polytope.
    title : str, optional
    labels : the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .feasible import FeasibleSet, feasible_set

    if not isinstance(F, FeasibleSet):
        F = feasible_set(F)
    poly = boundary_polygon(F)
    fig = Figure(figsize=(5.6, 5.0), layout="constrained")
    ax = fig.add_subplot()
    if len(poly) >= 3:
        ax.fill(poly[:, 0], poly[:, 1], color="tab:blue", alpha=0.15, lw=0, label="feasible set")
        closed = np.vstack([poly, poly[:1]])
        ax.plot(closed[:, 0], closed[:, 1], color="tab:blue", lw=0.8)
    else:
        ax.plot(poly[:, 0], poly[:, 1], color="tab:blue", lw=1.5, label="feasible set")
    frontier = F.pareto_frontier()
    ax.plot(frontier[:, 0], frontier[:, 1], color="tab:orange", lw=2.5, label="Pareto frontier")
    pts = getattr(F, "points", None)
    if outcomes and pts is not None:
        ax.scatter(pts[:, 0], pts[:, 1], s=14, color="tab:blue", zorder=3)
    if points:
        for label, p in points.items():
            p = np.asarray(p, dtype=float)
            ax.scatter([p[0]], [p[1]], s=50, color="grey", zorder=4)
            ax.annotate(label, p, textcoords="offset points", xytext=(6, -12), fontsize=9, color="grey")
    d = None
    if disagreement is not None:
        d = np.asarray(disagreement, dtype=float)
        ax.scatter([d[0]], [d[1]], s=60, color="tab:red", zorder=5, label="disagreement point")
    for k, (label, sol) in enumerate((solutions or {}).items()):
        p = np.asarray(getattr(sol, "point", sol), dtype=float)
        ax.scatter([p[0]], [p[1]], s=70, marker=_MARKERS[k % len(_MARKERS)], zorder=6,
                   label=f"{label} ({p[0]:.3g}, {p[1]:.3g})")
        if d is not None:
            ax.plot([d[0], p[0]], [d[1], p[1]], ls="--", lw=0.8, color="grey")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return fig


def threat_sweep(harm: Sequence[float], series: Mapping[str, Any], *, player: int = 0,
                 title: str | None = None) -> Figure:
    """Settlement payoffs of both players as the harm of a threat action grows.

    Parameters
    ----------
    harm : sequence of float
        The harm the threat action does to the other player.
    series : mapping of method label -> array (len(harm), 2)
        Each method's settlement payoffs.
    player : int
        The player who holds the threat (its line is solid, the victim's dashed).
    """
    harm = np.asarray(harm, dtype=float)
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for k, (label, values) in enumerate(series.items()):
        v = np.asarray(values, dtype=float)
        color = f"C{k}"
        ax.plot(harm, v[:, player], color=color, lw=2, label=f"{label}: threatener")
        ax.plot(harm, v[:, 1 - player], color=color, lw=2, ls="--", label=f"{label}: victim")
    ax.set_xlabel("harm c of the threat action")
    ax.set_ylabel("settlement payoff")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    if title:
        ax.set_title(title)
    return fig
