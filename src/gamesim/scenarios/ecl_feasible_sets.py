"""Individual and combined feasible sets of an ECL Bayesian bargaining game (Treutlein example 46).

Two types, independent and uniformly distributed (``p(t' | t) = 1/2``), ``n`` players
(``n = 3`` in the paper), and the same action set for both types: the unit quarter
disc ``A_t = {y >= 0 : y_1^2 + y_2^2 <= 1}`` (diminishing returns; figure 9 of
[T23]_).  A type-``t`` player counts its own contribution once and the others' with
weight ``(n - 1) p(t' | t)`` (equation (52)), so type ``t``'s *individual feasible set*
is the image ``F_t = f^(t)(A_t)`` under the diagonal map with entries
``f^(t)_t = 1 + (n - 1) p(t | t)`` and ``f^(t)_t' = (n - 1) p(t | t')``
(definition 45).  For ``n = 3`` these are equations (53)-(56),

``f^(1) = diag(2, 1)``,  ``f^(2) = diag(1, 2)``,

so ``F_1`` is the quarter ellipse with semi-axes 2 and 1, ``F_2`` its mirror image, and
the game's feasible set is their Minkowski sum ``F = F_1 + F_2`` (definition 44; figure
10 (a) and (b)).  The maps are read from the game object
(:meth:`~gamesim.sim.ecl_bargaining.ECLBargainingGame.individual_map`), not typed in.

Marked on the sets: the Bayesian Nash equilibrium (proposition 49: each type puts
everything on its own value, ``alpha_t = e_t``), whose payoffs are the disagreement
point ``d``, and the Nash bargaining solution with the prior weights (definition 47,
[N50]_; equal weights here) from ``d``.  By symmetry the NBS is the point of ``F`` with
normal ``(1, 1)``: each ``F_t`` contributes its support point in that direction,
``(a^2, b^2) / sqrt(a^2 + b^2)`` (``a = (n + 1) / 2``, ``b = (n - 1) / 2``, mirrored for
type 2), so

``d = ((n + 1) / 2, (n + 1) / 2)``,  ``NBS = sqrt((n^2 + 1) / 2) (1, 1)``,

which for ``n = 3`` is ``d = (2, 2)`` and ``NBS = (sqrt 5, sqrt 5)``, with the
contributions ``(4, 1) / sqrt 5`` from ``F_1`` and ``(1, 4) / sqrt 5`` from ``F_2``.  The
headline reports these closed forms next to the general computation
(:func:`gamesim.bargaining.ecl.bayesian_nash`, :func:`gamesim.bargaining.ecl.nash_bargaining`)
and their largest difference.

Writes ``ecl_feasible_sets.csv`` (points on the boundary of ``F_1``, ``F_2`` and ``F``,
counter-clockwise, one row per point with the set's name) and
``ecl_feasible_sets.png`` (two panels as in figure 10: (a) the individual sets with
each type's contribution at the BNE and at the NBS, (b) the combined set with ``d``
and the NBS).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: example 46 with figures 9 and 10, equations (52)-(56),
   definitions 44, 45 and 47, proposition 49.
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress

NAME = "ecl_feasible_sets"
DESCRIPTION = ("Treutlein example 46 / figure 10: individual feasible sets F_1, F_2 of an ECL bargaining "
               "game, their sum F, the BNE and the NBS")


def _at_least(k: int):
    def check(v: int) -> str | None:
        return None if v >= k else f"must be at least {k}"
    return check


PARAMETERS = (
    Parameter("n_players", 3, int, "number of players n (the paper: 3); types are uniform and independent",
              _at_least(2)),
    Parameter("n_boundary", 360, int, "support directions used to trace each set's boundary (CSV and plot)",
              _at_least(16)),
)

#: Colours of the two types' sets (as in the paper's figures: type 1 blue, type 2 orange).
TYPE_COLORS = ("tab:blue", "tab:orange")
BNE_COLOR = "tab:red"
NBS_COLOR = "tab:green"


def example_46_game(n_players: int = 3):
    """Example 46 with ``n`` players: uniform independent types, unit quarter discs.

    ``n = 3`` is :func:`~gamesim.sim.ecl_bargaining.treutlein_example_46` itself.

    Examples
    --------
    >>> example_46_game(3).individual_map(0)
    array([[2., 0.],
           [0., 1.]])
    >>> example_46_game(5).coefficients
    array([[3., 2.],
           [2., 3.]])
    """
    from ..bargaining.feasible import quarter_disc
    from ..sim.ecl_bargaining import ECLBargainingGame, treutlein_example_46

    if n_players == 3:
        return treutlein_example_46()
    A = quarter_disc(1.0)
    return ECLBargainingGame([A, A], np.full((2, 2), 0.5), int(n_players), types=("1", "2"),
                             name=f"Treutlein example 46 with n={n_players}")


def closed_form(n_players: int) -> dict[str, Any]:
    """The BNE payoffs and the NBS of example 46 with ``n`` players, in closed form.

    Examples
    --------
    >>> cf = closed_form(3)
    >>> cf["bne"], round(cf["nbs"][0] ** 2, 12)
    ([2.0, 2.0], 5.0)
    >>> [round(v * math.sqrt(5), 12) for v in cf["nbs_contribution_type1"]]
    [4.0, 1.0]
    """
    a, b = (n_players + 1) / 2.0, (n_players - 1) / 2.0
    s = math.hypot(a, b)
    return {"bne": [a, a], "nbs": [s, s], "nbs_contribution_type1": [a * a / s, b * b / s],
            "nbs_contribution_type2": [b * b / s, a * a / s]}


def boundary(F: Any, directions: int) -> np.ndarray:
    """Counter-clockwise boundary points of a two-dimensional feasible set, closed (last = first)."""
    from ..bargaining.plots import boundary_polygon

    poly = boundary_polygon(F, directions=directions)
    return np.vstack([poly, poly[:1]])


def draw_set(ax: Any, poly: np.ndarray, color: str, label: str, alpha: float = 0.18) -> None:
    """Fill a closed boundary polygon and draw its outline."""
    ax.fill(poly[:, 0], poly[:, 1], color=color, alpha=alpha, lw=0)
    ax.plot(poly[:, 0], poly[:, 1], color=color, lw=1.6, label=label)


def mark(ax: Any, point: Sequence[float], color: str, label: str | None = None, marker: str = "o",
         size: float = 55.0, annotate: bool = False) -> None:
    """A labelled dot (red: disagreement / BNE, green: NBS in Treutlein's figures)."""
    p = np.asarray(point, dtype=float)
    ax.scatter([p[0]], [p[1]], s=size, color=color, marker=marker, zorder=6, label=label,
               edgecolors="black", linewidths=0.5)
    if annotate:
        ax.annotate(f"({p[0]:.3g}, {p[1]:.3g})", p, textcoords="offset points", xytext=(6, 6), fontsize=8)


def style_axes(ax: Any, title: str, extent: float) -> None:
    """Equal axes from 0 to a little beyond ``extent``, labels, grid and legend."""
    ax.set_xlabel("$x_1$: expected utility of type 1")
    ax.set_ylabel("$x_2$: expected utility of type 2")
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlim(-0.03 * extent, 1.08 * extent)
    ax.set_ylim(-0.03 * extent, 1.08 * extent)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Build example 46, compute the BNE and the NBS; see the module docstring."""
    from ..bargaining.ecl import bayesian_nash, nash_bargaining

    n = params["n_players"]
    g = example_46_game(n)
    if progress is not None:
        progress(0, 2, "solutions")
    bne = bayesian_nash(g)
    out = nash_bargaining(g)
    if progress is not None:
        progress(2, 2, "solutions")
    bne_parts = g.contributions(bne.profile)
    cf = closed_form(n)
    dev = max(float(np.max(np.abs(bne.payoffs - cf["bne"]))),
              float(np.max(np.abs(out.point - cf["nbs"]))),
              float(np.max(np.abs(out.contributions[0] - cf["nbs_contribution_type1"]))),
              float(np.max(np.abs(out.contributions[1] - cf["nbs_contribution_type2"]))))
    headline = {
        "n_players": n,
        "posterior": np.asarray(g.posterior).tolist(),
        "map_type1": g.individual_map(0).tolist(),
        "map_type2": g.individual_map(1).tolist(),
        "bne_profile": np.asarray(bne.profile).tolist(),
        "bne": np.asarray(bne.payoffs).tolist(),
        "weights": np.asarray(out.weights).tolist(),
        "nbs": np.asarray(out.point).tolist(),
        "nbs_profile": np.asarray(out.profile).tolist(),
        "nbs_contributions": np.asarray(out.contributions).tolist(),
        "gains": np.asarray(out.gains).tolist(),
        "nbs_method": out.method,
        "closed_form_bne": cf["bne"],
        "closed_form_nbs": cf["nbs"],
        "closed_form_max_abs_deviation": dev,
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        sets = {"F_1": g.individual_feasible_set(0), "F_2": g.individual_feasible_set(1), "F": g.feasible_set()}
        polys = {k: boundary(S, params["n_boundary"]) for k, S in sets.items()}
        frames = [pd.DataFrame({"set": k, "point": np.arange(len(P)), "x1": P[:, 0], "x2": P[:, 1]})
                  for k, P in polys.items()]
        pd.concat(frames, ignore_index=True).to_csv(out_dir / "ecl_feasible_sets.csv", index=False)
        save_figure(figure(polys, headline, bne_parts, out.contributions), out_dir / "ecl_feasible_sets.png")
    return headline


def figure(polys: Mapping[str, np.ndarray], headline: Mapping[str, Any], bne_parts: np.ndarray,
           nbs_parts: np.ndarray):
    """Figure 10: (a) the individual feasible sets, (b) their sum, with the BNE and the NBS."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 5.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    m1, m2 = np.asarray(headline["map_type1"]), np.asarray(headline["map_type2"])
    for t, m in enumerate((m1, m2)):
        draw_set(ax1, polys[f"F_{t + 1}"], TYPE_COLORS[t],
                 f"$F_{t + 1} = f^{{({t + 1})}}(A_{t + 1})$, $f^{{({t + 1})}}$ = diag({m[0, 0]:g}, {m[1, 1]:g})")
    for t in range(2):
        mark(ax1, bne_parts[t], BNE_COLOR, "BNE contribution" if t == 0 else None, annotate=True)
        mark(ax1, nbs_parts[t], NBS_COLOR, "NBS contribution" if t == 0 else None, annotate=True)
    style_axes(ax1, f"(a) individual feasible sets, n = {headline['n_players']}",
               float(max(np.max(polys["F_1"]), np.max(polys["F_2"]))))
    draw_set(ax2, polys["F"], "tab:purple", "$F = F_1 + F_2$")
    d, x = headline["bne"], headline["nbs"]
    ax2.plot([d[0], x[0]], [d[1], x[1]], ls="--", lw=0.8, color="grey")
    mark(ax2, d, BNE_COLOR, f"BNE (disagreement) d = ({d[0]:.4g}, {d[1]:.4g})")
    mark(ax2, x, NBS_COLOR, f"NBS = ({x[0]:.6g}, {x[1]:.6g})")
    style_axes(ax2, "(b) combined feasible set", float(np.max(polys["F"])))
    fig.suptitle("Treutlein example 46 (figure 10): uniform independent types, $A_t$ = unit quarter disc",
                 fontsize=11)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """The maps, the BNE and the NBS against their closed forms."""
    fmt = lambda v: "(" + ", ".join(f"{x:.6g}" for x in v) + ")"  # noqa: E731
    m1, m2 = np.asarray(headline["map_type1"]), np.asarray(headline["map_type2"])
    return "\n".join([
        f"players n:                       {headline['n_players']} (types uniform and independent)",
        f"f^(1) = diag{fmt(np.diag(m1))}, f^(2) = diag{fmt(np.diag(m2))}",
        f"BNE payoffs (disagreement point): {fmt(headline['bne'])}  (closed form {fmt(headline['closed_form_bne'])})",
        f"NBS (prior weights {fmt(headline['weights'])}): {fmt(headline['nbs'])}  "
        f"(closed form {fmt(headline['closed_form_nbs'])}; sqrt 5 = {math.sqrt(5):.6g})",
        f"NBS contributions F_1, F_2:      {fmt(headline['nbs_contributions'][0])}, "
        f"{fmt(headline['nbs_contributions'][1])}",
        f"largest deviation from the closed forms: {headline['closed_form_max_abs_deviation']:.2g}",
    ])
