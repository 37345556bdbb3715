""""Paretotopia": gains from trade with logarithmic utilities (Treutlein example 56).

As in example 55 (large ``n``, equal priors, ``p(t | t) = p``, ``p(t' | t) = 1 - p``), but
a player splits ``r`` resources between the two values with logarithmic returns: the
action set is ``A = {y >= 0 : exp(y_1) + exp(y_2) <= r}`` (at least one unit per value,
utility the log of it), so ``F_1 = {x >= 0 : exp(x_1 / p) + exp(x_2 / (1 - p)) <= r}``
(equation (60) of [T23]_) and ``F_2`` its mirror image (61).  By symmetry the Nash
bargaining solution [N50]_ is where the frontier has slope ``-1``; Treutlein's closed
forms for the share of a type's utility provided by the other type and for the
"percent gains from trade" are

``share = (1 - p) log(max((1 - p) r, 1)) / (p log(p r) + (1 - p) log(max((1 - p) r, 1)))``,

``gains = (p log(p r) + (1 - p) log(max((1 - p) r, 1))) / (p log r) - 1``.

**These closed forms are approximations.**  With the action set as stated (``y >= 0``,
one unit of resources per value at least) the Bayesian Nash equilibrium puts
``r - 1`` units on the own value, so the disagreement utility is ``p log(r - 1)``,
not the ``p log r`` the gains are measured against; and for ``(1 - p) r < 1`` (``p > 1 -
1/r``; the paper's "``p <= 1/r``" is a slip) the frontier of ``F_1`` has no point of
slope ``-1`` with ``x_2 > 0``: nobody trades, the NBS is the BNE, and the total is
``p log(r - 1)``, not ``p log(p r)``.  For ``(1 - p) r >= 1`` the share formula is exact
and so is the total ``p log(p r) + (1 - p) log((1 - p) r)``.

The scenario computes, for each ``r`` in the list ``r`` and ``p`` on a grid over ``[1/2,
1]``, the NBS of the game of :func:`~gamesim.sim.ecl_bargaining.treutlein_example_56`
with prior weights from the BNE (:func:`gamesim.bargaining.ecl.nash_bargaining`) and
reads off

* ``share = contributions[1, 0] / point[0]``,
* ``gains = point[0] / (p log r) - 1`` -- the paper's normalisation, so that the
  comparison isolates the NBS,
* ``gains_vs_bne = point[0] / disagreement[0] - 1`` -- the gains over the BNE that the
  game really has, ``d = p log(r - 1)``.

Headline, per ``r``: the largest deviation of the computed share and gains from the
closed forms over ``p <= check_p_max`` (default 0.97, where ``(1 - p) r >= 1`` for
both default ``r``; expected ~1e-9, the bargaining tests use ``1e-8``), the largest
deviation over the whole grid (where the approximation shows for ``r = 100`` at ``p >
0.99``), the largest gap between ``gains_vs_bne`` and the closed form (the ``p log r``
approximation of the BNE, about ``4e-3`` at ``r = 100`` and ``1e-10`` at ``r = 1e9``), and
the largest deviation from the *exact* closed forms (the same formulas with the true
BNE ``p log(r - 1)`` and the no-trade branch), which hold on the whole grid.

With ``r = 1e9`` share and gains fall roughly linearly as ``p -> 1``, much more slowly
than the quadratic "double decrease" of example 55 (Drexler's "Paretotopia" [D19]_:
gains from trade are vast, and reaping them matters more than one's share).

Writes ``ecl_paretotopia.csv`` (one row per ``(r, p)``) and ``ecl_paretotopia.png`` (one
panel per ``r`` as in figure 15: closed forms as lines, the general computation as
markers, the gains over the true BNE dotted).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 5.5.5, example 56 with equations (60)-(61) and
   figures 14 and 15; definition 47, proposition 49.
.. [N50] J. Nash, "The bargaining problem", Econometrica 18, 155-162, 1950.
.. [D19] K. E. Drexler, "Reframing superintelligence", FHI technical report, 2019
   (the "Paretotopia" argument, as cited in [T23]_).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress

NAME = "ecl_paretotopia"
DESCRIPTION = ("Treutlein example 56 / figure 15: with logarithmic utilities the other type's share and "
               "the gains from trade fall slowly in 1 - p (\"Paretotopia\")")


def _check_p_max(v: float) -> str | None:
    return None if 0.5 <= v <= 1 else "must lie in [0.5, 1]"


PARAMETERS = (
    Parameter("r", "100,1e9", str, "comma-separated resource amounts r > 2 (the paper: 100 and 1e9)"),
    Parameter("n_grid", 51, int, "grid points of p over [1/2, 1] (both ends included)",
              lambda v: None if v >= 2 else "must be at least 2"),
    Parameter("check_p_max", 0.97, float, "largest p counted in the headline deviation from the closed forms",
              _check_p_max),
)


def parse_r(text: str) -> list[float]:
    """The list of ``r`` values: finite numbers ``> 2``, distinct.

    Examples
    --------
    >>> parse_r("100, 1e9")
    [100.0, 1000000000.0]
    >>> parse_r("100,1")
    Traceback (most recent call last):
    ...
    ValueError: r: every r must be greater than 2 (one unit per value, and a positive BNE utility p log(r - 1)), got 1
    """
    parts = [s.strip() for s in str(text).split(",")]
    if not any(parts):
        raise ValueError("r: no values given")
    values = []
    for s in parts:
        try:
            v = float(s)
        except ValueError:
            raise ValueError(f"r: expected comma-separated numbers, got {s!r}") from None
        if not math.isfinite(v):
            raise ValueError(f"r: expected finite numbers, got {s!r}")
        if not v > 2:
            raise ValueError(f"r: every r must be greater than 2 (one unit per value, and a positive BNE "
                             f"utility p log(r - 1)), got {s}")
        if v in values:
            raise ValueError(f"r: {s} is listed twice")
        values.append(v)
    return values


def validate(params: Mapping[str, Any]) -> None:
    """The ``r`` list parses."""
    parse_r(params["r"])


def _other(p: np.ndarray, r: float) -> np.ndarray:
    return (1 - p) * np.log(np.maximum((1 - p) * r, 1.0))


def share_closed_form(p: Any, r: float) -> np.ndarray:
    """Treutlein's share of the other type: ``(1-p) log(max((1-p) r, 1)) / (p log(p r) + (1-p) log(max((1-p) r, 1)))``.

    >>> share_closed_form([0.5, 1.0], 100.0)
    array([0.5, 0. ])
    """
    p = np.asarray(p, dtype=float)
    other = _other(p, r)
    return other / (p * np.log(p * r) + other)


def gains_closed_form(p: Any, r: float) -> np.ndarray:
    """Treutlein's gains from trade, ``(p log(p r) + (1-p) log(max((1-p) r, 1))) / (p log r) - 1``.

    >>> gains_closed_form([0.5, 1.0], 100.0).round(6)
    array([0.69897, 0.     ])
    """
    p = np.asarray(p, dtype=float)
    return (p * np.log(p * r) + _other(p, r)) / (p * math.log(r)) - 1


def exact_closed_forms(p: Any, r: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact share, total and gains over the true BNE ``p log(r - 1)``.

    For ``(1 - p) r >= 1``: total ``p log(p r) + (1 - p) log((1 - p) r)``; otherwise no
    trade (total ``p log(r - 1)``, share 0).

    >>> share, total, gains = exact_closed_forms([0.5, 0.995], 100.0)
    >>> share.tolist(), bool(np.isclose(total[1], 0.995 * np.log(99))), float(gains[1])
    ([0.5, 0.0], True, 0.0)
    """
    p = np.asarray(p, dtype=float)
    d = p * math.log(r - 1)
    trade = (1 - p) * r >= 1
    q = np.where(trade, 1 - p, 1.0 / r)  # 1 / r where there is no trade: avoids log(0), discarded
    other = np.where(trade, q * np.log(q * r), 0.0)
    total = np.where(trade, p * np.log(p * r) + other, d)
    share = other / total
    return share, total, total / d - 1


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Solve example 56 for each ``r`` on the grid of ``p``; see the module docstring."""
    from ..bargaining.ecl import nash_bargaining
    from ..sim.ecl_bargaining import treutlein_example_56

    rs = parse_r(params["r"])
    ps = np.linspace(0.5, 1.0, params["n_grid"])
    check = ps <= params["check_p_max"] + 1e-12
    total_steps = len(rs) * ps.size
    if progress is not None:
        progress(0, total_steps, "games")
    frames, per_r = [], []
    for i, r in enumerate(rs):
        share, gains, gains_bne, point, d = [], [], [], [], []
        for k, p in enumerate(ps):
            out = nash_bargaining(treutlein_example_56(float(p), r))
            share.append(out.contributions[1, 0] / out.point[0])
            gains.append(out.point[0] / (p * math.log(r)) - 1)
            gains_bne.append(out.point[0] / out.disagreement[0] - 1)
            point.append(out.point[0])
            d.append(out.disagreement[0])
            if progress is not None:
                progress(i * ps.size + k + 1, total_steps, "games")
        share, gains, gains_bne, point, d = map(np.array, (share, gains, gains_bne, point, d))
        cf_share, cf_gains = share_closed_form(ps, r), gains_closed_form(ps, r)
        ex_share, ex_total, ex_gains = exact_closed_forms(ps, r)
        dev = np.maximum(np.abs(share - cf_share), np.abs(gains - cf_gains))
        exact_dev = np.maximum.reduce([np.abs(share - ex_share), np.abs(gains_bne - ex_gains),
                                       np.abs(point - ex_total) / np.maximum(1.0, np.abs(ex_total))])
        per_r.append({
            "r": r,
            "max_abs_deviation": float(np.max(dev[check])),
            "max_abs_deviation_full_grid": float(np.max(dev)),
            "max_gap_gains_vs_bne": float(np.max(np.abs(gains_bne - cf_gains))),
            "max_abs_deviation_exact": float(np.max(exact_dev)),
            "bne_at_half": float(d[0]),
            "share_at_half": float(share[0]),
            "gains_at_half": float(gains[0]),
            "gains_vs_bne_at_half": float(gains_bne[0]),
            "p_near_one": float(ps[-2]),
            "share_near_one": float(share[-2]),
            "gains_near_one": float(gains[-2]),
            "no_trade_above_p": 1.0 - 1.0 / r,
        })
        frames.append({"r": np.full(ps.size, r), "p": ps, "disagreement": d, "nbs": point,
                       "share": share, "share_closed_form": cf_share, "gains": gains,
                       "gains_closed_form": cf_gains, "gains_vs_bne": gains_bne,
                       "share_exact": ex_share, "gains_vs_bne_exact": ex_gains})
    headline = {
        "r_values": rs,
        "grid_points": int(ps.size),
        "check_p_max": params["check_p_max"],
        "max_abs_deviation": max(x["max_abs_deviation"] for x in per_r),
        "max_abs_deviation_full_grid": max(x["max_abs_deviation_full_grid"] for x in per_r),
        "max_abs_deviation_exact": max(x["max_abs_deviation_exact"] for x in per_r),
        "by_r": per_r,
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True).to_csv(
            out_dir / "ecl_paretotopia.csv", index=False)
        save_figure(figure(frames, headline), out_dir / "ecl_paretotopia.png")
    return headline


def figure(frames: list[Mapping[str, np.ndarray]], headline: Mapping[str, Any]):
    """Figure 15: one panel per ``r``; closed forms as lines, the general NBS as markers."""
    from matplotlib.figure import Figure

    n = len(frames)
    fig = Figure(figsize=(6.0 * n, 5.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, n, sharey=True))
    for ax, f, info in zip(axes, frames, headline["by_r"]):
        p = f["p"]
        step = max(1, p.size // 26)
        ax.plot(p, f["share_closed_form"], color="C0", lw=1.8, label="share of the other type (closed form)")
        ax.plot(p[::step], f["share"][::step], "o", color="C0", ms=4, label="share (general NBS)")
        ax.plot(p, f["gains_closed_form"], color="C1", lw=1.8, label="gains from trade (closed form, vs p log r)")
        ax.plot(p[::step], f["gains"][::step], "s", color="C1", ms=4, label="gains (general NBS, vs p log r)")
        ax.plot(p, f["gains_vs_bne"], color="C1", lw=1.0, ls=":", label="gains over the true BNE p log(r - 1)")
        if 1.0 / info["r"] >= 2e-3:  # the no-trade region is visible at this scale
            ax.axvspan(info["no_trade_above_p"], 1.0, color="0.85", lw=0)
            ax.annotate("no trade: (1 - p) r < 1", (info["no_trade_above_p"], 0.6), textcoords="offset points",
                        xytext=(-4, 0), ha="right", fontsize=8, color="0.4",
                        xycoords=("data", "axes fraction"))
        ax.set_xlabel("p = p(t | t); the belief in the other type is p(t' | t) = 1 - p")
        ax.set_title(f"r = {info['r']:g}: max deviation {info['max_abs_deviation']:.1e} "
                     f"(p <= {headline['check_p_max']:g})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("fraction (share of utility; gains relative to p log r)")
    fig.suptitle("Treutlein example 56 (figure 15): logarithmic utilities, p(t | t) = p, large n", fontsize=11)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """Per ``r``: the deviations from the closed forms and the values at both ends."""
    lines = [f"grid: {headline['grid_points']} values of p in [1/2, 1]; closed forms are Treutlein's "
             f"(approximate: BNE taken as p log r, no no-trade branch in the total)"]
    for x in headline["by_r"]:
        nt = f"no trade for p > 1 - 1/r = {x['no_trade_above_p']:.10g}"
        lines += [
            f"r = {x['r']:g}:",
            f"  largest |general NBS - closed form| for p <= {headline['check_p_max']:g}: "
            f"{x['max_abs_deviation']:.1e} (whole grid {x['max_abs_deviation_full_grid']:.1e}; {nt})",
            f"  gains over the true BNE vs the closed form: up to {x['max_gap_gains_vs_bne']:.1e}; "
            f"exact closed forms: {x['max_abs_deviation_exact']:.1e}",
            f"  p = 1/2: share {x['share_at_half']:.6f}, gains {x['gains_at_half']:.6f} "
            f"(over the true BNE {x['gains_vs_bne_at_half']:.6f})",
            f"  p = {x['p_near_one']:.4g}: share {x['share_near_one']:.6f}, gains {x['gains_near_one']:.6f}",
        ]
    return "\n".join(lines)
