"""Fictitious play on Shapley's game: the play cycles forever and the frequencies never settle.

Shapley's 3x3 game [S64]_ (:func:`~gamesim.sim.catalogue.shapley_game`) has a
unique Nash equilibrium, both players mixing uniformly, yet fictitious play from a
pure start does not converge to it.  The joint action cycles through six pure
profiles; each stretch of constant play is about 1.47 times as long as the one
before, so the runs grow geometrically and the empirical frequencies keep
circling the equilibrium instead of approaching it -- NashConv of the empirical
profile (the sum of both players' best-response gains) stays bounded away from 0.

Play is exact (:func:`~gamesim.agents.fast_fp.fictitious_play`, lowest-index
tie-breaking).  Round 1 is the pure profile ``start``; from round 2 on both players
best-respond to the counts of everything seen so far.

Headline figures: NashConv at powers of ten (and at the end), its minimum over the
checkpoints from round 10 on, the lengths of the successive runs of constant play
(the last, cut off by the horizon, left out), their growth ratio, and ``settled``:
whether NashConv stayed below 0.05 over the last decade of rounds.

Writes ``runs.csv`` (every run of constant play), ``trace.csv`` (frequencies and
NashConv at log-spaced checkpoints and at every switch), ``simplex.png`` (player 1's
empirical strategy on the simplex, the equilibrium marked) and ``nash_conv.png``.

References
----------
.. [S64] L. S. Shapley, "Some topics in two-person games", in *Advances in Game
   Theory*, Annals of Mathematics Studies 52, 1964.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive

NAME = "fp_shapley_cycle"
DESCRIPTION = "Fictitious play on Shapley's game: runs of constant play grow geometrically, NashConv stays > 0"

PARAMETERS = (
    Parameter("rounds", 1_000_000, int, "rounds of play", positive),
    Parameter("start", "a,a", str, "the pure profile played in round 1 (player 1's action, player 2's action)"),
    Parameter("checkpoints", 200, int, "number of log-spaced checkpoints (switch points are added)", positive),
    Parameter("show_runs", 16, int, "how many run lengths the headline lists", positive),
)

SETTLED_TOL = 0.05
"""``settled`` means NashConv stayed below this over the last decade of rounds."""


def validate(params: Mapping[str, Any]) -> None:
    """``start`` names one action of each player."""
    from ..sim.catalogue import shapley_game
    from ._learning import parse_profile

    parse_profile(shapley_game(), params["start"], "start")


def play_segments(game: Any, rounds: int, start: tuple[int, int]) -> np.ndarray:
    """Constant segments ``(start round, length, a, b)`` of fictitious play from the pure profile ``start``.

    Round 1 is ``start``; the following rounds are exact fictitious play whose
    initial counts are that one observation.
    """
    from ..agents.fast_fp import fictitious_play
    from ._learning import fp_segments

    r0, c0 = start
    first = np.array([[0, 1, r0, c0]], dtype=np.int64)
    if rounds == 1:
        return first
    m, n = game.n_actions
    res = fictitious_play(game, rounds - 1, (np.eye(n)[c0], np.eye(m)[r0]), record_every=None, keep_actions=True)
    seg = fp_segments(res).copy()
    seg[:, 0] += 1
    if seg[0, 2] == r0 and seg[0, 3] == c0:
        seg[0, 0] = 0
        seg[0, 1] += 1
        return seg
    return np.concatenate([first, seg])


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play and measure; see the module docstring."""
    from ..analysis.convergence import log_checkpoints
    from ..sim.catalogue import shapley_game
    from ._learning import joint_counts_at, parse_profile, trace_from_counts

    game = shapley_game()
    rounds = params["rounds"]
    start = parse_profile(game, params["start"], "start")
    if progress is not None:
        progress(0, rounds, "rounds")
    seg = play_segments(game, rounds, start)
    if progress is not None:
        progress(rounds, rounds, "rounds")
    ends = seg[:, 0] + seg[:, 1]                                   # rounds played at each switch (and the end)
    times = np.union1d(log_checkpoints(rounds, params["checkpoints"]), ends)
    decades = [10 ** k for k in range(1, int(np.log10(rounds)) + 1) if 10 ** k <= rounds]
    times = np.union1d(times, np.array(decades + [rounds], dtype=np.int64))
    trace = trace_from_counts(game, times, joint_counts_at(seg, times, game.n_actions))
    nc = trace.nash_conv[:, 0]
    at = {str(t): float(nc[np.searchsorted(times, t)]) for t in sorted(set(decades + [rounds]))}
    lengths = seg[:-1, 1] if seg.shape[0] > 1 else seg[:0, 1]      # the last run is cut off by the horizon
    ratios = lengths[1:] / lengths[:-1]
    tail = ratios[len(ratios) // 2:]
    later = times >= min(rounds, max(10, rounds // 10))              # the last decade (at least the end)
    headline = {
        "nash_conv_at": at,
        "min_nash_conv": float(nc[times >= min(10, rounds)].min()),
        "final_frequencies": {"player_1": dict(zip(game.actions[0], trace.marginals[0][-1, 0].tolist())),
                              "player_2": dict(zip(game.actions[1], trace.marginals[1][-1, 0].tolist()))},
        "run_lengths": lengths[:params["show_runs"]].tolist(),
        "runs": int(seg.shape[0]),
        "growth_ratio": float(np.exp(np.mean(np.log(tail)))) if tail.size else None,
        "settled": bool(np.max(nc[later]) < SETTLED_TOL),
    }
    if out_dir is not None:
        from ..analysis import plots
        from ._learning import joint_label, new_figure, save_csv, trace_rows

        save_csv([{"run": k, "start": int(s) + 1, "length": int(L), "complete": k < seg.shape[0] - 1,
                   "joint_action": joint_label(game, (a, b))}
                  for k, (s, L, a, b) in enumerate(seg.tolist())], out_dir / "runs.csv")
        save_csv(trace_rows(game, trace), out_dir / "trace.csv")
        at_switch = np.isin(times, ends)
        fig = plots.simplex_trajectory(trace.marginals[0][at_switch, 0, :], labels=game.actions[0],
                                       equilibrium=np.full(3, 1 / 3),
                                       title=f"Shapley's game: player 1's empirical strategy ({rounds:,} rounds)")
        plots.save_figure(fig, out_dir / "simplex.png")
        fig = new_figure(7.0, 4.5)
        ax = fig.add_subplot()
        ax.plot(times, nc, label="NashConv of the empirical profile")
        ax.axhline(SETTLED_TOL, color="gray", linestyle=":", label=f"settling tolerance {SETTLED_TOL:g}")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("rounds")
        ax.set_ylabel("NashConv (sum of best-response gains)")
        ax.set_title("Fictitious play on Shapley's game does not converge")
        ax.legend(fontsize="small", loc="best")
        ax.grid(alpha=0.3, which="both")
        plots.save_figure(fig, out_dir / "nash_conv.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """NashConv per decade, the run lengths and their growth, and whether play settled."""
    at = headline["nash_conv_at"]
    ratio = headline["growth_ratio"]
    lines = [
        "NashConv at rounds:   " + ", ".join(f"{int(t):,}: {v:.3f}" for t, v in at.items()),
        f"min NashConv (>= 10 rounds): {headline['min_nash_conv']:.4f}",
        "runs of constant play: " + " ".join(str(x) for x in headline["run_lengths"])
        + (" ..." if headline["runs"] - 1 > len(headline["run_lengths"]) else ""),
        f"growth ratio of successive runs: {'n/a' if ratio is None else format(ratio, '.4f')}",
        f"settled: {headline['settled']}",
    ]
    return "\n".join(lines)
