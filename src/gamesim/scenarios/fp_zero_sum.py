"""Fictitious play on random zero-sum games: the empirical strategies bracket the game's value.

For ``games`` random ``rows x cols`` zero-sum games (integer payoffs drawn uniformly
from ``-payoff_max .. payoff_max`` with the run's seed) the scenario computes the
value ``v`` by linear programming
(:func:`~gamesim.analysis.equilibria.zero_sum_value`) and runs exact fictitious
play (:func:`~gamesim.agents.fast_fp.fictitious_play`, lowest-index tie-breaking,
no prior).  At each checkpoint, with ``x`` and ``y`` the row and column players'
empirical mixed strategies,

* ``lower = min_c (x^T A)_c`` is what the row player's empirical strategy guarantees,
* ``upper = max_r (A y)_r`` is what the column player's empirical strategy concedes,

and ``lower <= v <= upper`` always.  Robinson's theorem [R51]_ says the gap
``upper - lower`` (which equals NashConv of the empirical profile in a zero-sum
game) goes to 0; the headline reports each game's bounds and gap at the end and the
fitted log-log slope of the gap against rounds over the second half of the
checkpoints (about -1/2 here, the rate of Karlin's conjecture; its strong form fails
for adversarial tie-breaking [DP14]_).

Writes ``gaps.csv`` (game, rounds, lower, upper, gap, value), ``games.npz`` (the
payoff matrices and values) and ``gap.png`` (gap vs rounds, log-log, one line per
game).

References
----------
.. [R51] J. Robinson, "An iterative method of solving a game", Ann. Math. 54, 1951.
.. [DP14] C. Daskalakis and Q. Pan, "A counter-example to Karlin's strong conjecture
   for fictitious play", FOCS 2014.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive

NAME = "fp_zero_sum"
DESCRIPTION = "Fictitious play on random zero-sum games: empirical value bounds bracket the LP value, gap -> 0"

PARAMETERS = (
    Parameter("rows", 4, int, "row player's actions", positive),
    Parameter("cols", 4, int, "column player's actions", positive),
    Parameter("games", 5, int, "number of random games", positive),
    Parameter("rounds", 100_000, int, "rounds of fictitious play per game", positive),
    Parameter("payoff_max", 10, int, "payoffs are integers drawn uniformly from -payoff_max..payoff_max", positive),
    Parameter("checkpoints", 60, int, "number of log-spaced checkpoints", positive),
)

TOL = 1e-9
"""Slack (times the payoff scale) allowed in the bracketing check."""


def random_games(params: Mapping[str, Any], seed: Any) -> np.ndarray:
    """The payoff matrices of the row player, shape ``(games, rows, cols)``, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    k = params["payoff_max"]
    return rng.integers(-k, k + 1, size=(params["games"], params["rows"], params["cols"])).astype(float)


def bounds(A: np.ndarray, row_counts: np.ndarray, col_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` per checkpoint: ``min_c x^T A`` and ``max_r A y`` of the empirical strategies."""
    x = row_counts / row_counts.sum(axis=1, keepdims=True)
    y = col_counts / col_counts.sum(axis=1, keepdims=True)
    return (x @ A).min(axis=1), (y @ A.T).max(axis=1)


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Solve and play each game; see the module docstring."""
    from ..agents.fast_fp import fictitious_play
    from ..analysis.convergence import log_checkpoints
    from ..analysis.equilibria import zero_sum_value
    from ._learning import fp_segments, joint_counts_at, loglog_slope

    mats = random_games(params, seed)
    rounds = params["rounds"]
    times = log_checkpoints(rounds, params["checkpoints"])
    late = times >= times[len(times) // 2]
    m, n = params["rows"], params["cols"]
    rows, per_game = [], []
    values, lowers, uppers = [], [], []
    if progress is not None:
        progress(0, len(mats), "games")
    for g, A in enumerate(mats):
        v = float(zero_sum_value(A).value) + 0.0                   # no -0.0
        res = fictitious_play((A, -A), rounds, record_every=None, keep_actions=True)
        counts = joint_counts_at(fp_segments(res), times, (m, n))
        lo, hi = bounds(A, counts.sum(axis=2), counts.sum(axis=1))
        gap = hi - lo
        scale = max(1.0, float(np.max(np.abs(A))))
        per_game.append({
            "value": v, "lower": float(lo[-1]), "upper": float(hi[-1]), "gap": float(gap[-1]),
            "brackets": bool(np.all(lo <= v + TOL * scale) and np.all(hi >= v - TOL * scale)),
            "gap_slope": loglog_slope(times[late], gap[late]),
        })
        values.append(v)
        lowers.append(lo)
        uppers.append(hi)
        rows.extend({"game": g, "rounds": int(t), "lower": float(a), "upper": float(b), "gap": float(b - a), "value": v}
                    for t, a, b in zip(times.tolist(), lo, hi))
        if progress is not None:
            progress(g + 1, len(mats), "games")
    gaps = np.array([p["gap"] for p in per_game])
    first_gaps = np.array([u[0] - l[0] for l, u in zip(lowers, uppers)])
    headline = {
        "values": [p["value"] for p in per_game],
        "lower": [p["lower"] for p in per_game],
        "upper": [p["upper"] for p in per_game],
        "gaps": gaps.tolist(),
        "brackets": all(p["brackets"] for p in per_game),
        "max_gap": float(gaps.max()),
        "gap_shrinks": bool(np.all((gaps < first_gaps) | (first_gaps <= 0))),
        "gap_slope": float(np.nanmean([p["gap_slope"] for p in per_game])) if any(
            np.isfinite(p["gap_slope"]) for p in per_game) else None,
    }
    if out_dir is not None:
        from ..analysis import plots
        from ._learning import new_figure, save_csv

        save_csv(rows, out_dir / "gaps.csv")
        np.savez_compressed(out_dir / "games.npz", payoffs=mats, values=np.array(values), checkpoints=times,
                            lower=np.array(lowers), upper=np.array(uppers))
        fig = new_figure(7.0, 4.5)
        ax = fig.add_subplot()
        for g, (lo, hi) in enumerate(zip(lowers, uppers)):
            ax.plot(times, np.maximum(hi - lo, 1e-12), label=f"game {g} (v = {values[g]:.3g})")
        ref = float(np.median(first_gaps)) if np.median(first_gaps) > 0 else 1.0
        ax.plot(times, ref / np.sqrt(times / times[0]), color="gray", linestyle=":", label="∝ 1/√T")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rounds")
        ax.set_ylabel(r"gap  $\max_r\,(Ay)_r - \min_c\,(x^{T}\!A)_c$")
        ax.set_title(f"Fictitious play on random {m}×{n} zero-sum games: value bounds gap")
        ax.legend(fontsize="small", loc="best", ncol=1 if len(mats) <= 8 else 2)
        ax.grid(alpha=0.3, which="both")
        plots.save_figure(fig, out_dir / "gap.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """One line per game: lower bound <= LP value <= upper bound, and the gap."""
    lines = [f"{'game':>4}  {'lower':>10}  {'LP value':>10}  {'upper':>10}  {'gap':>10}"]
    for g, (lo, v, hi, gap) in enumerate(zip(headline["lower"], headline["values"], headline["upper"], headline["gaps"])):
        lines.append(f"{g:>4}  {lo:>10.5f}  {v:>10.5f}  {hi:>10.5f}  {gap:>10.3g}")
    lines.append(f"bounds bracket every LP value: {'yes' if headline['brackets'] else 'NO'}")
    slope = headline.get("gap_slope")
    if slope is not None:
        lines.append(f"gap ~ rounds^{slope:.2f} (log-log slope over the later checkpoints)")
    return "\n".join(lines)
