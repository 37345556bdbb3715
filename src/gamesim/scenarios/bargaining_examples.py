"""The seeds' worked bargaining examples, recomputed: expected against computed.

Every row recomputes one published number with the general code of
:mod:`gamesim.bargaining` (nothing is looked up) and compares it with the value
the seeds state -- corrected where a seed misprints (Treutlein's section 3.4.2
NBS; example 60's ``(5.5, 2.75)`` is a gain vector, not a payoff).

Sources: Treutlein, "Modeling evidential cooperation in large worlds" (examples 7,
10, 54, 60, 64, 66 and section 3.4.2); Kalai & Kalai (2013) CoCo values; the
"Unifying bargaining" essay (Harsanyi equilibria); the threat-resistant essay
(correlated-equilibrium fallback); gamesim's ALGORITHMS notes for the verified
numbers.

Prints the table, writes ``examples.csv`` and three figures in the style of
Treutlein's figures 4 (example 10), 11 (example 54) and 16 (example 60).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive

NAME = "bargaining_examples"
DESCRIPTION = "Recompute the seeds' worked bargaining, CoCo and Harsanyi examples and compare with the published values"

PARAMETERS = (
    Parameter("tolerance", 1e-6, float, "largest absolute difference counted as a match (2-decimal rows use 5e-3)", positive),
)

SQRT2 = float(np.sqrt(2.0))


def _example_10():
    from ..bargaining.feasible import SmoothSet, minkowski_sum
    from ..bargaining.solutions import nash_solution

    alice = SmoothSet([lambda x: x[0] + 0.5 * x[1] ** 2 - 10.0], 2, lower=[0.0, 0.0], name="Alice")
    bob = SmoothSet([lambda x: x[0] + 0.5 * x[1] ** 2 - 5.0], 2, lower=[0.0, 0.0], name="Bob")
    F = minkowski_sum(alice, bob)
    d = np.array([10.0, np.sqrt(10.0)])
    return F, d, nash_solution(F, d)


def _example_54(weighted: bool):
    from ..bargaining.feasible import minkowski_sum, quarter_disc
    from ..bargaining.solutions import nash_solution

    if weighted:
        F = minkowski_sum(quarter_disc(0.75), quarter_disc(0.25))
        d = np.array([0.75, 0.25])
        return F, d, nash_solution(F, d, weights=[0.75, 0.25])
    F = minkowski_sum(quarter_disc(0.5), quarter_disc(0.5))
    d = np.array([0.5, 0.5])
    return F, d, nash_solution(F, d)


def rows() -> list[dict[str, Any]]:
    """Every example as ``{source, quantity, expected, computed, decimals}``."""
    from ..bargaining import cores, disagreement, normalization
    from ..sim import separable
    from ..bargaining.feasible import from_points
    from ..bargaining.harsanyi import harsanyi_equilibrium
    from ..bargaining.solutions import kalai_smorodinsky, nash_solution
    from ..bargaining.values import coco_value
    from ..sim import catalogue as cat

    out: list[dict[str, Any]] = []

    def add(source, quantity, expected, computed, decimals=None):
        out.append({"source": source, "quantity": quantity, "expected": expected,
                    "computed": computed, "decimals": decimals})

    # Treutlein, example 7: variance normalization
    g7 = cat.treutlein_example_7()
    vn = normalization.variance_normalization(g7)
    chosen = tuple(g7.actions[i][a] for i, a in enumerate(vn.profile))
    add("Treutlein ex. 7", "variance normalization picks", "b1, a2", ", ".join(chosen))
    add("Treutlein ex. 7", "player 1's utility there (dominant outcome: 0)", -1.0, float(vn.payoffs[0]))

    # example 10 (Alice and Bob)
    _, _, s10 = _example_10()
    add("Treutlein ex. 10", "NBS: Alice spends A on herself", 8.15, float(s10.components[0][0]), 2)
    add("Treutlein ex. 10", "NBS: Bob spends B on Alice", 3.15, float(s10.components[1][0]), 2)

    # section 3.4.2: three players, two share a goal
    F342 = from_points([[2, 2, 1], [3, 3, 1], [2, 2, 2]])
    d342 = np.array([2.0, 2.0, 1.0])
    add("Treutlein 3.4.2", "KSBS", [2.5, 2.5, 1.5], kalai_smorodinsky(F342, d342).point.tolist())
    add("Treutlein 3.4.2", "NBS (paper misprints (2.7, 2.7, 2.3))", [8 / 3, 8 / 3, 4 / 3],
        nash_solution(F342, d342).point.tolist())

    # example 54: prior weights
    add("Treutlein ex. 54", "weighted NBS, p = 3/4", [0.92, 0.39], _example_54(True)[2].point.tolist(), 2)
    add("Treutlein ex. 54", "NBS, p = 1/2", [SQRT2 / 2, SQRT2 / 2], _example_54(False)[2].point.tolist())

    # example 60: threat point
    g60 = cat.treutlein_example_60()
    ne = disagreement.nash_point(g60)
    ts = disagreement.threat_point(g60)
    add("Treutlein ex. 60", "Nash equilibrium payoffs", [3.0, 3.0], np.asarray(ne.point).tolist())
    add("Treutlein ex. 60", "threat point (b2, a3)", [-3.0, 2.0], np.asarray(ts.disagreement).tolist())
    add("Treutlein ex. 60", "NBS from the threat point", [2.5, 4.75], np.asarray(ts.point).tolist())
    add("Treutlein ex. 60", "gains over the threat point (the paper's (5.5, 2.75))", [5.5, 2.75],
        (np.asarray(ts.point) - np.asarray(ts.disagreement)).tolist())

    # example 64: NBS outside the alpha-core
    g64 = separable.treutlein_example_64()
    d64 = g64.nash_point()
    nbs64 = nash_solution(g64.to_normal_form(), d64)
    add("Treutlein ex. 64", "Nash equilibrium disagreement point", [3.0, 3.0, 3.0], np.asarray(d64).tolist())
    add("Treutlein ex. 64", "NBS", [13 / 3, 13 / 3, 17 / 3], nbs64.point.tolist())
    add("Treutlein ex. 64", "NBS in the alpha-core", False, bool(cores.in_core(g64, nbs64.point, A="alpha").in_core))
    add("Treutlein ex. 64", "(5, 5, 3) in the alpha-core", True, bool(cores.in_core(g64, [5, 5, 3], A="alpha").in_core))

    # example 66: empty Nash-equilibrium core
    g66 = separable.treutlein_example_66()
    add("Treutlein ex. 66", "Nash equilibrium payoffs", [5.0, 5.0, 15.0], np.asarray(g66.nash_point()).tolist())
    add("Treutlein ex. 66", "Nash-equilibrium core empty", True, bool(cores.core_point(g66, A="nash").empty))
    add("Treutlein ex. 66", "eq. (62) core empty (Theorem 65: never)", False, bool(cores.core_point(g66, A="pareto").empty))

    # CoCo values (Kalai & Kalai 2013)
    bos = cat.battle_of_the_sexes(3, 2)
    bos_t = cat.with_threat_action(bos, 0, own_payoff=-1, harm=10)
    add("CoCo", "example game (ex. 60)", [1.5, 6.5], coco_value(g60).values.tolist())
    add("CoCo", "prisoner's dilemma", [3.0, 3.0], coco_value(cat.prisoners_dilemma()).values.tolist())
    add("CoCo", "battle of the sexes (3, 2)", [2.5, 2.5], coco_value(bos).values.tolist())
    add("CoCo", "battle of the sexes + torture action", [7.0, -2.0], coco_value(bos_t).values.tolist())
    add("CoCo", "3-player public goods", [1.0, 1.0, 1.0], coco_value(cat.public_goods_game(3)).values.tolist())
    pg_s = cat.public_goods_game(3, sabotage={2: (1.0, 2.0)})
    add("CoCo", "public goods + sabotage for player 3", [0.5, 0.5, 2.0], coco_value(pg_s).values.tolist())

    # Harsanyi (= CoCo) equilibria
    P = [[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]]
    P3 = [[3, 0, 0], [0, 3, 0], [0, 0, 3], [2, 2, 0], [1, 1, 1]]
    add("Harsanyi", "example game = Nash threat solution", [2.5, 4.75], harsanyi_equilibrium(g60).payoffs.tolist())
    add("Harsanyi", "bargaining game over ex. 60's outcomes, d = 0 (NBS)", [4.0, 4.0],
        harsanyi_equilibrium(cat.bargaining_game(P, [0, 0])).payoffs.tolist())
    add("Harsanyi", "3-player bargaining game, d = 0 (NBS)", [4 / 3, 4 / 3, 1.0],
        harsanyi_equilibrium(cat.bargaining_game(P3, [0, 0, 0])).payoffs.tolist())
    add("Harsanyi", "public goods + sabotage, no transfers", [1.0, 1.0, 1.0],
        harsanyi_equilibrium(pg_s).payoffs.tolist())

    # correlated-equilibrium fallback (threat-resistant essay)
    add("CE fallback", "chicken", [6.0, 6.0], np.asarray(disagreement.ce_fallback(cat.chicken(7, 6, 2, 0)).ntu_point).tolist())
    add("CE fallback", "battle of the sexes (3, 2)", [2.5, 2.5], np.asarray(disagreement.ce_fallback(bos).ntu_point).tolist())
    add("CE fallback", "battle of the sexes + torture action", [2.5, 2.5],
        np.asarray(disagreement.ce_fallback(bos_t).ntu_point).tolist())
    add("CE fallback", "example game", [4.0, 4.0], np.asarray(disagreement.ce_fallback(g60).ntu_point).tolist())
    return out


def _matches(expected: Any, computed: Any, tol: float, decimals: int | None) -> bool:
    if isinstance(expected, (bool, str)):
        return expected == computed
    e = np.asarray(expected, dtype=float)
    c = np.asarray(computed, dtype=float)
    if e.shape != c.shape:
        return False
    limit = 0.5 * 10.0 ** (-decimals) if decimals is not None else tol
    return bool(np.all(np.abs(e - c) <= limit))


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Recompute the table; see the module docstring."""
    table = rows()
    for r in table:
        r["match"] = _matches(r["expected"], r["computed"], params["tolerance"], r["decimals"])
    headline = {"examples": len(table), "matches": sum(r["match"] for r in table),
                "all_match": all(r["match"] for r in table),
                "table": [{k: r[k] for k in ("source", "quantity", "expected", "computed", "match")} for r in table]}
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure
        from ..bargaining import disagreement
        from ..bargaining.plots import bargaining_figure
        from ..sim.catalogue import treutlein_example_60

        pd.DataFrame(headline["table"]).to_csv(out_dir / "examples.csv", index=False)
        g60 = treutlein_example_60()
        ts = disagreement.threat_point(g60)
        fig = bargaining_figure(g60, disagreement=ts.disagreement, solutions={"NBS from TP": ts.point},
                                points={"NE": disagreement.nash_point(g60).point},
                                title="Treutlein example 60 (figure 16)")
        save_figure(fig, out_dir / "example_60.png")
        F, d, s = _example_10()
        fig = bargaining_figure(F, disagreement=d, solutions={"NBS": s}, title="Treutlein example 10 (figure 4)")
        save_figure(fig, out_dir / "example_10.png")
        F, d, s = _example_54(True)
        fig = bargaining_figure(F, disagreement=d, solutions={"weighted NBS": s},
                                title="Treutlein example 54 (figure 11)")
        save_figure(fig, out_dir / "example_54.png")
    return headline


def _fmt(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(f"{x:.6g}" for x in v) + ")"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def format_summary(headline: Mapping[str, Any]) -> str:
    """The expected-versus-computed table."""
    lines = [f"{'source':<18} {'quantity':<52} {'expected':<28} {'computed':<34} ok"]
    for r in headline["table"]:
        lines.append(f"{r['source']:<18} {r['quantity'][:52]:<52} {_fmt(r['expected']):<28} "
                     f"{_fmt(r['computed']):<34} {'yes' if r['match'] else 'NO'}")
    lines.append(f"{headline['matches']} of {headline['examples']} examples match")
    return "\n".join(lines)
