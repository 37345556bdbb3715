"""The commons: a renewable resource whose stock is the state of a stochastic game.

Two players share a stock of ``0..capacity`` units
(:func:`gamesim.sim.stochastic.commons_game`): each round both restrain (take 1) or
harvest (take 2); the rest regrows by 2 units, and an exhausted stock recovers only
rarely.  Harvesting pays more in every single round, but two harvesters exhaust the
stock within a few rounds.

For each strategy the scenario plays ``pairs`` independent matches of the strategy
against itself (``matching="pairs"``) for ``rounds`` rounds and records the mean stock
and mean payoff per round:

* state-aware grim trigger [F71]_ and CoCo bargainers [SHLG13]_ play the
  welfare-maximising stationary policy (team value iteration): they run the stock down
  to the level whose regrowth they share, and keep it there;
* myopic state-conditioned fictitious play and independent Q-learning [W89]_ grab
  what they can and exhaust the stock.

A round robin of all of them (with self-play) gives a score table.  Headline: each
strategy's stock and payoff over the last quarter of the rounds, and the round-robin
scores.  Writes ``commons.csv`` (round, strategy, stock, payoff), ``scores.csv`` and
``commons.png`` (stock and payoff per round, one line per strategy).

References
----------
.. [F71] J. W. Friedman, "A non-cooperative equilibrium for supergames", Rev. Econ. Stud. 38, 1971.
.. [SHLG13] E. Sodomka, E. Hilliard, M. Littman, A. Greenwald, "Coco-Q: learning in
   stochastic games with side payments", ICML 2013.
.. [W89] C. J. C. H. Watkins, *Learning from delayed rewards*, PhD thesis, 1989.
.. [O90] E. Ostrom, *Governing the Commons*, Cambridge University Press, 1990.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, open_unit_interval, positive, probability

NAME = "commons"
DESCRIPTION = "Renewable resource as a stochastic game: grim trigger and bargainers keep the stock, myopic learners deplete it"

PARAMETERS = (
    Parameter("capacity", 10, int, "largest stock (states 0..capacity)", positive),
    Parameter("regrowth", 2, int, "units the remaining stock regrows per round", positive),
    Parameter("recovery", 0.1, float, "probability that an exhausted stock recovers one unit", probability),
    Parameter("discount", 0.95, float, "discount factor of the stochastic game", open_unit_interval),
    Parameter("rounds", 300, int, "rounds per match", positive),
    Parameter("pairs", 20, int, "independent self-play matches per strategy", positive),
)


def strategies():
    """The strategies compared, in listing order (label, strategy)."""
    from ..agents.stochastic import IndependentQ, StateFictitiousPlay, StochasticCoCoBargainer, StochasticGrimTrigger

    return [("grim trigger", StochasticGrimTrigger()), ("CoCo bargainer", StochasticCoCoBargainer()),
            ("myopic fictitious play", StateFictitiousPlay(myopic=True)), ("independent Q", IndependentQ())]


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Self-play matches per strategy and a round robin; see the module docstring."""
    from ..sim.stochastic import commons_game
    from ..sim.stochastic_env import StochasticEnvironment

    game = commons_game(capacity=params["capacity"], regrowth=params["regrowth"], recovery=params["recovery"],
                        discount=params["discount"])
    levels = np.arange(game.n_states)
    roster = strategies()
    root = np.random.SeedSequence(seed)
    seeds = root.spawn(len(roster) + 1)
    T = params["rounds"]
    tail = slice(T - max(1, T // 4), T)
    stock, payoff, by_strategy = {}, {}, {}
    for k, (label, strat) in enumerate(roster):
        res = StochasticEnvironment(game, {strat: 2 * params["pairs"]}, matching="pairs", rounds=T,
                                    seed=seeds[k]).run()
        stock[label] = res.state_share @ levels
        payoff[label] = res.series_reward[:, 0]
        by_strategy[label] = {"stock": float(stock[label][tail].mean()), "payoff": float(payoff[label][tail].mean())}
        if progress is not None:
            progress(k + 1, len(roster) + 1, "strategies")
    rr = StochasticEnvironment(game, {s: 1 for _, s in roster}, rounds=T, seed=seeds[-1]).run()
    names = {s.name: label for label, s in roster}
    scores = {names[n]: v for n, v in rr.strategy_scores().items()}
    if progress is not None:
        progress(len(roster) + 1, len(roster) + 1, "strategies")
    headline = {"game": game.name, "last_quarter": by_strategy, "round_robin_scores": scores,
                "cooperators_keep_stock": bool(min(by_strategy["grim trigger"]["stock"],
                                                   by_strategy["CoCo bargainer"]["stock"]) >= 1.0),
                "myopic_deplete": bool(max(by_strategy["myopic fictitious play"]["stock"],
                                           by_strategy["independent Q"]["stock"]) < 1.0)}
    if out_dir is not None:
        import matplotlib.pyplot as plt
        import pandas as pd

        from ..analysis.plots import save_figure

        rows = [{"round": t + 1, "strategy": label, "stock": float(stock[label][t]), "payoff": float(payoff[label][t])}
                for label in stock for t in range(T)]
        pd.DataFrame(rows).to_csv(out_dir / "commons.csv", index=False)
        pd.DataFrame({"strategy": list(scores), "score": list(scores.values())}).to_csv(out_dir / "scores.csv",
                                                                                       index=False)
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
        for label in stock:
            a1.plot(np.arange(1, T + 1), stock[label], label=label)
            a2.plot(np.arange(1, T + 1), payoff[label], label=label)
        a1.set_ylabel("mean stock")
        a2.set_ylabel("mean payoff per round")
        a2.set_xlabel("round")
        a1.set_title(f"{game.name}: self-play, {params['pairs']} matches each")
        a1.legend(fontsize=8)
        save_figure(fig, out_dir / "commons.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """Stock and payoff per strategy, and the round-robin scores."""
    lines = [f"game: {headline['game']}", f"{'strategy':26s} {'stock':>7s} {'payoff':>8s} {'round robin':>12s}"]
    for label, v in headline["last_quarter"].items():
        lines.append(f"{label:26s} {v['stock']:7.2f} {v['payoff']:8.3f} {headline['round_robin_scores'][label]:12.3f}")
    lines.append(f"grim trigger and bargainers keep the stock: {'yes' if headline['cooperators_keep_stock'] else 'no'}; "
                 f"myopic learners deplete it: {'yes' if headline['myopic_deplete'] else 'no'}")
    return "\n".join(lines)
