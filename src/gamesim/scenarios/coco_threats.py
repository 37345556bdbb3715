"""How much does a harmful threat action pay?  CoCo, Harsanyi and the correlated fallback.

Player 1 of a symmetric two-player game (the competitive part of its CoCo value is
0) gets one extra action that pays player 1 ``own_payoff`` and costs player 2 ``c``,
whatever player 2 does (:func:`gamesim.sim.catalogue.with_threat_action`).  For
each ``c`` on a grid the scenario settles the game with

* the CoCo value (Kalai & Kalai 2013): once the threat is player 1's maximin action
  in the competitive game ``(U1 - U2) / 2``, player 1's value rises by ``c / 2`` and
  player 2's falls by ``c / 2`` -- "the $1000 curse is worth $500";
* the Harsanyi equilibrium (for two players Nash's 1953 threat solution), which
  needs no transfers but still rewards the threat through the threat point;
* the threat-resistant essay's correlated-equilibrium fallback: a strictly
  dominated action is in no correlated equilibrium, so the settlement does not move.

Headline figures: the slope of player 1's CoCo value in ``c`` over the upper half
of the grid (expected 1/2), and the largest movement of the correlated-fallback
settlement over the grid (expected 0).  Writes ``threat_sweep.csv`` and
``threat_sweep.png``.

References
----------
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
.. [N53] J. F. Nash, "Two-person cooperative games", Econometrica 21, 1953.
.. [D22] Diffractor, "Threat-resistant bargaining megapost", 2022 (the seed
   ``threat-resistant-bargaining-correlated-fallback.txt``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, choice, non_negative, positive

NAME = "coco_threats"
DESCRIPTION = "Threat sensitivity: CoCo pays half the harm of a threat action, the correlated fallback pays nothing"

GAMES = ("battle_of_the_sexes", "chicken", "prisoners_dilemma", "stag_hunt")

PARAMETERS = (
    Parameter("game", "battle_of_the_sexes", str, "symmetric two-player base game from the catalogue", choice(*GAMES)),
    Parameter("own_payoff", 0.0, float, "what the threat action pays the threatener (player 1)"),
    Parameter("harm_max", 20.0, float, "largest harm c to player 2 on the grid", positive),
    Parameter("harm_min", 0.0, float, "smallest harm c on the grid", non_negative),
    Parameter("n", 21, int, "number of grid points (at least 4: the slope is fitted on the upper half)",
              lambda v: None if v >= 4 else "must be at least 4"),
)


def validate(params: Mapping[str, Any]) -> None:
    """``harm_min < harm_max``."""
    if not params["harm_min"] < params["harm_max"]:
        raise ValueError(f"harm_min, harm_max: need harm_min < harm_max, got {params['harm_min']:g} >= {params['harm_max']:g}")


def base_game(name: str):
    """The symmetric base game; battle of the sexes uses the (3, 2) payoffs of the notes."""
    from ..sim import catalogue

    if name == "battle_of_the_sexes":
        return catalogue.battle_of_the_sexes(3, 2)
    return catalogue.CATALOGUE[name]()


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Settle the game for each harm on the grid; see the module docstring."""
    from ..bargaining.disagreement import ce_fallback
    from ..bargaining.harsanyi import harsanyi_equilibrium
    from ..bargaining.values import coco_value
    from ..sim.catalogue import with_threat_action

    base = base_game(params["game"])
    harms = np.linspace(params["harm_min"], params["harm_max"], params["n"])
    coco, harsanyi, fallback = [], [], []
    if progress is not None:
        progress(0, len(harms), "harm levels")
    for k, c in enumerate(harms):
        g = with_threat_action(base, 0, own_payoff=params["own_payoff"], harm=float(c))
        coco.append(np.asarray(coco_value(g).values, dtype=float))
        harsanyi.append(np.asarray(harsanyi_equilibrium(g).payoffs, dtype=float))
        fallback.append(np.asarray(ce_fallback(g).ntu_point, dtype=float))
        if progress is not None:
            progress(k + 1, len(harms), "harm levels")
    coco, harsanyi, fallback = map(np.array, (coco, harsanyi, fallback))
    upper = harms >= harms[len(harms) // 2]
    slope = float(np.polyfit(harms[upper], coco[upper, 0], 1)[0]) if upper.sum() >= 2 else float("nan")
    base_coco = np.asarray(coco_value(base).values, dtype=float)
    headline = {
        "game": base.name,
        "coco_without_threat": base_coco.tolist(),
        "coco_at_max_harm": coco[-1].tolist(),
        "coco_slope_player1": slope,
        "harsanyi_at_max_harm": harsanyi[-1].tolist(),
        "ce_fallback_without_threat": fallback[0].tolist(),
        "ce_fallback_max_shift": float(np.max(np.abs(fallback - fallback[0]))),
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure
        from ..bargaining.plots import threat_sweep

        frame = pd.DataFrame({"harm": harms,
                              "coco_1": coco[:, 0], "coco_2": coco[:, 1],
                              "harsanyi_1": harsanyi[:, 0], "harsanyi_2": harsanyi[:, 1],
                              "ce_fallback_1": fallback[:, 0], "ce_fallback_2": fallback[:, 1]})
        frame.to_csv(out_dir / "threat_sweep.csv", index=False)
        fig = threat_sweep(harms, {"CoCo": coco, "Harsanyi / Nash threat": harsanyi,
                                   "CE fallback": fallback},
                           title=f"{base.name} + a threat action for player 1")
        save_figure(fig, out_dir / "threat_sweep.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """The CoCo slope and the fallback's movement."""
    fmt = lambda v: "(" + ", ".join(f"{x:.4g}" for x in v) + ")"  # noqa: E731
    return "\n".join([
        f"game:                                 {headline['game']}",
        f"CoCo value without the threat:        {fmt(headline['coco_without_threat'])}",
        f"CoCo value at the largest harm:       {fmt(headline['coco_at_max_harm'])}",
        f"d(CoCo_1)/d(harm), upper half:        {headline['coco_slope_player1']:.4f}  (theory: 0.5)",
        f"Harsanyi / threat solution, max harm: {fmt(headline['harsanyi_at_max_harm'])}",
        f"CE fallback without the threat:       {fmt(headline['ce_fallback_without_threat'])}",
        f"largest move of the CE fallback:      {headline['ce_fallback_max_shift']:.3g}  (theory: 0)",
    ])
