"""Regret matching on chicken: the empirical joint play approaches the correlated equilibria.

Hart and Mas-Colell's regret matching [HM00]_ (:class:`~gamesim.agents.RegretMatching`,
``conditional=True``: switch from the last action ``j`` to ``k`` with probability
proportional to the positive average regret for not having played ``k`` whenever
``j`` was played) drives the empirical distribution of joint play to the set of
correlated equilibria; its CE violation (the largest gain from a swap deviation,
:func:`~gamesim.analysis.equilibria.ce_violation`) goes to 0.  Unconditional regret
matching (``conditional=False``) guarantees only no external regret (coarse
correlated equilibria); it is run alongside for comparison.

Chicken (:func:`~gamesim.sim.catalogue.chicken`, Aumann's payoffs 7/6/2/0 by
default) has correlated equilibria better than its Nash equilibria [A74]_.  Both
versions play ``pairs`` independent self-play runs side by side
(:class:`~gamesim.sim.environment.Environment`, ``matching="pairs"``) for ``rounds``
rounds.

What happens with the defaults: nearly every run of either version locks into one of
the two pure equilibria, (Dare, Chicken) or (Chicken, Dare) -- pure Nash equilibria
are correlated equilibria -- so the CE violation falls like 1/rounds, and the
average over runs mixes those two outcomes rather than reaching the
welfare-maximising CE, which puts 1/2 on (Chicken, Chicken).

Headline figures per version: the CE violation of each run's empirical joint
distribution at the end (mean and max over runs), the largest average external
regret, the empirical joint distribution averaged over runs and its expected
payoffs; for reference the welfare-maximising correlated equilibrium
(:func:`~gamesim.analysis.equilibria.correlated_equilibrium`).

Writes ``trace.csv`` (CE violation and regret at log-spaced checkpoints, mean and
max over runs), ``joint.csv`` (every run's final joint distribution),
``regret_decay.png`` (conditional regret matching's average external regret and CE
violation, mean over runs) and ``ce_violation.png`` (both versions).

References
----------
.. [HM00] S. Hart and A. Mas-Colell, "A simple adaptive procedure leading to
   correlated equilibrium", Econometrica 68(5), 2000.
.. [A74] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
   J. Math. Econ. 1, 1974.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive

NAME = "regret_matching_chicken"
DESCRIPTION = "Regret matching on chicken: CE violation of the empirical joint play -> 0 (Hart & Mas-Colell 2000)"

PARAMETERS = (
    Parameter("pairs", 50, int, "independent self-play runs per version", positive),
    Parameter("rounds", 5000, int, "rounds per run", positive),
    Parameter("win", 7.0, float, "payoff for daring against a chicken"),
    Parameter("tie", 6.0, float, "payoff when both chicken out"),
    Parameter("lose", 2.0, float, "payoff for chickening out against a darer"),
    Parameter("crash", 0.0, float, "payoff when both dare"),
    Parameter("mu", None, float, "conditional regret matching's inertia constant (none: twice the smallest allowed)",
              positive),
    Parameter("checkpoints", 40, int, "number of log-spaced checkpoints", positive),
)

VERSIONS = ("conditional", "unconditional")


def validate(params: Mapping[str, Any]) -> None:
    """Chicken needs ``win > tie > lose > crash``; ``mu`` must exceed ``(win - crash)``."""
    win, tie, lose, crash = (params[k] for k in ("win", "tie", "lose", "crash"))
    if not win > tie > lose > crash:
        raise ValueError(f"win, tie, lose, crash: chicken needs win > tie > lose > crash, "
                         f"got win={win:g}, tie={tie:g}, lose={lose:g}, crash={crash:g}")
    mu = params["mu"]
    if mu is not None and not mu > win - crash:
        raise ValueError(f"mu: must exceed (actions - 1) x payoff range = {win - crash:g}, got {mu:g}")


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play both versions side by side and measure; see the module docstring."""
    from ..agents import RegretMatching
    from ..analysis.convergence import log_checkpoints
    from ..analysis.equilibria import correlated_equilibrium
    from ..sim.catalogue import chicken
    from ._learning import environment_traces, joint_table

    game = chicken(params["win"], params["tie"], params["lose"], params["crash"])
    k, rounds = params["pairs"], params["rounds"]
    learners = {"conditional": RegretMatching(conditional=True, mu=params["mu"]),
                "unconditional": RegretMatching(conditional=False)}
    population = {s: 2 * k for s in learners.values()}              # pairs 0..k-1 conditional, then unconditional
    times = log_checkpoints(rounds, params["checkpoints"])
    result, trace = environment_traces(game, population, rounds, seed, times, progress)
    runs = {v: slice(i * k, (i + 1) * k) for i, v in enumerate(VERSIONS)}

    h = result.history                                             # (rounds, matches, 2)
    flat = h[:, :, 0] * game.n_actions[1] + h[:, :, 1]
    M = h.shape[1]
    counts = np.zeros((M, game.n_outcomes))
    np.add.at(counts, (np.broadcast_to(np.arange(M), flat.shape), flat), 1.0)
    joint = (counts / rounds).reshape((M,) + game.n_actions)       # each run's empirical joint distribution

    ce = correlated_equilibrium(game, "welfare")
    headline: dict[str, Any] = {"ce_violation": {}, "external_regret": {}, "empirical_joint": {}, "mean_payoffs": {}}
    for v, sl in runs.items():
        viol = trace.ce_violation[-1, sl]
        mean_joint = joint[sl].mean(axis=0)
        headline["ce_violation"][v] = {"mean": float(viol.mean()), "max": float(viol.max())}
        headline["external_regret"][v] = float(trace.external_regret[-1, sl].max(axis=1).mean())
        headline["empirical_joint"][v] = joint_table(game, mean_joint)
        headline["mean_payoffs"][v] = [float((game.payoffs[i] * mean_joint).sum()) for i in range(2)]
    headline["welfare_ce"] = joint_table(game, ce.distribution)
    headline["welfare_ce_payoffs"] = [float(x) for x in ce.payoffs]

    if out_dir is not None:
        from dataclasses import replace

        from ..analysis import plots
        from ._learning import new_figure, save_csv

        rows = []
        for v, sl in runs.items():
            for j, t in enumerate(times.tolist()):
                c = trace.ce_violation[j, sl]
                r = trace.external_regret[j, sl].max(axis=1)
                rows.append({"version": v, "rounds": t, "ce_violation_mean": float(c.mean()),
                             "ce_violation_max": float(c.max()), "external_regret_mean": float(r.mean()),
                             "nash_conv_mean": float(trace.nash_conv[j, sl].mean())})
        save_csv(rows, out_dir / "trace.csv")
        labels = [f"{game.actions[0][a]}_{game.actions[1][b]}" for a, b in np.ndindex(*game.n_actions)]
        save_csv([{"version": v, "run": r, **dict(zip(labels, joint[i].ravel().tolist()))}
                  for v, sl in runs.items() for r, i in enumerate(range(sl.start, sl.stop))], out_dir / "joint.csv")
        sl = runs["conditional"]
        sub = replace(trace, marginals=[x[:, sl] for x in trace.marginals], nash_conv=trace.nash_conv[:, sl],
                      ce_violation=trace.ce_violation[:, sl], external_regret=trace.external_regret[:, sl],
                      distance_to_nash=None if trace.distance_to_nash is None else trace.distance_to_nash[:, sl])
        fig = plots.regret_decay(sub, title=f"Conditional regret matching on chicken ({k} runs)")
        plots.save_figure(fig, out_dir / "regret_decay.png")
        fig = new_figure(7.0, 4.5)
        ax = fig.add_subplot()
        for v, sl in runs.items():
            c = trace.ce_violation[:, sl]
            line, = ax.plot(times, np.maximum(c.mean(axis=1), 1e-12), label=f"{v}: mean over runs")
            ax.plot(times, np.maximum(c.max(axis=1), 1e-12), color=line.get_color(), linestyle="--",
                    label=f"{v}: max over runs")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rounds")
        ax.set_ylabel("CE violation of the empirical joint play")
        ax.set_title("Regret matching on chicken: distance to the correlated equilibria")
        ax.legend(fontsize="small", loc="best")
        ax.grid(alpha=0.3)
        plots.save_figure(fig, out_dir / "ce_violation.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """CE violation and the empirical joint distribution per version, then the welfare-maximising CE."""
    outcomes = list(headline["welfare_ce"])
    width = max(len(o) for o in outcomes)
    lines = [f"{'version':<13}  {'CE viol. mean':>13}  {'max':>9}  {'ext. regret':>11}  payoffs"]
    for v in VERSIONS:
        c = headline["ce_violation"][v]
        pay = ", ".join(f"{x:.3f}" for x in headline["mean_payoffs"][v])
        lines.append(f"{v:<13}  {c['mean']:>13.4g}  {c['max']:>9.4g}  {headline['external_regret'][v]:>11.4g}  ({pay})")
    lines.append(f"{'joint play':<{width}}  {'conditional':>11}  {'uncond.':>9}  {'welfare CE':>10}")
    for o in outcomes:
        lines.append(f"{o:<{width}}  {headline['empirical_joint']['conditional'][o]:>11.4f}  "
                     f"{headline['empirical_joint']['unconditional'][o]:>9.4f}  {headline['welfare_ce'][o]:>10.4f}")
    pay = ", ".join(f"{x:.3f}" for x in headline["welfare_ce_payoffs"])
    lines.append(f"welfare-maximising CE payoffs: ({pay})")
    return "\n".join(lines)
