"""Fictitious play on matching pennies from the course notes' starting beliefs.

Player 1 (rows) wants to match, player 2 to mismatch.  As in the notes [notes]_,
player 1 starts believing (1.5, 2) about player 2's (H, T) and player 2 believes
(2, 1.5) about player 1; each round both best-respond to their counts.  The play
runs (T, T), (T, H), (T, H), (H, H), ... and never settles on a pure profile, but
the empirical frequencies of both players converge to the mixed equilibrium
(1/2, 1/2) [B51]_ [R51]_ -- within 0.01 after 100,000 rounds.

Engines: ``fast`` (default) is :func:`~gamesim.agents.fast_fp.fictitious_play`, exact
and event-driven (100,000 rounds take milliseconds); ``environment`` plays the same
rounds one by one through :class:`~gamesim.sim.environment.Environment`
(``matching="pairs"``, :class:`~gamesim.agents.FictitiousPlay` with the same
initial weights) -- about 10,000 rounds a second, so use fewer rounds.  Both give
the same play, round by round.

Headline figures: both players' final empirical frequencies, their largest
deviation from 1/2, the first six joint actions, NashConv (sum of best-response
gains, 0 at equilibrium) and the L1 distance to the equilibrium at the end.

Writes ``convergence.csv`` (frequencies and distances at log-spaced checkpoints),
``play.csv`` (the play as constant segments) and ``convergence.png``.

References
----------
.. [notes] "Game theory course notes", ``shared/seeds/game-theory-course-notes.md``,
   section "Ficticious Play".
.. [B51] G. W. Brown, "Iterative solution of games by fictitious play", 1951.
.. [R51] J. Robinson, "An iterative method of solving a game", Ann. Math. 54, 1951.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, choice, positive

NAME = "fp_matching_pennies"
DESCRIPTION = "Fictitious play on matching pennies from the notes' beliefs: frequencies converge to (1/2, 1/2)"

PARAMETERS = (
    Parameter("rounds", 100_000, int, "rounds of play", positive),
    Parameter("belief_1", "1.5,2", str, "player 1's initial belief weights about player 2's H,T"),
    Parameter("belief_2", "2,1.5", str, "player 2's initial belief weights about player 1's H,T"),
    Parameter("engine", "fast", str,
              "fast (exact event-driven fictitious_play) or environment (round by round; use fewer rounds)",
              choice("fast", "environment")),
    Parameter("checkpoints", 60, int, "number of log-spaced checkpoints in the trace and plot", positive),
)

SHOW_FIRST = 6
"""How many opening joint actions the headline lists."""


def initial_weights(params: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(player 1's weights about player 2, player 2's about player 1)`` from the parameters."""
    from ._learning import parse_numbers

    return parse_numbers(params["belief_1"], 2, "belief_1"), parse_numbers(params["belief_2"], 2, "belief_2")


def validate(params: Mapping[str, Any]) -> None:
    """The belief weights are two non-negative numbers each."""
    initial_weights(params)


def play_segments(params: Mapping[str, Any], seed: Any, progress: Progress | None) -> np.ndarray:
    """The play as constant segments ``(start, length, a, b)`` (H = 0, T = 1), from either engine."""
    from ..sim.catalogue import matching_pennies
    from ._learning import fp_segments, segments_from_history

    game = matching_pennies()
    weights = initial_weights(params)
    rounds = params["rounds"]
    if params["engine"] == "fast":
        from ..agents.fast_fp import fictitious_play

        if progress is not None:
            progress(0, rounds, "rounds")
        res = fictitious_play(game, rounds, weights, record_every=None, keep_actions=True)
        if progress is not None:
            progress(rounds, rounds, "rounds")
        return fp_segments(res)
    from ..agents import FictitiousPlay
    from ..sim.environment import Environment
    from ._base import run_environment

    env = Environment(game, {FictitiousPlay(initial_weights=weights): 2}, matching="pairs", rounds=rounds,
                      keep_history=True, seed=seed)
    result = run_environment(env, progress, label="rounds")
    return segments_from_history(result.history[:, 0, :])


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play and measure; see the module docstring."""
    from ..analysis.convergence import log_checkpoints
    from ..sim.catalogue import matching_pennies
    from ._learning import joint_counts_at, joint_label, trace_from_counts, trace_rows

    game = matching_pennies()
    rounds = params["rounds"]
    seg = play_segments(params, seed, progress)
    times = log_checkpoints(rounds, params["checkpoints"])
    trace = trace_from_counts(game, times, joint_counts_at(seg, times, (2, 2)))
    f1, f2 = trace.marginals[0][-1, 0], trace.marginals[1][-1, 0]
    head = seg[:SHOW_FIRST]
    opening = np.repeat(head[:, 2:], np.minimum(head[:, 1], SHOW_FIRST), axis=0)[:SHOW_FIRST]
    names = game.actions[0]
    headline = {
        "frequencies": {"player_1": dict(zip(names, f1.tolist())), "player_2": dict(zip(game.actions[1], f2.tolist()))},
        "max_deviation": float(max(np.max(np.abs(f1 - 0.5)), np.max(np.abs(f2 - 0.5)))),
        "first_joint_actions": [joint_label(game, j) for j in opening],
        "nash_conv": float(trace.nash_conv[-1, 0]),
        "distance_to_nash": float(trace.distance_to_nash[-1, 0]),
        "action_changes": int(seg.shape[0] - 1),
    }
    if out_dir is not None:
        from ..analysis import plots
        from ._learning import save_csv

        save_csv(trace_rows(game, trace), out_dir / "convergence.csv")
        save_csv([{"start": int(s), "length": int(n), "player_1": names[a], "player_2": game.actions[1][b]}
                  for s, n, a, b in seg.tolist()], out_dir / "play.csv")
        fig = plots.convergence(trace, title=f"Fictitious play on matching pennies ({params['engine']} engine, "
                                             f"{rounds:,} rounds)")
        plots.save_figure(fig, out_dir / "convergence.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """Final frequencies, deviation from 1/2, the opening play and NashConv."""
    fr = headline["frequencies"]
    lines = [
        "player 1 frequencies: " + ", ".join(f"{a} {p:.4f}" for a, p in fr["player_1"].items()),
        "player 2 frequencies: " + ", ".join(f"{a} {p:.4f}" for a, p in fr["player_2"].items()),
        f"max deviation from 1/2: {headline['max_deviation']:.4g}",
        "first joint actions:  " + " ".join(headline["first_joint_actions"]),
        f"NashConv at the end:  {headline['nash_conv']:.4g}",
    ]
    return "\n".join(lines)
