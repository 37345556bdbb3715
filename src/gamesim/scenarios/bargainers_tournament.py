"""Bargainers in a round robin: five bargaining rules against reactive strategies and learners.

Nine strategies -- :class:`~gamesim.agents.CoCoBargainer` [KK13]_,
:class:`~gamesim.agents.HarsanyiBargainer`, ``NashBargainer("nash")`` [N50]_,
``NashBargainer("threat")`` [N53]_, :class:`~gamesim.agents.CorrelatedFallbackBargainer`
[D22]_, :class:`~gamesim.agents.GrimTrigger`, :class:`~gamesim.agents.TitForTat`,
:class:`~gamesim.agents.FictitiousPlay` and :class:`~gamesim.agents.RegretMatching` --
meet in a round robin with self-play (every pair once, every agent against a copy
of itself) for ``rounds`` rounds, on each of four games:

``chicken``
    Aumann's chicken (7/6/2/0), :func:`~gamesim.sim.catalogue.chicken`.
``battle_of_the_sexes``
    :func:`~gamesim.sim.catalogue.battle_of_the_sexes` (2, 1).
``prisoners_dilemma``
    :func:`~gamesim.sim.catalogue.prisoners_dilemma` (3/0/5/1).
``pd_threat``
    The prisoner's dilemma plus a threat action for the row player that pays it 0
    and costs the column player 10 whatever the column player does
    (:func:`~gamesim.sim.catalogue.with_threat_action`).  The game is asymmetric;
    round robin seats the strategy listed earlier in the row, so the bargainers
    (listed first) hold the threat against the reactive strategies and learners.

A strategy's score is its mean payoff per turn against the *other* strategies
(self-play left out, as in :mod:`~gamesim.scenarios.ipd_tournament`).  The
bargainers' self-play is the check on the agents: two copies of one bargainer
agree on its settlement and play its correlated lottery from the public signal, so
their mean payoff per round must equal the oracle's ``settlement(game).achieved``
up to sampling error -- the standard deviation of the per-round payoffs over
``sqrt(rounds)``.  (With ``signal="rotation"`` the lottery is carried out on a
low-discrepancy schedule and that standard error overstates the real error; with
``noise > 0`` a flipped action starts the fallback and self-play falls short.)
The comparison is made for the mean over both seats (``self_play`` against the
mean of ``achieved``) and seat by seat (``self_play_seats`` against ``achieved``),
which matters in the asymmetric ``pd_threat``.

Writes ``scores.csv`` (long format: game, strategy, score, rank, self-play payoff),
``self_play.csv`` (bargainers' self-play against the oracle, by seat),
``pairwise_<game>.csv`` (strategy-by-strategy mean payoff per turn, row strategy's
payoff against the column strategy; the diagonal is self-play, averaged over both
seats), ``scores.png`` (one panel per game) and ``per_round_payoffs.png`` (each
strategy's mean payoff per round against the others, a trailing moving average,
one panel per game).

References
----------
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
.. [N50] J. F. Nash, "The bargaining problem", Econometrica 18, 1950.
.. [N53] J. F. Nash, "Two-person cooperative games", Econometrica 21, 1953.
.. [D22] Diffractor, "Threat-resistant bargaining megapost", 2022 (the seed
   ``threat-resistant-bargaining-correlated-fallback.txt``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, choice, positive, probability, split_top_level

NAME = "bargainers_tournament"
DESCRIPTION = "Bargainers (CoCo, Harsanyi, Nash, correlated fallback) vs reactive strategies and learners on four games"

GAMES = ("chicken", "battle_of_the_sexes", "prisoners_dilemma", "pd_threat")

#: Standard errors within which a bargainer's self-play must meet the oracle.
Z_TOLERANCE = 4.0


def _check_games(value: str) -> str | None:
    names = [s.strip() for s in split_top_level(value)]
    if not any(names):
        return "no game given"
    bad = [n for n in names if n not in GAMES]
    if bad:
        return f"unknown game {bad[0]!r} (known: {', '.join(GAMES)})"
    if len(set(names)) != len(names):
        return "a game is listed twice"
    return None


PARAMETERS = (
    Parameter("games", ",".join(GAMES), str, f"comma-separated subset of {', '.join(GAMES)}", _check_games),
    Parameter("rounds", 1000, int, "rounds per match", positive),
    Parameter("noise", 0.0, float, "probability that a played action is replaced by another", probability),
    Parameter("forgiveness", None, int,
              "rounds a bargainer plays its fallback after a deviation (none: forever)", positive),
    Parameter("secure", True, bool, "bargainers switch to their maxmin strategy when the fallback pays too little"),
    Parameter("signal", "random", str, "public signal: random (independent uniforms) or rotation (low discrepancy)",
              choice("random", "rotation")),
)


def parse_games(text: str) -> list[str]:
    """Game keys from a comma-separated list.

    Examples
    --------
    >>> parse_games(" chicken, pd_threat")
    ['chicken', 'pd_threat']
    """
    msg = _check_games(text)
    if msg:
        raise ValueError(f"games: {msg}, got {text!r}")
    return [s.strip() for s in split_top_level(text)]


def build_game(key: str):
    """The stage game called ``key`` (one of :data:`GAMES`)."""
    from ..sim import catalogue

    if key == "pd_threat":
        return catalogue.with_threat_action(catalogue.prisoners_dilemma(), 0, own_payoff=0.0, harm=10.0)
    if key not in GAMES:
        raise ValueError(f"games: unknown game {key!r} (known: {', '.join(GAMES)})")
    return catalogue.CATALOGUE[key]()


def population(forgiveness: int | None = None, secure: bool = True) -> list[Any]:
    """The nine strategies in playing order: the five bargainers, then the others."""
    from ..agents import (CoCoBargainer, CorrelatedFallbackBargainer, FictitiousPlay, GrimTrigger,
                          HarsanyiBargainer, NashBargainer, RegretMatching, TitForTat)

    kw = {"forgiveness": forgiveness, "secure": secure}
    return [CoCoBargainer(**kw), HarsanyiBargainer(**kw), NashBargainer("nash", **kw),
            NashBargainer("threat", **kw), CorrelatedFallbackBargainer(**kw),
            GrimTrigger(), TitForTat(), FictitiousPlay(), RegretMatching()]


def _seat_payoffs(game: Any, history: np.ndarray) -> np.ndarray:
    """Per-round payoffs ``(rounds, matches, players)`` of a kept history."""
    P = game.n_players
    flat = np.ravel_multi_index(tuple(history[..., p] for p in range(P)), game.n_actions)
    return np.moveaxis(game.payoffs.reshape(P, -1)[:, flat], 0, -1)


def _standard_error(x: np.ndarray) -> float:
    # Per-round payoffs of one match are treated as independent draws of the
    # settlement lottery: exact under signal="random" without deviations.
    return float(np.std(x) / math.sqrt(x.size)) if x.size else float("nan")


def _per_round_against_others(result: Any, pay: np.ndarray) -> np.ndarray:
    """``(rounds, strategies)``: each strategy's mean payoff per turn in each round, self-play left out."""
    agents = result.history_agents                           # (T, M, 2)
    strat = result.agent_strategy[agents]
    other = agents[..., 0] != agents[..., 1]                 # (T, M)
    K = len(result.strategy_names)
    out = np.full((pay.shape[0], K), np.nan)
    for k in range(K):
        mask = (strat == k) & other[..., None]
        turns = mask.sum(axis=(1, 2))
        total = np.where(mask, pay, 0.0).sum(axis=(1, 2))
        np.divide(total, turns, out=out[:, k], where=turns > 0)
    return out


def _self_play(game: Any, result: Any, pay: np.ndarray, strategies: list[Any]) -> dict[str, dict[str, Any]]:
    """Each bargainer's self-play payoffs with standard errors, next to the oracle's achieved payoffs."""
    from ..agents import Bargainer

    agents = result.history_agents[0]                        # round robin: the same seating every round
    scale = 1.0 + float(np.max(np.abs(game.payoffs)))
    out: dict[str, dict[str, Any]] = {}
    for k, strat in enumerate(strategies):
        if not isinstance(strat, Bargainer):
            continue
        agent = int(np.flatnonzero(result.agent_strategy == k)[0])
        match = int(np.flatnonzero((agents[:, 0] == agent) & (agents[:, 1] == agent))[0])
        seats = pay[:, match, :]                             # (T, 2)
        both = seats.mean(axis=1)
        achieved = np.asarray(strat.settlement(game).achieved, dtype=float)
        sim, se = float(both.mean()), _standard_error(both)
        sim_seats = seats.mean(axis=0)
        se_seats = np.array([_standard_error(seats[:, p]) for p in range(seats.shape[1])])
        oracle = float(achieved.mean())
        # The absolute slack covers the oracle's numerical error and pure settlements (SE 0).
        slack = 1e-6 * scale
        within = (abs(sim - oracle) <= Z_TOLERANCE * se + slack
                  and bool(np.all(np.abs(sim_seats - achieved) <= Z_TOLERANCE * se_seats + slack)))
        out[strat.name] = {
            "self_play": sim, "oracle": oracle, "se": se,
            "self_play_seats": sim_seats.tolist(), "oracle_seats": achieved.tolist(), "se_seats": se_seats.tolist(),
            "within_tolerance": bool(within),
        }
    return out


def play_game(key: str, params: Mapping[str, Any], seed: Any) -> dict[str, Any]:
    """Run the round robin on one game; returns the result, per-round series and figures of that game."""
    from ..sim.environment import Environment

    game = build_game(key)
    strategies = population(params["forgiveness"], params["secure"])
    env = Environment(game, strategies, matching="round_robin", rounds=params["rounds"], noise=params["noise"],
                      self_play=True, seed=seed, keep_history=True, signal=params["signal"])
    result = env.run()
    pay = _seat_payoffs(game, result.history)
    scores = result.strategy_scores()
    ranking = sorted(scores, key=lambda n: (not np.isfinite(scores[n]), -np.nan_to_num(scores[n], nan=0.0)))
    best = scores[ranking[0]]
    # Ties are common (seven strategies cooperate throughout the prisoner's dilemma).
    tie = 1e-9 * (1.0 + float(np.max(np.abs(game.payoffs))))
    winners = [n for n in ranking if abs(scores[n] - best) <= tie]
    return {
        "key": key, "game": game, "result": result, "strategies": strategies,
        "scores": scores, "ranking": ranking, "winners": winners,
        "series": _per_round_against_others(result, pay),
        "bargainers": _self_play(game, result, pay, strategies),
    }


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play the round robin on every chosen game; see the module docstring."""
    keys = parse_games(params["games"])
    # One independent stream per game, so a game's numbers do not depend on which others are run.
    # Integer seeds, not SeedSequences: the Environment spawns a fixed number of children
    # from a SeedSequence and runs out of them for mixed populations of automata and others.
    children = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(seed).spawn(len(GAMES))]
    runs = []
    if progress is not None:
        progress(0, len(keys), "games")
    for i, key in enumerate(keys):
        runs.append(play_game(key, params, children[GAMES.index(key)]))
        if progress is not None:
            progress(i + 1, len(keys), "games")

    by_game = {}
    for r in runs:
        by_game[r["key"]] = {
            "game": r["game"].name,
            "scores": r["scores"],
            "ranking": r["ranking"],
            "winner": r["winners"][0],
            "winners": r["winners"],
            "bargainers": r["bargainers"],
        }
    headline = {
        "by_game": by_game,
        "winners": {k: v["winner"] for k, v in by_game.items()},
        "self_play_matches_oracle": all(b["within_tolerance"] for v in by_game.values()
                                        for b in v["bargainers"].values()),
    }
    if out_dir is not None:
        _write(runs, params, out_dir)
    return headline


# -- output -----------------------------------------------------------------------------------
def _write(runs: list[dict[str, Any]], params: Mapping[str, Any], out_dir: Path) -> None:
    import pandas as pd

    from ..analysis.plots import save_figure

    rows, sp_rows = [], []
    for r in runs:
        res = r["result"]
        diag = np.diag(res.strategy_pairwise_payoff())
        for name, self_pay in zip(res.strategy_names, diag):
            rows.append({"game": r["key"], "strategy": name, "score": r["scores"][name],
                         "rank": r["ranking"].index(name) + 1, "self_play": float(self_pay)})
        for name, b in r["bargainers"].items():
            for seat in range(len(b["oracle_seats"])):
                sp_rows.append({"game": r["key"], "strategy": name, "seat": seat,
                                "self_play": b["self_play_seats"][seat], "oracle": b["oracle_seats"][seat],
                                "se": b["se_seats"][seat]})
        table = pd.DataFrame(res.strategy_pairwise_payoff(), index=pd.Index(res.strategy_names, name="strategy"),
                             columns=list(res.strategy_names))
        table.to_csv(out_dir / f"pairwise_{r['key']}.csv")
    pd.DataFrame(rows).to_csv(out_dir / "scores.csv", index=False)
    pd.DataFrame(sp_rows).to_csv(out_dir / "self_play.csv", index=False)
    save_figure(scores_figure(runs), out_dir / "scores.png")
    save_figure(per_round_figure(runs, params["rounds"]), out_dir / "per_round_payoffs.png")


def _grid(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2
    return math.ceil(n / cols), cols


def scores_figure(runs: list[dict[str, Any]]):
    """One panel per game: every strategy's score (mean payoff per turn against the others)."""
    from matplotlib.figure import Figure

    from ..agents import Bargainer

    nrows, ncols = _grid(len(runs))
    fig = Figure(figsize=(5.6 * ncols, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, r in zip(axes, runs):
        names = list(r["result"].strategy_names)
        values = np.array([r["scores"][n] for n in names])
        colors = ["C0" if isinstance(s, Bargainer) else "C7" for s in r["strategies"]]
        y = np.arange(len(names))[::-1]
        bars = ax.barh(y, values, color=colors)
        for bar, name in zip(bars, names):
            if name in r["winners"]:
                bar.set_edgecolor("C3")
                bar.set_linewidth(2)
        ax.set_yticks(y, names, fontsize=8)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel("mean payoff per turn against the others")
        ax.set_title(r["game"].name, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(runs):]:
        ax.set_visible(False)
    fig.suptitle("Round robin scores (blue: bargainers; red edge: winner)", fontsize=11)
    return fig


def per_round_figure(runs: list[dict[str, Any]], rounds: int):
    """One panel per game: each strategy's mean payoff per round against the others (moving average)."""
    from matplotlib.figure import Figure

    from ..agents import Bargainer
    from ..analysis.plots import moving_average

    window = max(1, round(rounds / 50))
    nrows, ncols = _grid(len(runs))
    fig = Figure(figsize=(5.6 * ncols + 2.2, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    t = np.arange(1, rounds + 1)
    for ax, r in zip(axes, runs):
        for k, (name, strat) in enumerate(zip(r["result"].strategy_names, r["strategies"])):
            x, yv = moving_average(t, r["series"][:, k], window)
            ax.plot(x, yv, color=f"C{k}", lw=1.2, ls="-" if isinstance(strat, Bargainer) else "--", label=name)
        ax.set_xlabel("round")
        ax.set_ylabel("payoff per turn" + (f"\n(mean of the last {window} rounds)" if window > 1 else ""))
        ax.set_title(r["game"].name, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[len(runs):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=8)
    fig.suptitle("Payoff per round against the others (self-play left out)", fontsize=11)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """Per game: scores (winner marked) and the bargainers' self-play against the oracle."""
    fmt = lambda v: "nan" if v is None else f"{v:.4f}"  # noqa: E731
    lines = []
    for key, g in headline["by_game"].items():
        lines.append(f"== {key}: {g['game']}")
        width = max(len(n) for n in g["ranking"])
        barg = g["bargainers"]
        lines.append(f"   {'strategy':<{width}}  {'score':>8}  {'self-play':>9}  {'oracle':>8}  {'SE':>7}")
        for name in g["ranking"]:
            mark = "*" if name in g["winners"] else " "
            row = f" {mark} {name:<{width}}  {fmt(g['scores'][name]):>8}"
            if name in barg:
                b = barg[name]
                ok = "" if b["within_tolerance"] else "  <- off"
                row += f"  {fmt(b['self_play']):>9}  {fmt(b['oracle']):>8}  {b['se']:7.4f}{ok}"
            lines.append(row)
    verdict = "yes" if headline["self_play_matches_oracle"] else "NO"
    lines.append(f"bargainers' self-play equals the oracle (within {Z_TOLERANCE:g} SE): {verdict}")
    return "\n".join(lines)
