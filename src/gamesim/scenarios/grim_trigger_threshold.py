"""When does grim trigger sustain cooperation?  Simulation against the closed form.

For each discount factor ``delta`` on a grid in (0, 1) the scenario simulates, with
:class:`~gamesim.sim.environment.Environment` (``discount=delta``), the discounted
payoff of

* cooperating: GrimTrigger against GrimTrigger (mutual cooperation forever,
  ``R / (1 - delta)``), and
* deviating: Defector against GrimTrigger.  The deviator takes ``T`` in round 0 and
  is punished with ``P`` forever after, ``T + delta P / (1 - delta)``.  Since grim
  trigger defects forever after the first defection, this is the best deviation.

Cooperation is sustained iff the cooperative payoff is at least the deviation
payoff.  The theory [notes]_ says this happens iff ``delta >= delta* = (T - R) / (T - P)``
(:func:`gamesim.analysis.repeated.grim_trigger_threshold`); the headline ``agrees``
tells whether simulation and theory agree at every grid point.

Each simulation runs until ``delta**rounds < 1e-9`` (at most ``max_rounds``); the
truncated tail bounds the tolerance of the comparison, so a grid point at
``delta*`` itself (where both payoffs are equal) counts as sustained on both sides.

Writes ``discount_sweep.csv`` and ``discount_sweep.png``.

References
----------
.. [notes] "Game theory course notes", ``shared/seeds/game-theory-course-notes.md``,
   section "Discounted Repeated Games".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, delta_key, open_unit_interval, positive

NAME = "grim_trigger_threshold"
DESCRIPTION = "Sweep the discount factor: simulated grim-trigger cooperation vs the threshold (T-R)/(T-P)"

PARAMETERS = (
    Parameter("R", 3.0, float, "reward for mutual cooperation"),
    Parameter("S", 0.0, float, "sucker's payoff (C against D)"),
    Parameter("T", 5.0, float, "temptation (D against C)"),
    Parameter("P", 1.0, float, "punishment for mutual defection"),
    Parameter("delta_min", 0.05, float, "smallest discount factor of the grid", open_unit_interval),
    Parameter("delta_max", 0.95, float, "largest discount factor of the grid", open_unit_interval),
    Parameter("n", 19, int, "number of grid points (evenly spaced from delta_min to delta_max)", positive),
    Parameter("max_rounds", 5000, int, "cap on the rounds simulated per discount factor", positive),
)

TAIL = 1e-9
"""Simulate until ``delta**rounds`` falls below this."""


def validate(params: Mapping[str, Any]) -> None:
    """``delta_min <= delta_max`` and ``T > R > P > S``."""
    if params["delta_min"] > params["delta_max"]:
        raise ValueError(f"delta_min, delta_max: need delta_min <= delta_max, got {params['delta_min']:g} > {params['delta_max']:g}")
    R, S, T, P = (params[k] for k in "RSTP")
    if not T > R > P > S:
        raise ValueError(f"R, S, T, P: a prisoner's dilemma needs T > R > P > S, got R={R:g}, S={S:g}, T={T:g}, P={P:g}")


def grid(params: Mapping[str, Any]) -> np.ndarray:
    """The discount factors: ``n`` points evenly spaced from ``delta_min`` to ``delta_max`` (rounded to 12 decimals)."""
    return np.round(np.linspace(params["delta_min"], params["delta_max"], params["n"]), 12)


def rounds_for(delta: float, max_rounds: int) -> int:
    """Smallest number of rounds with ``delta**rounds < 1e-9``, capped at ``max_rounds``."""
    return int(min(max_rounds, max(1, math.floor(math.log(TAIL) / math.log(delta)) + 1)))


def discounted_pair(game: Any, first: Any, second: Any, delta: float, rounds: int, seed: Any) -> float:
    """Discounted payoff of ``first`` in one match against ``second`` (first round undiscounted)."""
    from ..sim.environment import Environment

    if first == second:
        population = {first: 2}
    else:
        population = [first, second]
    env = Environment(game, population, rounds=rounds, discount=delta, self_play=False, seed=seed)
    result = env.run()
    return float(result.discounted_payoff[0])


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Simulate the sweep; see the module docstring."""
    from ..agents import Defector, GrimTrigger
    from ..analysis.repeated import grim_trigger_threshold
    from ..sim.catalogue import prisoners_dilemma

    R, S, T, P = (params[k] for k in "RSTP")
    game = prisoners_dilemma(R=R, S=S, T=T, P=P)
    delta_star = float(grim_trigger_threshold(game).delta)
    deltas = grid(params)
    scale = max(abs(R), abs(S), abs(T), abs(P), 1.0)

    rows = []
    if progress is not None:
        progress(0, len(deltas), "discount factors")
    for i, d in enumerate(deltas):
        d = float(d)
        n = rounds_for(d, params["max_rounds"])
        coop = discounted_pair(game, GrimTrigger(), GrimTrigger(), d, n, seed)
        dev = discounted_pair(game, Defector(), GrimTrigger(), d, n, seed)
        # Per-round averages; the truncated tail changes each by at most delta**n * scale.
        coop_avg, dev_avg = (1 - d) * coop, (1 - d) * dev
        tol = 2 * d ** n * scale + 1e-9 * scale
        sim = bool(coop_avg >= dev_avg - tol)
        theory = bool(d >= delta_star - 1e-9)
        rows.append({"delta": d, "rounds": n, "cooperate_discounted": coop, "deviate_discounted": dev,
                     "cooperate_average": coop_avg, "deviate_average": dev_avg,
                     "sustained_simulated": sim, "sustained_theory": theory})
        if progress is not None:
            progress(i + 1, len(deltas), "discount factors")

    sustained = {delta_key(r["delta"]): r["sustained_simulated"] for r in rows}
    sim_deltas = [r["delta"] for r in rows if r["sustained_simulated"]]
    headline = {
        "delta_star": delta_star,
        "delta_star_simulated": min(sim_deltas) if sim_deltas else None,
        "sustained": sustained,
        "agrees": all(r["sustained_simulated"] == r["sustained_theory"] for r in rows),
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis import plots

        pd.DataFrame(rows).to_csv(out_dir / "discount_sweep.csv", index=False)
        fig = plots.discount_sweep([r["delta"] for r in rows], [r["cooperate_average"] for r in rows],
                                   [r["deviate_average"] for r in rows], delta_star=delta_star,
                                   title=f"Grim trigger in the PD (R={R:g}, S={S:g}, T={T:g}, P={P:g})")
        plots.save_figure(fig, out_dir / "discount_sweep.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """Threshold in theory and in simulation, and whether they agree."""
    sim = headline["delta_star_simulated"]
    lines = [
        f"delta* (theory, (T-R)/(T-P)):        {headline['delta_star']:.6g}",
        f"smallest grid delta sustaining (sim): {'none' if sim is None else format(sim, '.6g')}",
        f"simulation agrees with theory:        {'yes' if headline['agrees'] else 'NO'}",
    ]
    return "\n".join(lines)
