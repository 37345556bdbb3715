"""Does a threat pay in play?  The "$1000 curse" between simulated bargainers.

The base game is :func:`~gamesim.sim.catalogue.division_game`: both players name
one of ``n`` divisions of ``total``; a matched division is carried out, anything
else pays both 0.  Player 1 (the row player) gets a threat action
(:func:`~gamesim.sim.catalogue.with_threat_action`) that pays it 0 and costs
player 2 ``c``, for harms ``c`` on the grid ``0, ..., harm_max`` (``c = 0`` is the
base game without the extra action).  For every harm two agents of one bargainer
type play a single match of ``rounds`` rounds (agent 0 in the row seat: the
threatener), for three types:

* :class:`~gamesim.agents.CoCoBargainer` (Kalai & Kalai 2013 [KK13]_): the threat is
  player 1's maximin action in the competitive game ``(U1 - U2) / 2``, so its CoCo
  value is ``total / 2 + c / 2`` -- "the $1000 curse is worth $500" [D22]_ -- and
  the bargainers carry it out without transfers by alternating divisions, as long
  as ``total / 2 + c / 2`` does not exceed the largest division
  ``total * n / (n + 1)``;
* :class:`~gamesim.agents.HarsanyiBargainer` (Nash's 1953 threat solution for two
  players [N53]_), which here moves the same way;
* :class:`~gamesim.agents.CorrelatedFallbackBargainer` (the threat-resistant
  essay's correlated-equilibrium fallback [D22]_): an action that pays its owner
  less than anything else is in no correlated equilibrium, so the settlement, and
  the simulated payoffs, do not move.

The threat is never carried out: the bargainers agree and follow the settlement's
lottery, so what the threat buys is visible only in the agreed division.  Each
run's payoffs are read from its kept history; the sampling standard error of a
mean is the standard deviation of the per-round payoffs over ``sqrt(rounds)``
(exact for ``signal="random"``; with ``"rotation"`` the lottery follows a
low-discrepancy schedule and this overstates the error).  Every run draws its own
random numbers, so runs at different harms are independent.

Headline figures: the slope of the CoCo threatener's simulated payoff in ``c``
(least squares over the harms with ``c / 2 <= total * n / (n + 1) - total / 2``;
expected 0.5) with its standard error; the CoCo threatener's payoff at the grid
harm nearest ``total / 2`` (the "curse": 1000 with the defaults) and its gain over
the harm-0 run (expected ``total / 4``: 500 with the defaults); the same slope for
Harsanyi; and the largest movement of the correlated-fallback bargainers' payoffs
(either seat) relative to the harm-0 run, with that movement in standard errors of
the difference (expected 0 up to sampling error).

The correlated-fallback oracle dominates the run time: its Nash-bargaining solve
takes from a tenth of a second to several seconds per game at the default scale.  Writes ``threat_incentive.csv`` and ``threat_incentive.png``.

References
----------
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
.. [N53] J. F. Nash, "Two-person cooperative games", Econometrica 21, 1953.
.. [D22] Diffractor, "Threat-resistant bargaining megapost", 2022 (the seed
   ``threat-resistant-bargaining-correlated-fallback.txt``; the "$1000 curse").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, choice, positive

NAME = "threat_incentive"
DESCRIPTION = "Simulated bargainers in a division game with a threat: CoCo pays half the harm, the CE fallback nothing"

#: The bargainer types, by the label used in the headline, the CSV columns and the plot.
TYPES = ("coco", "harsanyi", "ce_fallback")
LABELS = {"coco": "CoCo", "harsanyi": "Harsanyi", "ce_fallback": "correlated fallback"}

PARAMETERS = (
    Parameter("total", 2000.0, float, "amount to divide", positive),
    Parameter("n", 7, int, "number of divisions (division k gives the row player k * total / (n + 1))",
              lambda v: None if v >= 2 else "must be at least 2"),
    Parameter("harm_max", 1500.0, float, "largest harm c of the threat action on the grid", positive),
    Parameter("n_harms", 7, int, "grid points from 0 to harm_max (at least 2)",
              lambda v: None if v >= 2 else "must be at least 2"),
    Parameter("rounds", 4000, int, "rounds per match", positive),
    Parameter("signal", "random", str, "public signal: random (independent uniforms) or rotation (low discrepancy)",
              choice("random", "rotation")),
)


def harms(params: Mapping[str, Any]) -> np.ndarray:
    """The harm grid ``0, ..., harm_max``."""
    return np.linspace(0.0, params["harm_max"], params["n_harms"])


def linear_limit(total: float, n: int) -> float:
    """Largest harm at which the CoCo threatener's value ``total/2 + c/2`` is a division: ``c/2 <= max - total/2``.

    Examples
    --------
    >>> linear_limit(2000.0, 7)
    1500.0
    """
    return 2.0 * (total * n / (n + 1) - total / 2)


def validate(params: Mapping[str, Any]) -> None:
    """The slope needs two grid harms in the range where CoCo's value is carried out without transfers."""
    grid = harms(params)
    limit = linear_limit(params["total"], params["n"])
    if np.count_nonzero(grid <= limit * (1 + 1e-12)) < 2:
        raise ValueError(f"harm_max, n_harms: the slope needs two grid harms in [0, {limit:g}] "
                         f"(2 * (total * n / (n + 1) - total / 2)), got a step of {grid[1]:g}")


def bargainer(kind: str):
    """A bargainer of type ``kind`` (one of :data:`TYPES`)."""
    from ..agents import CoCoBargainer, CorrelatedFallbackBargainer, HarsanyiBargainer

    return {"coco": CoCoBargainer, "harsanyi": HarsanyiBargainer,
            "ce_fallback": CorrelatedFallbackBargainer}[kind]()


def play(game: Any, strategy: Any, rounds: int, signal: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One match of two ``strategy`` agents; returns each seat's mean payoff and its standard error."""
    from ..sim.environment import Environment

    env = Environment(game, {strategy: 2}, matching="round_robin", rounds=rounds, self_play=False,
                      seed=seed, keep_history=True, signal=signal)
    result = env.run()
    hist = result.history[:, 0, :]                           # the one match, (rounds, 2)
    if not np.array_equal(result.history_agents[0, 0], [0, 1]):
        raise RuntimeError("threat_incentive: expected agent 0 in the row seat")
    pay = game.payoffs[:, hist[:, 0], hist[:, 1]].T          # (rounds, 2)
    return pay.mean(axis=0), pay.std(axis=0) / math.sqrt(rounds)


def _slope(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and its standard error for independent points with standard errors ``se``."""
    dx = x - x.mean()
    sxx = float(dx @ dx)
    return float(dx @ y / sxx), float(math.sqrt(float((dx * dx) @ (se * se))) / sxx)


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play every bargainer type at every harm; see the module docstring."""
    from ..sim.catalogue import division_game, with_threat_action

    total, n, rounds = params["total"], params["n"], params["rounds"]
    grid = harms(params)
    base = division_game(total, n)
    # One independent stream per (harm, type), as integer seeds: Environment spawns a fixed
    # number of children from a SeedSequence (and spawns anew on every reset).
    seeds = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(seed).spawn(len(grid) * len(TYPES))]
    sim = {k: np.zeros((grid.size, 2)) for k in TYPES}
    se = {k: np.zeros((grid.size, 2)) for k in TYPES}
    oracle = {k: np.zeros((grid.size, 2)) for k in TYPES}
    steps = grid.size * len(TYPES)
    if progress is not None:
        progress(0, steps, "runs")
    for i, c in enumerate(grid):
        game = base if c == 0 else with_threat_action(base, 0, own_payoff=0.0, harm=float(c))
        for j, kind in enumerate(TYPES):
            b = bargainer(kind)
            oracle[kind][i] = np.asarray(b.settlement(game).achieved, dtype=float)
            sim[kind][i], se[kind][i] = play(game, b, rounds, params["signal"], seeds[i * len(TYPES) + j])
            if progress is not None:
                progress(i * len(TYPES) + j + 1, steps, "runs")

    limit = linear_limit(total, n)
    fit = grid <= limit * (1 + 1e-12)
    coco_slope, coco_slope_se = _slope(grid[fit], sim["coco"][fit, 0], se["coco"][fit, 0])
    harsanyi_slope, harsanyi_slope_se = _slope(grid[fit], sim["harsanyi"][fit, 0], se["harsanyi"][fit, 0])
    # The essay's $1000 curse on a $2000 division: a harm of half the total.
    k = int(np.argmin(np.abs(grid - total / 2)))
    curse_gain = float(sim["coco"][k, 0] - sim["coco"][0, 0])
    curse_gain_se = float(math.hypot(se["coco"][k, 0], se["coco"][0, 0]))
    # Movement of the fallback bargainers relative to the harm-0 run, both seats; the two
    # runs are independent, so the difference has standard error hypot(se_k, se_0).
    shift = sim["ce_fallback"] - sim["ce_fallback"][0]
    shift_se = np.hypot(se["ce_fallback"], se["ce_fallback"][0])
    i_max, p_max = np.unravel_index(int(np.argmax(np.abs(shift))), shift.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(shift_se > 0, np.abs(shift) / np.where(shift_se > 0, shift_se, 1.0),
                     np.where(shift == 0, 0.0, np.inf))
    headline = {
        "game": base.name,
        "harms": grid.tolist(),
        "linear_up_to_harm": limit,
        "coco_slope": coco_slope,
        "coco_slope_se": coco_slope_se,
        "harsanyi_slope": harsanyi_slope,
        "harsanyi_slope_se": harsanyi_slope_se,
        "curse_harm": float(grid[k]),
        "coco_threatener_at_0": float(sim["coco"][0, 0]),
        "coco_threatener_at_curse": float(sim["coco"][k, 0]),
        "coco_curse_gain": curse_gain,
        "coco_curse_gain_se": curse_gain_se,
        "coco_curse_gain_oracle": float(oracle["coco"][k, 0] - oracle["coco"][0, 0]),
        "ce_fallback_max_shift": float(abs(shift[i_max, p_max])),
        "ce_fallback_max_shift_harm": float(grid[i_max]),
        "ce_fallback_max_shift_se": float(shift_se[i_max, p_max]),
        "ce_fallback_max_shift_in_se": float(z[i_max, p_max]),
        "ce_fallback_max_z": float(np.max(z)),
        "ce_fallback_oracle_max_shift": float(np.max(np.abs(oracle["ce_fallback"] - oracle["ce_fallback"][0]))),
        "simulated": {kind: sim[kind].tolist() for kind in TYPES},
        "oracle": {kind: oracle[kind].tolist() for kind in TYPES},
        "se": {kind: se[kind].tolist() for kind in TYPES},
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        frame = {"harm": grid}
        for kind in TYPES:
            for p, role in enumerate(("threatener", "victim")):
                frame[f"{kind}_{role}"] = sim[kind][:, p]
                frame[f"{kind}_{role}_se"] = se[kind][:, p]
                frame[f"{kind}_{role}_oracle"] = oracle[kind][:, p]
        pd.DataFrame(frame).to_csv(out_dir / "threat_incentive.csv", index=False)
        save_figure(figure(grid, sim, se, oracle, total, n, rounds), out_dir / "threat_incentive.png")
    return headline


def figure(grid: np.ndarray, sim: Mapping[str, np.ndarray], se: Mapping[str, np.ndarray],
           oracle: Mapping[str, np.ndarray], total: float, n: int, rounds: int):
    """The threatener's simulated payoff against the harm, per type, with the theory lines."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.add_subplot()
    c = np.linspace(0.0, float(grid[-1]), 200)
    top = total * n / (n + 1)
    ax.plot(c, total / 2 + c / 2, color="black", lw=1, ls="--", label="theory (CoCo): total/2 + c/2")
    ax.axhline(total / 2, color="black", lw=1, ls=":", label="theory (fallback): total/2")
    if top < total / 2 + c[-1] / 2:
        ax.axhline(top, color="0.5", lw=0.8, ls="-.", label="largest division")
    offsets = {"coco": -0.012, "harsanyi": 0.0, "ce_fallback": 0.012}
    span = float(grid[-1]) if grid[-1] > 0 else 1.0
    for k, kind in enumerate(TYPES):
        x = grid + offsets[kind] * span          # side by side, so equal points stay visible
        ax.errorbar(x, sim[kind][:, 0], yerr=2 * se[kind][:, 0], fmt="o", ms=5, capsize=3, color=f"C{k}",
                    label=f"{LABELS[kind]}: simulated (± 2 SE)")
        ax.plot(grid, oracle[kind][:, 0], color=f"C{k}", lw=1, alpha=0.6)
    ax.set_xlabel("harm c of the threat action to player 2")
    ax.set_ylabel(f"threatener's mean payoff per round\n({rounds} rounds; lines: oracle)")
    ax.set_title(f"Division of {total:g} ({n} ways) + a threat for player 1", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """Per harm the threatener's payoffs, then the slope, the curse and the fallback's movement."""
    lines = [f"game: {headline['game']}",
             f"{'harm':>8}" + "".join(f"  {LABELS[k]:>20}" for k in TYPES) + "   (threatener: simulated / oracle)"]
    for i, c in enumerate(headline["harms"]):
        cells = "".join(f"  {headline['simulated'][k][i][0]:>9.1f} / {headline['oracle'][k][i][0]:>8.1f}"
                        for k in TYPES)
        lines.append(f"{c:>8g}{cells}")
    h = {k: (float("nan") if v is None else v) for k, v in headline.items()}    # JSON turned NaN / inf into None
    rows = [
        (f"CoCo slope (harm <= {h['linear_up_to_harm']:g})",
         f"{h['coco_slope']:.4f} ± {h['coco_slope_se']:.4f}  (theory: 0.5)"),
        ("Harsanyi slope", f"{h['harsanyi_slope']:.4f} ± {h['harsanyi_slope_se']:.4f}"),
        (f"CoCo gain from a {h['curse_harm']:g} curse",
         f"{h['coco_curse_gain']:.1f} ± {h['coco_curse_gain_se']:.1f}  (oracle: {h['coco_curse_gain_oracle']:.1f})"),
        ("fallback's largest movement",
         f"{h['ce_fallback_max_shift']:.1f} at harm {h['ce_fallback_max_shift_harm']:g}"
         f" = {h['ce_fallback_max_shift_in_se']:.2f} SE  (theory: 0)"),
    ]
    width = max(len(label) for label, _ in rows) + 1
    lines += [f"{label + ':':<{width}} {value}" for label, value in rows]
    return "\n".join(lines)
