"""Treutlein's Bayesian prisoner's dilemma (example 35) as the number of universes grows.

The game is :func:`~gamesim.sim.ecl.treutlein_example_35`: two equally likely,
independent types; action 1 (index 0, "cooperate") gives 2 to every player of
either type, action 2 (index 1, "defect") gives 3 to players of the chooser's own
type and 0 to the other type.  Every type's own contribution is largest with
action 2, so "everyone plays action 2" is the unique Bayesian Nash profile
(proposition 36 of [T23]_), worth ``EU_t = 3 + 1.5 (n - 1)`` (4.5 at ``n = 2``).
Everyone playing action 1 is worth ``2n``.

For every ``n`` from ``n_min`` to ``n_max`` the scenario evaluates, with the general
code of :mod:`gamesim.sim.ecl` (nothing is hard-wired):

* the left-hand side of equation (41) of [T23]_ per type for ``alpha`` = "everyone
  plays action 1" against the Bayesian Nash profile ``beta``; corollary 40 says
  ``alpha`` is a dependency equilibrium [S07]_ when it is ``>= 0`` for every type.
  For this game it is ``(n - 3) / 2``, so cooperation passes from ``n = 3`` (with
  equality; strictly from ``n = 4``) -- at ``n = 2`` action 1 is worse whatever the
  dependence (Treutlein's ``4 < 4.5``), at ``n = 10`` it passes;
* the ex-interim expected utilities (equation (9)) of both profiles;
* the prior-weighted Nash bargaining compromise (definition 47) that an
  :class:`~gamesim.agents.ECLCooperator` gets from the bargaining oracle (over
  lotteries; here it is always a pure profile).  At ``n = 3`` no type can gain
  (the best gain is exactly 0), so the compromise is the Bayesian Nash profile and
  ECL cooperators start cooperating only from ``n = 4``.

For a few ``n`` (``sim_ns``) it then samples universes
(:func:`~gamesim.agents.simulate_ecl`, seeded): an all-ECL-cooperator population,
an all-causal-decision-theorist population, and a mixed one in which a share
``mix_share`` of the players are ECL cooperators who believe that share (equation
(49) with ``p(C | t', t, C) = mix_share``) and the rest causal decision theorists.
Each run has about ``sim_players`` players in ``ceil(sim_players / n)`` universes of
``n`` players.  The realized gains from trade are the mean realized utility minus
that of the same draws of types with everyone at the Bayesian Nash profile.

Headline figures: ``threshold_n`` (smallest ``n`` in the range where equation (41)
holds for cooperation; 3), the closed form's largest deviation from the module,
the values at ``n = 2`` and ``n = 10`` (when in range), the smallest ``n`` where ECL
cooperators cooperate, and the simulated populations.  Writes
``ecl_bayesian_pd.csv`` (one row per ``n``), ``ecl_bayesian_pd_simulation.csv``
(one row per simulated ``n``) and ``ecl_bayesian_pd.png`` (the left-hand side of
(41) against ``n`` with the threshold marked; the expected utilities of both
profiles against ``n`` with the simulated means).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: Example 35 with Table 4 and equations (22)-(30);
   equation (9); proposition 36; corollary 40 with equation (41); section 4.6 with
   equation (49); definition 47.
.. [S07] W. Spohn, "Dependency equilibria", Philosophy of Science 74(5), 775-789, 2007.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, positive, probability

NAME = "ecl_bayesian_pd"
DESCRIPTION = ("Treutlein's Bayesian prisoner's dilemma (example 35) as n grows: cooperation is a "
               "dependency equilibrium by eq. (41) from n = 3")

#: "Everyone plays action 1" (Treutlein's numbering; index 0 here).
COOPERATE = (0, 0)


def _at_least(k: int):
    def check(v: int) -> str | None:
        return None if v >= k else f"must be at least {k}"
    return check


PARAMETERS = (
    Parameter("n_min", 2, int, "smallest number of players (universes) n", _at_least(1)),
    Parameter("n_max", 100, int, "largest number of players n", _at_least(1)),
    Parameter("sim_ns", "2,3,4,10,100", str,
              "comma-separated n at which populations are simulated (empty: none)"),
    Parameter("sim_players", 100_000, int, "about this many players per simulated population "
              "(ceil(sim_players / n) universes of n players)", positive),
    Parameter("mix_share", 0.5, float, "share of ECL cooperators in the mixed population "
              "(they believe this share, eq. (49))", probability),
)


def parse_sim_ns(text: str) -> list[int]:
    """The simulated ``n`` from ``"2, 3,10"``: distinct positive integers, in the given order.

    Raises
    ------
    ValueError
        ``sim_ns: ...`` for a non-integer, a value below 1 or a repeated value.

    Examples
    --------
    >>> parse_sim_ns("2, 10,100")
    [2, 10, 100]
    >>> parse_sim_ns(" ")
    []
    """
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            v = int(part)
        except ValueError:
            raise ValueError(f"sim_ns: expected comma-separated integers, got {part!r}") from None
        if v < 1:
            raise ValueError(f"sim_ns: every n must be at least 1, got {v}")
        if v in out:
            raise ValueError(f"sim_ns: n = {v} is listed twice")
        out.append(v)
    return out


def validate(params: Mapping[str, Any]) -> None:
    """``n_min <= n_max``, at most 100,000 values of ``n``, and a parsable ``sim_ns``."""
    if params["n_min"] > params["n_max"]:
        raise ValueError(f"n_min, n_max: need n_min <= n_max, got {params['n_min']} > {params['n_max']}")
    if params["n_max"] - params["n_min"] >= 100_000:
        raise ValueError("n_min, n_max: at most 100,000 values of n")
    parse_sim_ns(params["sim_ns"])


def analyse(n: int) -> dict[str, Any]:
    """Equation (41), both profiles' expected utilities and the ECL compromise at ``n`` players.

    Examples
    --------
    >>> r = analyse(2)
    >>> r["lhs"].tolist(), r["holds"], r["eu_bne"].tolist()
    ([-0.5, -0.5], False, [4.5, 4.5])
    >>> analyse(10)["holds"], analyse(10)["compromise"]
    (True, (0, 0))
    """
    from ..sim.ecl import treutlein_example_35

    g = treutlein_example_35(n)
    bne = g.bayesian_nash_profile()
    check = g.cooperation_is_dependency_equilibrium(COOPERATE, bne.profile)
    comp = g.compromise()                     # the bargaining oracle's NBS over lotteries
    return {
        "n": n,
        "lhs": np.asarray(check.gains, dtype=float),
        "holds": bool(check.holds),
        "eu_coop": np.asarray(g.expected_utility(COOPERATE), dtype=float),
        "eu_bne": np.asarray(bne.expected_utility, dtype=float),
        "bne_profile": tuple(bne.profile),
        "compromise": tuple(comp.profile),
        "compromise_method": comp.method,
        "prior": np.asarray(g.prior, dtype=float),
    }


def _policy_stats(res: Any, bne_util: np.ndarray, k: int) -> dict[str, Any]:
    """Mean realized utility, gain over the Bayesian Nash outcome and its standard error for policy ``k``.

    The standard error is the standard deviation of per-universe means over
    ``sqrt(universes)`` (universes are independent; players within one are not).
    """
    mask = res.policy_index == k
    count = int(mask.sum())
    if count == 0:
        return {"players": 0, "mean": None, "gain": None, "gain_se": None}
    w = mask.astype(float)
    per_n = w.sum(axis=1)
    diff = (res.utilities - bne_util) * w
    mean = float((res.utilities * w).sum() / count)
    gain = float(diff.sum() / count)
    ok = per_n > 0
    per_u = diff.sum(axis=1)[ok] / per_n[ok]
    se = float(per_u.std(ddof=1) / math.sqrt(per_u.size)) if per_u.size > 1 else float("nan")
    return {"players": count, "mean": mean, "gain": gain, "gain_se": se}


def simulate(n: int, players: int, mix_share: float, seed: Any) -> dict[str, Any]:
    """Three sampled populations at ``n`` players per universe (see the module docstring)."""
    from ..agents.ecl import CausalDecisionTheorist, ECLCooperator, simulate_ecl
    from ..sim.ecl import treutlein_example_35

    g = treutlein_example_35(n)
    U = max(1, math.ceil(players / n))
    bne = np.asarray(g.bayesian_nash_profile().profile, np.intp)
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    ss = root.spawn(3)
    out: dict[str, Any] = {"n": n, "universes": U, "players": U * n}
    runs = {
        "ecl": ECLCooperator(),
        "cdt": CausalDecisionTheorist(),
        "mixed": {ECLCooperator(belief_cooperators=mix_share): mix_share,
                  CausalDecisionTheorist(): 1.0 - mix_share},
    }
    for (label, policy), s in zip(runs.items(), ss):
        res = simulate_ecl(g, policy, n_players=n, n_universes=U, seed=s)
        bne_util = g.realized_utilities(res.types, bne[res.types])
        if label == "mixed":
            out["mixed_ecl"] = _policy_stats(res, bne_util, 0)
            out["mixed_cdt"] = _policy_stats(res, bne_util, 1)
            out["mixed_ecl_cooperates"] = bool(np.array_equal(policy_table(mix_share, g), COOPERATE))
            out["mixed_gain"] = float(res.utilities.mean() - bne_util.mean())
        else:
            st = _policy_stats(res, bne_util, 0)
            out[f"{label}_mean"] = st["mean"]
            out[f"{label}_gain"] = st["gain"]
            out[f"{label}_gain_se"] = st["gain_se"]
            if label == "ecl":
                out["ecl_cooperates"] = bool(np.array_equal(ECLCooperator().table(g), COOPERATE))
    out["eu_coop"] = float(g.prior @ g.expected_utility(COOPERATE))
    out["eu_bne"] = float(g.prior @ g.bayesian_nash_profile().expected_utility)
    return out


def policy_table(belief: float, game: Any) -> tuple[int, ...]:
    """The actions an :class:`~gamesim.agents.ECLCooperator` with this belief takes, per type."""
    from ..agents.ecl import ECLCooperator

    return tuple(int(a) for a in ECLCooperator(belief_cooperators=belief).table(game))


def _point(rows: Mapping[int, dict[str, Any]], n: int) -> dict[str, Any] | None:
    r = rows.get(n)
    if r is None:
        return None
    return {"lhs_eq41": r["lhs"].tolist(), "holds": r["holds"], "eu_coop": r["eu_coop"].tolist(),
            "eu_bne": r["eu_bne"].tolist(), "compromise": list(r["compromise"])}


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Evaluate every ``n`` and simulate the populations; see the module docstring."""
    ns = list(range(params["n_min"], params["n_max"] + 1))
    sim_ns = parse_sim_ns(params["sim_ns"])
    total = len(ns) + len(sim_ns)
    if progress is not None:
        progress(0, total, "n")
    rows: dict[int, dict[str, Any]] = {}
    for k, n in enumerate(ns):
        rows[n] = analyse(n)
        if progress is not None and (k % 10 == 9 or k == len(ns) - 1):
            progress(k + 1, total, "n")
    lhs = np.array([rows[n]["lhs"] for n in ns])
    holds = np.array([rows[n]["holds"] for n in ns])
    closed = (np.array(ns, dtype=float) - 3.0) / 2.0
    passing = [n for n in ns if rows[n]["holds"]]
    strict = [n for n in ns if np.all(rows[n]["lhs"] > 1e-9)]
    coop = [n for n in ns if rows[n]["compromise"] == COOPERATE]
    # Monotone in n (the left-hand side grows by 1/2 per player): once it passes it stays passing.
    monotone = bool(not passing or np.all(holds[ns.index(passing[0]):]))

    seeds = np.random.SeedSequence(seed).spawn(max(1, len(sim_ns)))
    sims = []
    for k, n in enumerate(sim_ns):
        sims.append(simulate(n, params["sim_players"], params["mix_share"], seeds[k]))
        if progress is not None:
            progress(len(ns) + k + 1, total, "n")

    headline: dict[str, Any] = {
        "game": "Treutlein example 35 (Bayesian prisoner's dilemma)",
        "profile": "everyone plays action 1 (cooperate)",
        "bne_profile": [a + 1 for a in rows[ns[0]]["bne_profile"]],
        "n_min": ns[0],
        "n_max": ns[-1],
        "threshold_n": passing[0] if passing else None,
        "threshold_n_strict": strict[0] if strict else None,
        "closed_form": "(n - 3) / 2",
        "closed_form_threshold_n": 3,
        "closed_form_max_abs_error": float(np.max(np.abs(lhs - closed[:, None]))),
        "passes_for_all_n_from_threshold": monotone,
        "ecl_cooperates_from_n": coop[0] if coop else None,
        "at_n2": _point(rows, 2),
        "at_n10": _point(rows, 10),
        "at_n_max": _point(rows, ns[-1]),
        "mix_share": params["mix_share"],
        "mixed_cooperation_closed_form_n": 1 + 2 / params["mix_share"] if params["mix_share"] > 0 else None,
        "simulation": sims,
    }
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        frame = pd.DataFrame({
            "n": ns,
            "lhs_eq41_type1": lhs[:, 0], "lhs_eq41_type2": lhs[:, 1],
            "closed_form": closed,
            "eq41_holds": holds,
            "eu_coop_type1": [rows[n]["eu_coop"][0] for n in ns],
            "eu_coop_type2": [rows[n]["eu_coop"][1] for n in ns],
            "eu_bne_type1": [rows[n]["eu_bne"][0] for n in ns],
            "eu_bne_type2": [rows[n]["eu_bne"][1] for n in ns],
            "compromise": ["".join(str(a + 1) for a in rows[n]["compromise"]) for n in ns],
            "ecl_cooperates": [rows[n]["compromise"] == COOPERATE for n in ns],
        })
        frame.to_csv(out_dir / "ecl_bayesian_pd.csv", index=False)
        sim_cols = ["n", "universes", "players", "eu_coop", "eu_bne", "ecl_cooperates", "ecl_mean", "ecl_gain",
                    "ecl_gain_se", "cdt_mean", "cdt_gain", "cdt_gain_se", "mixed_ecl_cooperates",
                    "mixed_ecl_mean", "mixed_ecl_gain", "mixed_ecl_gain_se", "mixed_cdt_mean", "mixed_cdt_gain",
                    "mixed_cdt_gain_se", "mixed_gain"]
        flat = []
        for s in sims:
            row = {c: s.get(c) for c in sim_cols}
            for grp in ("mixed_ecl", "mixed_cdt"):
                row[f"{grp}_mean"] = s[grp]["mean"]
                row[f"{grp}_gain"] = s[grp]["gain"]
                row[f"{grp}_gain_se"] = s[grp]["gain_se"]
            flat.append(row)
        pd.DataFrame(flat, columns=sim_cols).to_csv(out_dir / "ecl_bayesian_pd_simulation.csv", index=False)
        save_figure(figure(ns, lhs, closed, rows, sims, headline["threshold_n"]), out_dir / "ecl_bayesian_pd.png")
    return headline


def figure(ns: list[int], lhs: np.ndarray, closed: np.ndarray, rows: Mapping[int, dict[str, Any]],
           sims: list[dict[str, Any]], threshold: int | None):
    """Left: equation (41) against ``n`` with the threshold; right: both profiles' EU with the simulations."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    x = np.array(ns)
    ax1.plot(x, lhs[:, 0], color="C0", lw=2, label="left-hand side of (41), type 1")
    ax1.plot(x, lhs[:, 1], color="C1", lw=1, ls="--", label="type 2")
    ax1.plot(x, closed, color="black", lw=0.8, ls=":", label="closed form (n - 3) / 2")
    ax1.axhline(0.0, color="0.4", lw=0.8)
    if threshold is not None:
        ax1.axvline(threshold, color="C3", lw=1, ls="-.", label=f"threshold n = {threshold}")
    ax1.set_xlabel("number of players (universes) n")
    ax1.set_ylabel("EU(everyone cooperates) - EU(Bayesian Nash)")
    ax1.set_title("Corollary 40, eq. (41): cooperation is a dependency equilibrium if >= 0", fontsize=9)
    if x[-1] > 20 * max(1, x[0]):              # a wide range: log n, so the threshold stays visible
        ax1.set_xscale("log")
        ax2.set_xscale("log")
        ax2.set_yscale("log")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8)

    prior = rows[ns[0]]["prior"]
    ax2.plot(x, [float(prior @ rows[n]["eu_coop"]) for n in ns], color="C2", lw=2,
             label="everyone plays action 1 (cooperate): 2n")
    ax2.plot(x, [float(prior @ rows[n]["eu_bne"]) for n in ns], color="C3", lw=2,
             label="Bayesian Nash, action 2: 3 + 1.5 (n - 1)")
    if sims:
        sx = [s["n"] for s in sims]
        ax2.plot(sx, [s["ecl_mean"] for s in sims], "o", color="C0", ms=6, mfc="none",
                 label="simulated: all ECL cooperators")
        ax2.plot(sx, [s["cdt_mean"] for s in sims], "x", color="black", ms=6,
                 label="simulated: all causal decision theorists")
    ax2.set_xlabel("number of players (universes) n")
    ax2.set_ylabel("expected utility per player (both types alike)")
    ax2.set_title("Treutlein example 35: expected utilities, eq. (9)", fontsize=9)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8)
    return fig


def format_summary(headline: Mapping[str, Any]) -> str:
    """The threshold, the checkpoints and the simulated populations."""
    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.4g}"

    lines = [f"game: {headline['game']}; profile: {headline['profile']}",
             f"n = {headline['n_min']} .. {headline['n_max']}; left-hand side of eq. (41): "
             f"{headline['closed_form']} (largest deviation {headline['closed_form_max_abs_error']:.2g})",
             f"cooperation is a dependency equilibrium (eq. 41) from n = {headline['threshold_n']} "
             f"(strictly from {headline['threshold_n_strict']}); ECL cooperators cooperate from "
             f"n = {headline['ecl_cooperates_from_n']}"]
    for key, n in (("at_n2", 2), ("at_n10", 10)):
        p = headline.get(key)
        if p is not None:
            lines.append(f"n = {n:>3}: LHS {fmt(p['lhs_eq41'][0])}, holds {p['holds']}, "
                         f"EU cooperate {fmt(p['eu_coop'][0])}, EU Bayesian Nash {fmt(p['eu_bne'][0])}")
    if headline["simulation"]:
        lines.append(f"simulated (realized gain over the Bayesian Nash outcome; mixed: "
                     f"{headline['mix_share']:g} ECL cooperators believing that share):")
        lines.append(f"{'n':>5} {'players':>9} {'all ECL':>9} {'all CDT':>9} {'mix: ECL':>9} {'mix: CDT':>9}")
        for s in headline["simulation"]:
            lines.append(f"{s['n']:>5} {s['players']:>9} {fmt(s['ecl_gain']):>9} {fmt(s['cdt_gain']):>9} "
                         f"{fmt(s['mixed_ecl']['gain']):>9} {fmt(s['mixed_cdt']['gain']):>9}")
    return "\n".join(lines)
