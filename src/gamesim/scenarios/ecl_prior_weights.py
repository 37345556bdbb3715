"""Different prior weights, equal posteriors: the weighted NBS of Treutlein's example 54.

Large ``n`` (only the others' contributions count, section 5.5.2 of [T23]_), two types
with independent types and prior ``(p, 1 - p)``: every player believes another is of
type 1 with probability ``p``.  Both types have the unit quarter disc as action set,
so the individual feasible sets are quarter discs of radius ``p`` and ``1 - p``
(equations (58)-(59); ``p = 3/4`` in the paper), and the feasible set
``F = F_1 + F_2`` is the unit quarter disc.  The Bayesian Nash equilibrium
(proposition 49: each type serves only itself) gives the disagreement point
``d = (p, 1 - p)``, and the Nash bargaining solution with the prior as weights
(definition 47, Harsanyi and Selten's weights [HS72]_, Nash's solution [N50]_) is

``argmax_{x in F, x >= d} (x_1 - p)^p (x_2 - (1 - p))^(1 - p)``,

about ``(0.922159, 0.386810)`` at ``p = 3/4`` (the paper rounds it to
``(0.92, 0.39)``) and ``(sqrt2/2, sqrt2/2)`` in the symmetric case ``p = 1/2``.  The
frontiers of ``F_1`` and ``F_2`` have the same shape, so "the NBS picks the same point
on ``F_2`` as on ``F_1``, only scaled down": both types take the same action (reported
as ``max_action_difference``).

The NBS is computed from the game object
(:func:`~gamesim.sim.ecl_bargaining.treutlein_example_54`,
:func:`gamesim.bargaining.ecl.nash_bargaining`), and checked against an independent
one-dimensional reference: on the arc ``x = (cos theta, sin theta)`` of the unit
circle the first-order condition of the weighted Nash product is solved by Brent's
method (:func:`reference_nbs`).  The scenario also sweeps ``p`` over ``[1/2, 1)``
(``n_grid`` points ``1/2 + k / (2 n_grid)``) and reports the NBS, the disagreement
point and each type's gain ``x_t - d_t`` against ``p``.

Writes ``ecl_prior_weights.csv`` (the sweep: ``p``, ``d``, the NBS, the reference, the
gains) and ``ecl_prior_weights.png``: (a) the individual feasible sets and (b) the
combined set at the chosen ``p`` with the BNE (red) and the NBS (green), as in the
paper's figure 11; (c) the NBS coordinates and ``d`` against ``p``; (d) the gains.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: example 54 with equations (58)-(59) and figure 11 (whose
   caption says "Example 55"; the text is example 54), definition 47, proposition 49.
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [HS72] J. C. Harsanyi and R. Selten, "A generalized Nash solution for two-person
   bargaining games with incomplete information", Management Science 18, 1972.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, open_unit_interval

NAME = "ecl_prior_weights"
DESCRIPTION = ("Treutlein example 54 / figure 11: prior-weighted NBS of an ECL bargaining game with "
               "prior (p, 1-p), and a sweep over p")

PARAMETERS = (
    Parameter("p", 0.75, float, "prior (= everyone's belief) that another player is of type 1 (the paper: 3/4)",
              open_unit_interval),
    Parameter("n_grid", 50, int, "points of the sweep over p in [1/2, 1): 1/2 + k / (2 n_grid)",
              lambda v: None if v >= 2 else "must be at least 2"),
)

#: The paper's rounded value at p = 3/4.
PAPER_NBS = (0.92, 0.39)


def reference_nbs(p: float) -> np.ndarray:
    """The weighted NBS of the unit quarter disc from ``d = (p, 1 - p)`` with weights ``(p, 1 - p)``.

    Solves ``d/dtheta [p log(cos theta - p) + (1 - p) log(sin theta - (1 - p))] = 0`` on
    the arc where both factors are positive (Brent's method).

    Examples
    --------
    >>> reference_nbs(0.75).round(6)
    array([0.922159, 0.38681 ])
    >>> bool(np.allclose(reference_nbs(0.5), [math.sqrt(2) / 2] * 2))
    True
    """
    from scipy.optimize import brentq

    d1, d2 = p, 1.0 - p

    def foc(th: float) -> float:
        return -p * math.sin(th) / (math.cos(th) - d1) + (1 - p) * math.cos(th) / (math.sin(th) - d2)

    th = brentq(foc, math.asin(d2) + 1e-13, math.acos(d1) - 1e-13, xtol=1e-15)
    return np.array([math.cos(th), math.sin(th)])


def sweep_grid(n_grid: int) -> np.ndarray:
    """``p = 1/2 + k / (2 n_grid)``, ``k = 0 .. n_grid - 1``: ``[1/2, 1)``.

    >>> sweep_grid(4)
    array([0.5  , 0.625, 0.75 , 0.875])
    """
    return 0.5 + np.arange(n_grid) / (2.0 * n_grid)


def solve(p: float) -> dict[str, Any]:
    """The game of example 54 at ``p``, its BNE and NBS (from the game object)."""
    from ..bargaining.ecl import bayesian_nash, nash_bargaining
    from ..sim.ecl_bargaining import treutlein_example_54

    g = treutlein_example_54(float(p))
    bne = bayesian_nash(g)
    out = nash_bargaining(g)
    return {"game": g, "bne": bne, "out": out, "reference": reference_nbs(float(p))}


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Solve example 54 at ``p`` and over the grid; see the module docstring."""
    p = params["p"]
    grid = sweep_grid(params["n_grid"])
    total = grid.size + 2
    if progress is not None:
        progress(0, total, "games")
    main = solve(p)
    half = solve(0.5)
    if progress is not None:
        progress(2, total, "games")
    rows = []
    for k, q in enumerate(grid):
        s = solve(q)
        o = s["out"]
        rows.append({"p": q, "d1": o.disagreement[0], "d2": o.disagreement[1],
                     "nbs1": o.point[0], "nbs2": o.point[1],
                     "reference1": s["reference"][0], "reference2": s["reference"][1],
                     "gain1": o.gains[0], "gain2": o.gains[1],
                     "relative_gain1": o.gains[0] / o.disagreement[0], "relative_gain2": o.gains[1] / o.disagreement[1],
                     "action_difference": float(np.max(np.abs(o.profile[0] - o.profile[1])))})
        if progress is not None:
            progress(k + 3, total, "games")
    cols = {key: np.array([r[key] for r in rows]) for key in rows[0]}
    out, bne = main["out"], main["bne"]
    sweep_dev = float(np.max(np.abs(np.column_stack([cols["nbs1"] - cols["reference1"],
                                                     cols["nbs2"] - cols["reference2"]]))))
    headline = {
        "p": p,
        "prior": np.asarray(main["game"].prior).tolist(),
        "weights": np.asarray(out.weights).tolist(),
        "disagreement": np.asarray(bne.payoffs).tolist(),
        "nbs": np.asarray(out.point).tolist(),
        "nbs_reference": main["reference"].tolist(),
        "nbs_deviation": float(np.max(np.abs(out.point - main["reference"]))),
        "gains": np.asarray(out.gains).tolist(),
        "nbs_profile": np.asarray(out.profile).tolist(),
        "nbs_contributions": np.asarray(out.contributions).tolist(),
        "max_action_difference": float(np.max(np.abs(out.profile[0] - out.profile[1]))),
        "nbs_method": out.method,
        "nbs_symmetric": np.asarray(half["out"].point).tolist(),
        "nbs_symmetric_expected": [math.sqrt(2) / 2] * 2,
        "nbs_symmetric_deviation": float(np.max(np.abs(half["out"].point - math.sqrt(2) / 2))),
        "sweep_points": int(grid.size),
        "sweep_max_abs_deviation": sweep_dev,
        "sweep_max_action_difference": float(np.max(cols["action_difference"])),
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        pd.DataFrame(cols).to_csv(out_dir / "ecl_prior_weights.csv", index=False)
        save_figure(figure(main, cols, headline), out_dir / "ecl_prior_weights.png")
    return headline


def figure(main: Mapping[str, Any], cols: Mapping[str, np.ndarray], headline: Mapping[str, Any]):
    """Figure 11 at ``p`` (two panels) and the sweep over ``p`` (two panels)."""
    from matplotlib.figure import Figure

    from .ecl_feasible_sets import BNE_COLOR, NBS_COLOR, TYPE_COLORS, boundary, draw_set, mark, style_axes

    g, out = main["game"], main["out"]
    p = headline["p"]
    bne_parts = g.contributions(main["bne"].profile)
    fig = Figure(figsize=(11.0, 10.0), layout="constrained")
    (ax1, ax2), (ax3, ax4) = fig.subplots(2, 2)
    polys = [boundary(g.individual_feasible_set(t), 360) for t in range(2)]
    draw_set(ax1, polys[0], TYPE_COLORS[0], f"$F_1$: quarter disc, radius {p:.4g}")
    draw_set(ax1, polys[1], TYPE_COLORS[1], f"$F_2$: quarter disc, radius {1 - p:.4g}")
    for t in range(2):
        mark(ax1, bne_parts[t], BNE_COLOR, "BNE contribution" if t == 0 else None)
        mark(ax1, out.contributions[t], NBS_COLOR, "NBS contribution" if t == 0 else None, annotate=True)
    style_axes(ax1, f"(a) individual feasible sets, p = {p:.4g}", float(max(np.max(P) for P in polys)))
    F = boundary(g.feasible_set(), 360)
    draw_set(ax2, F, "tab:purple", "$F = F_1 + F_2$")
    d, x = headline["disagreement"], headline["nbs"]
    ax2.plot([d[0], x[0]], [d[1], x[1]], ls="--", lw=0.8, color="grey")
    mark(ax2, d, BNE_COLOR, f"BNE (disagreement) d = ({d[0]:.4g}, {d[1]:.4g})")
    w = headline["weights"]
    mark(ax2, x, NBS_COLOR, f"NBS, weights ({w[0]:.3g}, {w[1]:.3g}) = ({x[0]:.6f}, {x[1]:.6f})")
    style_axes(ax2, "(b) combined feasible set", float(np.max(F)))

    q = cols["p"]
    step = max(1, q.size // 25)
    for k, color in ((1, "C0"), (2, "C1")):
        ax3.plot(q, cols[f"reference{k}"], color=color, lw=1.5, label=f"NBS $x_{k}$ (1-D reference)")
        ax3.plot(q[::step], cols[f"nbs{k}"][::step], "o", color=color, ms=4, label=f"NBS $x_{k}$ (general code)")
        ax3.plot(q, cols[f"d{k}"], color=color, lw=1, ls="--", label=f"disagreement $d_{k}$")
    ax3.axvline(p, color="0.5", lw=0.8, ls=":")
    ax3.set_xlabel("p = prior of type 1 (everyone's belief that another player is of type 1)")
    ax3.set_ylabel("expected utility")
    ax3.set_title(f"(c) NBS and disagreement point against p (max deviation "
                  f"{headline['sweep_max_abs_deviation']:.1e})", fontsize=10)
    ax3.grid(alpha=0.3)
    ax3.legend(fontsize=8)
    for k, color in ((1, "C0"), (2, "C1")):
        ax4.plot(q, cols[f"gain{k}"], color=color, lw=1.8, label=f"gain of type {k}, $x_{k} - d_{k}$")
        ax4.plot(q, cols[f"relative_gain{k}"], color=color, lw=1.2, ls="--",
                 label=f"relative gain of type {k}, $(x_{k} - d_{k}) / d_{k}$")
    ax4.axvline(p, color="0.5", lw=0.8, ls=":")
    ax4.set_xlabel("p = prior of type 1")
    ax4.set_ylabel("gain from trade")
    ax4.set_title("(d) each type's gain at the NBS", fontsize=10)
    ax4.grid(alpha=0.3)
    ax4.legend(fontsize=8)
    fig.suptitle("Treutlein example 54 (figure 11): independent types with prior (p, 1 - p), large n",
                 fontsize=11)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """The NBS at ``p`` with its reference, the symmetric case and the sweep's deviation."""
    fmt = lambda v: "(" + ", ".join(f"{x:.6f}" for x in v) + ")"  # noqa: E731
    lines = [
        f"p = {headline['p']:g}: prior weights {fmt(headline['weights'])}, "
        f"BNE disagreement point d = {fmt(headline['disagreement'])}",
        f"weighted NBS:                 {fmt(headline['nbs'])}",
        f"1-D reference (unit circle):  {fmt(headline['nbs_reference'])}  "
        f"(deviation {headline['nbs_deviation']:.1e})",
        f"gains x - d:                  {fmt(headline['gains'])}",
        f"both types take the same action (max difference {headline['max_action_difference']:.1e})",
        f"symmetric case p = 1/2:       {fmt(headline['nbs_symmetric'])}  (sqrt2/2 = {math.sqrt(2) / 2:.6f})",
        f"sweep over {headline['sweep_points']} values of p in [1/2, 1): largest deviation from the reference "
        f"{headline['sweep_max_abs_deviation']:.1e}",
    ]
    if abs(headline["p"] - 0.75) < 1e-12:
        lines.insert(2, f"the paper (p = 3/4):          {PAPER_NBS}")
    return "\n".join(lines)
