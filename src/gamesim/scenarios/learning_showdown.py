"""Learning showdown: four learning rules in self-play on a shelf of classic games.

Fictitious play (FP, [B51]_; random tie-breaking, so the runs differ), stochastic
fictitious play (SFP, logit responses with ``temperature``, [FK93]_), conditional
regret matching (RM, [HM00]_) and Hedge (learning rate ``eta``, [FS97]_) each play
``runs`` independent self-play matches of ``rounds`` rounds on every game of the
shelf: matching pennies, rock-paper-scissors, Shapley's game, chicken, battle of
the sexes, stag hunt and a random 3x3 zero-sum game (integer payoffs -5..5 drawn
with the run's seed).  All learners on one game play side by side in one
:class:`~gamesim.sim.environment.Environment` (``matching="pairs"``,
``keep_history=True``); :func:`~gamesim.analysis.convergence.convergence_trace`
measures each run at log-spaced checkpoints.

Headline ``table``: learner -> game -> final mean over the runs of

* ``nash_conv``: NashConv of the empirical profile (sum of best-response gains);
* ``distance_to_nash``: L1 distance of the empirical profile to the nearest Nash
  equilibrium (extreme equilibria, see :func:`~gamesim.analysis.convergence.distance_to_nash`);
* ``ce_violation``: largest swap-deviation gain of the empirical joint play.

What to expect: FP, SFP and Hedge approach the mixed equilibria of the zero-sum
games; nobody settles on Shapley's game (FP cycles there); in chicken, battle of
the sexes and stag hunt most runs lock into a pure equilibrium.  Conditional regret
matching's CE violation goes to 0 only at the rate ~1/sqrt(rounds), slowed by its
inertia ``mu``, so at a few thousand rounds it is still far from the mixed
equilibria of pennies, rock-paper-scissors and the random zero-sum game.

Writes ``showdown.csv`` (the table, with standard deviations over runs),
``traces.csv`` (mean metrics per checkpoint), ``nash_conv_heatmap.png`` and
``convergence_grid.png`` (mean NashConv against rounds, one panel per game).

Run time is about 0.7 ms a round per game with all four learners (the learners'
per-round NumPy overhead dominates; it hardly depends on ``runs``): some 10 s at the
defaults, about 3 s with ``--set rounds=500``.

References
----------
.. [B51] G. W. Brown, "Iterative solution of games by fictitious play", 1951.
.. [FK93] D. Fudenberg and D. M. Kreps, "Learning mixed equilibria", Games Econ. Behav. 5, 1993.
.. [HM00] S. Hart and A. Mas-Colell, "A simple adaptive procedure leading to correlated
   equilibrium", Econometrica 68(5), 2000.
.. [FS97] Y. Freund and R. E. Schapire, "A decision-theoretic generalization of on-line
   learning and an application to boosting", J. Comput. Syst. Sci. 55, 1997.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive

NAME = "learning_showdown"
DESCRIPTION = "FP, stochastic FP, regret matching and Hedge in self-play on seven games: NashConv, distance, CE violation"

GAMES = ("matching_pennies", "rock_paper_scissors", "shapley", "chicken", "battle_of_the_sexes", "stag_hunt",
         "random_zero_sum")
"""Game keys, in table order."""

GAME_LABELS = {"matching_pennies": "Pennies", "rock_paper_scissors": "RPS", "shapley": "Shapley",
               "chicken": "Chicken", "battle_of_the_sexes": "BoS", "stag_hunt": "Stag hunt",
               "random_zero_sum": "ZS 3x3"}
"""Short column labels for the printed table and the plots."""

LEARNERS = ("fictitious_play", "stochastic_fictitious_play", "regret_matching", "hedge")
"""Learner keys, in table order."""

LEARNER_LABELS = {"fictitious_play": "FP", "stochastic_fictitious_play": "SFP", "regret_matching": "RM",
                  "hedge": "Hedge"}

METRICS = ("nash_conv", "distance_to_nash", "ce_violation")

PARAMETERS = (
    Parameter("rounds", 2000, int, "rounds per run", positive),
    Parameter("runs", 20, int, "independent self-play runs per learner and game", positive),
    Parameter("games", ",".join(GAMES), str, f"comma-separated games from: {', '.join(GAMES)}"),
    Parameter("learners", ",".join(LEARNERS), str, f"comma-separated learners from: {', '.join(LEARNERS)}"),
    Parameter("temperature", 0.1, float, "stochastic fictitious play's logit temperature", positive),
    Parameter("eta", 0.1, float, "Hedge's learning rate (payoffs scaled to [0, 1])", positive),
    Parameter("checkpoints", 30, int, "number of log-spaced checkpoints", positive),
)


def _pick(text: str, known: tuple[str, ...], field: str) -> list[str]:
    items = [s.strip() for s in str(text).split(",")]
    if not any(items):
        raise ValueError(f"{field}: none given (choose from {', '.join(known)})")
    out = []
    for s in items:
        if s not in known:
            raise ValueError(f"{field}: unknown {field[:-1]} {s!r} (known: {', '.join(known)})")
        if s in out:
            raise ValueError(f"{field}: {s} is listed twice")
        out.append(s)
    return out


def selected_games(params: Mapping[str, Any]) -> list[str]:
    """The game keys asked for, in the order given."""
    return _pick(params["games"], GAMES, "games")


def selected_learners(params: Mapping[str, Any]) -> list[str]:
    """The learner keys asked for, in the order given."""
    return _pick(params["learners"], LEARNERS, "learners")


def validate(params: Mapping[str, Any]) -> None:
    """``games`` and ``learners`` name known, distinct entries."""
    selected_games(params)
    selected_learners(params)


def make_game(key: str, seed: Any) -> Any:
    """The game called ``key``; the random zero-sum game is drawn from ``seed``."""
    from ..sim import catalogue
    from ..sim.games import NormalFormGame

    if key == "random_zero_sum":
        A = np.random.default_rng(seed).integers(-5, 6, size=(3, 3)).astype(float)
        return NormalFormGame.zero_sum(A, actions=["r0", "r1", "r2"], name="Random 3x3 zero-sum game")
    return {"matching_pennies": catalogue.matching_pennies, "rock_paper_scissors": catalogue.rock_paper_scissors,
            "shapley": catalogue.shapley_game, "chicken": catalogue.chicken,
            "battle_of_the_sexes": catalogue.battle_of_the_sexes, "stag_hunt": catalogue.stag_hunt}[key]()


def make_learner(key: str, params: Mapping[str, Any]) -> Any:
    """The strategy behind a learner key."""
    from ..agents import FictitiousPlay, Hedge, RegretMatching, StochasticFictitiousPlay

    if key == "fictitious_play":
        return FictitiousPlay(tie_break="random")
    if key == "stochastic_fictitious_play":
        return StochasticFictitiousPlay(temperature=params["temperature"])
    if key == "regret_matching":
        return RegretMatching(conditional=True)
    return Hedge(eta=params["eta"])


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play every learner on every game; see the module docstring."""
    from ..analysis.convergence import log_checkpoints
    from ._learning import environment_traces

    games = selected_games(params)
    learners = selected_learners(params)
    R, rounds = params["runs"], params["rounds"]
    # One child seed per game of the full shelf (and one for drawing the random game), so a
    # game's numbers do not depend on which other games are selected.
    children = np.random.SeedSequence(seed).spawn(len(GAMES) + 1)
    strategies = {key: make_learner(key, params) for key in learners}
    population = {strategies[key]: 2 * R for key in learners}       # learner i plays matches i*R .. (i+1)*R - 1
    times = log_checkpoints(rounds, params["checkpoints"])
    table: dict[str, dict[str, dict[str, float]]] = {key: {} for key in learners}
    spread: dict[tuple[str, str], dict[str, float]] = {}
    series: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    names = {}
    if progress is not None:
        progress(0, len(games), "games")
    for gi, gkey in enumerate(games):
        game = make_game(gkey, children[-1])
        names[gkey] = game.name
        _, trace = environment_traces(game, population, rounds, children[GAMES.index(gkey)], times)
        for li, lkey in enumerate(learners):
            sl = slice(li * R, (li + 1) * R)
            vals = {"nash_conv": trace.nash_conv[:, sl], "distance_to_nash": trace.distance_to_nash[:, sl],
                    "ce_violation": trace.ce_violation[:, sl]}
            table[lkey][gkey] = {m: float(v[-1].mean()) for m, v in vals.items()}
            spread[lkey, gkey] = {m: float(v[-1].std()) for m, v in vals.items()}
            series[lkey, gkey] = {m: v.mean(axis=1) for m, v in vals.items()}
        if progress is not None:
            progress(gi + 1, len(games), "games")
    headline = {"table": table, "games": {g: names[g] for g in games}}
    if out_dir is not None:
        from ._learning import save_csv

        save_csv([{"learner": l, "game": g, **{m: table[l][g][m] for m in METRICS},
                   **{f"{m}_std": spread[l, g][m] for m in METRICS}}
                  for l in learners for g in games], out_dir / "showdown.csv")
        save_csv([{"learner": l, "game": g, "rounds": int(t), **{f"{m}_mean": float(series[l, g][m][j]) for m in METRICS}}
                  for l in learners for g in games for j, t in enumerate(times.tolist())], out_dir / "traces.csv")
        _plot_heatmap(table, learners, games, rounds, R, out_dir / "nash_conv_heatmap.png")
        _plot_grid(series, learners, games, names, times, out_dir / "convergence_grid.png")
    return headline


def _plot_heatmap(table, learners, games, rounds, runs, path) -> None:
    from ..analysis import plots
    from ._learning import new_figure

    M = np.array([[table[l][g]["nash_conv"] for g in games] for l in learners])
    fig = new_figure(1.1 * len(games) + 2.5, 0.6 * len(learners) + 2.0)
    ax = fig.add_subplot()
    im = ax.imshow(M, cmap="viridis", aspect="auto")
    fig.colorbar(im, ax=ax, label="final NashConv (mean over runs)")
    ax.set_xticks(np.arange(len(games)), labels=[GAME_LABELS[g] for g in games], rotation=30, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(np.arange(len(learners)), labels=[LEARNER_LABELS[l] for l in learners])
    mid = (np.nanmin(M) + np.nanmax(M)) / 2
    for r in range(M.shape[0]):
        for c in range(M.shape[1]):
            ax.text(c, r, f"{M[r, c]:.3f}", ha="center", va="center", fontsize="small",
                    color="white" if M[r, c] < mid else "black")
    ax.set_title(f"NashConv of the empirical profile after {rounds:,} rounds ({runs} runs)")
    plots.save_figure(fig, path)


FLOOR = 1e-3
"""NashConv below this is drawn at this value in the log-scaled grid of panels."""


def _plot_grid(series, learners, games, names, times, path) -> None:
    from matplotlib.figure import Figure

    from ..analysis import plots

    n = len(games)
    cols = min(n, 4)
    rows = -(-n // cols)
    spare = rows * cols > n                                         # an empty panel holds the legend
    # A fixed layout: constrained layout on a grid of log-log panels costs seconds.
    height = 2.6 * rows + (0.9 if spare else 1.3)
    fig = Figure(figsize=(3.2 * cols + 0.6, height))
    fig.subplots_adjust(left=0.08 if cols > 1 else 0.2, right=0.98, top=1 - 0.55 / height,
                        bottom=(0.5 if spare else 0.9) / height, wspace=0.3, hspace=0.45)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax, g in zip(axes, games):
        for l in learners:
            ax.plot(times, np.maximum(series[l, g]["nash_conv"], FLOOR), label=LEARNER_LABELS[l])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(names[g], fontsize="medium")
        ax.minorticks_off()                                         # minor log ticks cost seconds here too
        ax.grid(alpha=0.3)
    for k, ax in enumerate(axes[:n]):
        if k + cols >= n:
            ax.set_xlabel("rounds")
            ax.xaxis.set_tick_params(labelbottom=True)
        if k % cols == 0:
            ax.set_ylabel("NashConv (mean)")
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[n:]:
        ax.set_axis_off()
    if spare:
        axes[n].legend(handles, labels, loc="center", fontsize="small",
                       title=f"mean over runs\n(values < {FLOOR:g} at {FLOOR:g})", title_fontsize="small")
    else:
        fig.legend(handles, labels, loc="lower center", ncol=len(learners), fontsize="small")
    fig.suptitle("Learning in self-play: NashConv of the empirical profile")
    plots.save_figure(fig, path)


def format_summary(headline: Mapping[str, Any]) -> str:
    """Final mean NashConv, learner x game, then the CE violation the same way."""
    table = headline["table"]
    learners = list(table)
    games = list(headline["games"])
    lw = max(len("learner"), *(len(LEARNER_LABELS[l]) for l in learners))
    widths = [max(7, len(GAME_LABELS[g])) for g in games]
    lines = []
    for metric, title in (("nash_conv", "NashConv of the empirical profile (mean over runs)"),
                          ("ce_violation", "CE violation of the empirical joint play (mean over runs)")):
        lines.append(title + ":")
        lines.append(f"{'learner':<{lw}}  " + "  ".join(f"{GAME_LABELS[g]:>{w}}" for g, w in zip(games, widths)))
        for l in learners:
            cells = []
            for g, w in zip(games, widths):
                v = table[l][g][metric]
                cells.append(f"{'nan' if v is None else format(v, '.4f'):>{w}}")
            lines.append(f"{LEARNER_LABELS[l]:<{lw}}  " + "  ".join(cells))
    return "\n".join(lines)
