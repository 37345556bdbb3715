"""The "double decrease" of gains from trade with correlated types (Treutlein example 55).

Large ``n``, two types with equal priors and correlated posteriors: a player
believes another player has its own type with probability ``p`` and the other type
with ``1 - p`` (``p(t | t) = p``, ``p(t' | t) = 1 - p``).  Both types have the unit
quarter disc as action set (utilities are square roots of the resources
invested), so ``F_1 = {x >= 0 : (x_1 / p)^2 + (x_2 / (1 - p))^2 <= 1}`` and ``F_2`` is
its mirror image (figure 12 of [T23]_ at ``p = 3/4``).  The Bayesian Nash equilibrium
gives ``d = (p, p)``; by symmetry the Nash bargaining solution [N50]_ is where the
frontier has slope ``-1``, type 1 contributing
``(p^2, (1 - p)^2) / sqrt(1 - 2 (1 - p) p)``, so that

* the share of a type's expected utility provided by the *other* type is
  ``(1 - p)^2 / (1 - 2 (1 - p) p)``,
* the gains from trade, as a fraction of the disagreement utility ("percent gains
  from trade"), are ``sqrt(1 - 2 (1 - p) p) / p - 1``.

Both fall roughly quadratically as ``1 - p -> 0`` (share ``~ (1 - p)^2``, gains
``~ (1 - p)^2 / 2``): Armstrong's "double decrease" [A17]_.

The scenario computes both quantities for ``p`` on a grid over ``[1/2, 1]`` with the
general code -- the game from :func:`~gamesim.sim.ecl_bargaining.treutlein_example_55`,
the NBS with prior weights from the BNE (:func:`gamesim.bargaining.ecl.nash_bargaining`)
-- reading the share off the NBS contributions (``contributions[1, 0] / point[0]``)
and the gains as ``point[0] / disagreement[0] - 1``, and compares them with the
closed forms above.  At ``p = 1`` nobody can gain (``d`` is the ideal point) and both
are 0.  Headline: the largest absolute deviation over the grid (expected ~1e-9 or
less), the values at ``p = 1/2`` (``1/2`` and ``sqrt2 - 1``) and the ratios
``share / (1 - p)^2`` and ``gains / (1 - p)^2`` at the largest ``p < 1`` of the grid
(tending to 1 and 1/2).

Writes ``ecl_double_decrease.csv`` (one row per ``p``) and ``ecl_double_decrease.png``:
(a) the individual feasible sets at ``p = 3/4`` with the BNE and NBS contributions
(figure 12); (b) share and gains against ``p``, closed forms as lines and the general
computation as markers (figure 13); (c) the same on log-log axes against ``1 - p``,
with slope-2 guides.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 5.5.4, example 55 with figures 12 and 13,
   definition 47, proposition 49.
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [A17] S. Armstrong, "Acausal trade: double decrease", 2017 (cited in [T23]_ as
   Armstrong 2017a).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress

NAME = "ecl_double_decrease"
DESCRIPTION = ("Treutlein example 55 / figure 13: share of the other type and gains from trade fall "
               "quadratically in 1 - p (\"double decrease\")")

PARAMETERS = (
    Parameter("n_grid", 51, int, "grid points of p over [1/2, 1] (both ends included)",
              lambda v: None if v >= 2 else "must be at least 2"),
)

#: ``p`` of the feasible-set panel (the paper's figure 12).
P_FIGURE_12 = 0.75


def share_closed_form(p: Any) -> np.ndarray:
    """``(1 - p)^2 / (1 - 2 (1 - p) p)``: the other type's share of a type's utility at the NBS.

    >>> share_closed_form([0.5, 0.75, 1.0])
    array([0.5, 0.1, 0. ])
    """
    p = np.asarray(p, dtype=float)
    return (1 - p) ** 2 / (1 - 2 * (1 - p) * p)


def gains_closed_form(p: Any) -> np.ndarray:
    """``sqrt(1 - 2 (1 - p) p) / p - 1``: gains from trade as a fraction of the BNE utility ``p``.

    >>> [round(float(v), 12) for v in gains_closed_form([0.5, 1.0])]
    [0.414213562373, 0.0]
    """
    p = np.asarray(p, dtype=float)
    return np.sqrt(1 - 2 * (1 - p) * p) / p - 1


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Solve example 55 on the grid and compare with the closed forms; see the module docstring."""
    from ..bargaining.ecl import nash_bargaining
    from ..sim.ecl_bargaining import treutlein_example_55

    ps = np.linspace(0.5, 1.0, params["n_grid"])
    share, gains, share2, gains2, nbs, d = [], [], [], [], [], []
    if progress is not None:
        progress(0, ps.size, "values of p")
    for k, p in enumerate(ps):
        out = nash_bargaining(treutlein_example_55(float(p)))
        share.append(out.contributions[1, 0] / out.point[0])
        gains.append(out.point[0] / out.disagreement[0] - 1)
        share2.append(out.contributions[0, 1] / out.point[1])     # type 2's, by symmetry the same
        gains2.append(out.point[1] / out.disagreement[1] - 1)
        nbs.append(out.point[0])
        d.append(out.disagreement[0])
        if progress is not None:
            progress(k + 1, ps.size, "values of p")
    share, gains, share2, gains2 = map(np.array, (share, gains, share2, gains2))
    cf_share, cf_gains = share_closed_form(ps), gains_closed_form(ps)
    dev_share = float(np.max(np.abs(share - cf_share)))
    dev_gains = float(np.max(np.abs(gains - cf_gains)))
    below = np.flatnonzero(ps < 1.0)
    k = int(below[-1])
    eps = 1.0 - ps[k]
    headline = {
        "grid_points": int(ps.size),
        "max_abs_deviation": max(dev_share, dev_gains),
        "max_abs_deviation_share": dev_share,
        "max_abs_deviation_gains": dev_gains,
        "max_type_asymmetry": float(max(np.max(np.abs(share - share2)), np.max(np.abs(gains - gains2)))),
        "share_at_half": float(share[0]),
        "gains_at_half": float(gains[0]),
        "gains_at_half_expected": math.sqrt(2) - 1,
        "share_at_one": float(share[-1]),
        "gains_at_one": float(gains[-1]),
        "p_near_one": float(ps[k]),
        "share_over_eps2_near_one": float(share[k] / eps ** 2),
        "gains_over_eps2_near_one": float(gains[k] / eps ** 2),
    }
    cols = {"p": ps, "disagreement": np.array(d), "nbs": np.array(nbs), "share": share,
            "share_closed_form": cf_share, "gains": gains, "gains_closed_form": cf_gains,
            "share_type2": share2, "gains_type2": gains2}
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        pd.DataFrame(cols).to_csv(out_dir / "ecl_double_decrease.csv", index=False)
        save_figure(figure(cols, headline), out_dir / "ecl_double_decrease.png")
    return headline


def figure(cols: Mapping[str, np.ndarray], headline: Mapping[str, Any]):
    """Figure 12 at ``p = 3/4``, figure 13, and figure 13 on log-log axes."""
    from matplotlib.figure import Figure

    from ..bargaining.ecl import bayesian_nash, nash_bargaining
    from ..sim.ecl_bargaining import treutlein_example_55
    from .ecl_feasible_sets import BNE_COLOR, NBS_COLOR, TYPE_COLORS, boundary, draw_set, mark, style_axes

    fig = Figure(figsize=(16.0, 5.2), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    q = P_FIGURE_12
    g = treutlein_example_55(q)
    out = nash_bargaining(g)
    bne_parts = g.contributions(bayesian_nash(g).profile)
    polys = [boundary(g.individual_feasible_set(t), 360) for t in range(2)]
    draw_set(ax1, polys[0], TYPE_COLORS[0], f"$F_1$: semi-axes ({q:g}, {1 - q:g})")
    draw_set(ax1, polys[1], TYPE_COLORS[1], f"$F_2$: semi-axes ({1 - q:g}, {q:g})")
    for t in range(2):
        mark(ax1, bne_parts[t], BNE_COLOR, "BNE contribution" if t == 0 else None)
        mark(ax1, out.contributions[t], NBS_COLOR, "NBS contribution" if t == 0 else None, annotate=True)
    style_axes(ax1, f"(a) individual feasible sets, p = {q:g} (figure 12)", float(max(np.max(P) for P in polys)))

    p = cols["p"]
    step = max(1, p.size // 26)
    ax2.plot(p, cols["share_closed_form"], color="C0", lw=1.8, label="share of the other type (closed form)")
    ax2.plot(p[::step], cols["share"][::step], "o", color="C0", ms=4, label="share (general NBS)")
    ax2.plot(p, cols["gains_closed_form"], color="C1", lw=1.8, label="gains from trade (closed form)")
    ax2.plot(p[::step], cols["gains"][::step], "s", color="C1", ms=4, label="gains (general NBS)")
    ax2.set_xlabel("p = p(t | t); the belief in the other type is p(t' | t) = 1 - p")
    ax2.set_ylabel("fraction (share of utility; gains relative to the BNE utility p)")
    ax2.set_title(f"(b) figure 13 (max deviation {headline['max_abs_deviation']:.1e})", fontsize=10)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8)

    inner = p < 1.0
    eps = 1.0 - p[inner]
    ax3.loglog(eps, cols["share_closed_form"][inner], color="C0", lw=1.8, label="share (closed form)")
    ax3.loglog(eps[::step], cols["share"][inner][::step], "o", color="C0", ms=4, label="share (general NBS)")
    ax3.loglog(eps, cols["gains_closed_form"][inner], color="C1", lw=1.8, label="gains (closed form)")
    ax3.loglog(eps[::step], cols["gains"][inner][::step], "s", color="C1", ms=4, label="gains (general NBS)")
    ax3.loglog(eps, eps ** 2, color="0.4", lw=1, ls="--", label="$(1 - p)^2$")
    ax3.loglog(eps, eps ** 2 / 2, color="0.4", lw=1, ls=":", label="$(1 - p)^2 / 2$")
    ax3.set_xlabel("1 - p = belief in the other type")
    ax3.set_ylabel("share / gains")
    ax3.set_title("(c) the double decrease: both quadratic in 1 - p", fontsize=10)
    ax3.grid(alpha=0.3, which="both")
    ax3.legend(fontsize=8)
    fig.suptitle("Treutlein example 55: square-root utilities, p(t | t) = p, large n", fontsize=11)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """The deviation from the closed forms and the double decrease."""
    return "\n".join([
        f"grid: {headline['grid_points']} values of p in [1/2, 1]",
        f"largest |general NBS - closed form|: share {headline['max_abs_deviation_share']:.1e}, "
        f"gains {headline['max_abs_deviation_gains']:.1e}",
        f"p = 1/2: share {headline['share_at_half']:.6f} (1/2), gains {headline['gains_at_half']:.6f} "
        f"(sqrt2 - 1 = {headline['gains_at_half_expected']:.6f})",
        f"p = 1:   share {headline['share_at_one']:.2g}, gains {headline['gains_at_one']:.2g} (no trade)",
        f"p = {headline['p_near_one']:.4g}: share / (1-p)^2 = {headline['share_over_eps2_near_one']:.4f} (-> 1), "
        f"gains / (1-p)^2 = {headline['gains_over_eps2_near_one']:.4f} (-> 1/2)",
    ])
