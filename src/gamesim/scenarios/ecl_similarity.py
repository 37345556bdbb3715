"""Gains from trade as the share of cooperators falls (Treutlein section 4.6, equation (49)).

A population plays an ECL Bayesian game: each player is independently an
:class:`~gamesim.agents.ECLCooperator` with probability ``q`` and a
:class:`~gamesim.agents.CausalDecisionTheorist` (the Bayesian Nash action,
proposition 36 of [T23]_) otherwise.  The cooperators play their type's part of
the bargaining oracle's prior-weighted Nash bargaining compromise ``alpha``
(definition 47, over lotteries: a type may be split between actions, each player
drawing its own) when the
dependency-equilibrium condition holds for their type, with the belief
``b = p(C | t', t, C)`` that another player is a cooperator too -- equation (49)::

    u_{t,t}(alpha_t) - u_{t,t}(beta_t)
        + (n - 1) sum_t' p(t'|t) b (u_{t',t}(alpha_t') - u_{t',t}(beta_t')) >= 0

(``beta`` the Bayesian Nash profile; ``b = 1`` is equation (41)).  ``belief="true"``
gives the cooperators the true share (``b = q``); ``belief="overconfident"`` has
them believe everyone is a cooperator (``b = 1``) whatever ``q`` is.

The share ``q`` is swept from 1 to 0.  For each ``q`` the scenario reports whether
equation (49) holds **at the true share** for every type (corollary 40's
sufficient condition for the cooperators' compromise to be a dependency
equilibrium [S07]_), whether the cooperators actually cooperate (their own check,
with their belief), and from a seeded simulation
(:func:`~gamesim.agents.simulate_ecl`) the realized mean utilities of cooperators
and of causal decision theorists, and the gains from trade over the all-Bayesian-
Nash outcome on the same draws of types (0 at ``q = 0`` by construction: everyone
plays the Bayesian Nash action).  Every share uses the same random numbers
(common random numbers), so the curves are smooth in ``q`` and the cooperators at
a lower share are a subset of those at a higher one.  Next to the simulation the
exact expectations are given: with types and policies drawn independently, a
type-``t`` player's expected gain is ``[cooperator] D[t, t] + (n - 1) q sum_t' p(t')
D[t', t]``, with ``D[t', t] = u_{t',t}(tau_t') - u_{t',t}(beta_t')`` and ``tau`` the
cooperators' actions.

The left-hand side of (49) is linear in ``b``, ``A_t + b B_t`` (``A_t`` the own-action
loss, ``B_t`` the others' gain), and holds at ``b = 1`` (the compromise is chosen
among profiles no type loses from), so it holds exactly for ``b >= b* = max_t
-A_t / B_t`` (over the types with ``A_t < 0``).  ``b*`` is the headline *threshold
share*: below it cooperation stops being a dependency equilibrium by (49).  For
Treutlein's example 35 (everyone cooperating against everyone defecting), ``A = -1``
and ``B = (n - 1) / 2``, so ``b* = 2 / (n - 1)``: 2/9 at ``n = 10`` (the left-hand
side is ``-1 + 4.5 b``) and 2/99 at the default ``n = 100``.  "Large worlds" make
the required share of like-minded players small.

Games: ``game="example35"`` is :func:`~gamesim.sim.ecl.treutlein_example_35`;
``game="random"`` draws a random dilemma with ``types`` types and
``actions`` actions, seeded: each action's contribution to the chooser's own type,
``r = u_{t,t}(a)``, is uniform on [0, 1] and its contributions to the other types
are uniform on ``[0, 2 (1 - r)]``, so that -- as in example 35 -- what serves the
chooser's own type serves the others less on average; the independent prior is
drawn from a Dirichlet(2, ..., 2) distribution.  (With all contributions
independent and uniform, few games let every type gain over the Bayesian Nash
profile -- at ``n = 100`` a mixed profile does so in about 38% of 3-type and 50% of
4-type 3-action games and a pure one in 14% and 18%, against 86% and 100% (mixed)
and 56% and 86% (pure) with this construction (50 seeds each) -- and without one
the compromise is the Bayesian Nash profile and there is nothing to trade.)
Each universe has ``n_players`` players (the game's
``n``, which the cooperators reason with), and there are ``n_universes`` universes
per share.

For independent types the left-hand side of (49) at ``b = q`` *is* the expected
realized gain of a type-``t`` cooperator when all cooperators play ``alpha``, so
with ``belief="overconfident"`` the cooperators of some type lose on average
exactly below the threshold share (the population mean can stay positive a while
longer, the other types still gaining).

Writes ``ecl_similarity.csv`` (one row per share) and ``ecl_similarity.png``
(realized and expected gains against ``q``, the threshold marked).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: section 4.6 with equations (46)-(49); corollary 40 with
   equation (41); Example 35 with Table 4; proposition 36; definition 47.
.. [S07] W. Spohn, "Dependency equilibria", Philosophy of Science 74(5), 775-789, 2007.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import Parameter, Progress, choice, positive

NAME = "ecl_similarity"
DESCRIPTION = ("ECL cooperators among causal decision theorists: gains from trade and eq. (49) "
               "as the share of cooperators falls")


def _at_least(k: int):
    def check(v: int) -> str | None:
        return None if v >= k else f"must be at least {k}"
    return check


#: Most types of a random game (the oracle's compromise takes about 0.2 s at 50).
MAX_TYPES = 50

PARAMETERS = (
    Parameter("game", "example35", str, "example35 (Treutlein's Bayesian PD) or random (seeded)",
              choice("example35", "random")),
    Parameter("n_players", 100, int, "players (universes) per sampled world: the game's n", _at_least(2)),
    Parameter("belief", "true", str, "cooperators' belief that another player is a cooperator: "
              "true (the true share q) or overconfident (1)", choice("true", "overconfident")),
    Parameter("n_shares", 101, int, "grid of shares q from 1 to 0 (at least 2 points)", _at_least(2)),
    Parameter("n_universes", 1000, int, "sampled worlds per share", positive),
    Parameter("types", 4, int, f"number of types (random game only, at most {MAX_TYPES})", _at_least(1)),
    Parameter("actions", 3, int, "number of actions (random game only)", _at_least(2)),
)

#: Most players simulated per share (memory: a few arrays of this many entries).
MAX_PLAYERS = 20_000_000


def validate(params: Mapping[str, Any]) -> None:
    """The simulation's size, and a random game small enough for a quick compromise."""
    if params["n_players"] * params["n_universes"] > MAX_PLAYERS:
        raise ValueError(f"n_players, n_universes: at most {MAX_PLAYERS:,} players per share, got "
                         f"{params['n_players'] * params['n_universes']:,}")
    if params["game"] == "random" and params["types"] > MAX_TYPES:
        raise ValueError(f"types: at most {MAX_TYPES} (the compromise is a Nash bargaining solution "
                         f"in R^types), got {params['types']}")


def make_game(params: Mapping[str, Any], seed: Any):
    """The game: example 35, or the seeded random game (see the module docstring).

    Examples
    --------
    >>> g = make_game({"game": "random", "types": 2, "actions": 3, "n_players": 5}, 0)
    >>> g.n_types, g.n_actions, g.n_players
    (2, 3, 5)
    """
    from ..sim.ecl import ECLBayesianGame, treutlein_example_35

    n = params["n_players"]
    if params["game"] == "example35":
        return treutlein_example_35(n)
    m, K = params["types"], params["actions"]
    rng = np.random.default_rng(seed)
    C = rng.uniform(0.0, 1.0, size=(m, m, K))
    own = C[np.arange(m), np.arange(m)].copy()             # own[t, a] = u_{t,t}(a), uniform on [0, 1]
    C *= 2.0 * (1.0 - own)[:, None, :]                     # u_{t,t2}(a) uniform on [0, 2 (1 - own[t, a])]
    C[np.arange(m), np.arange(m)] = own
    prior = rng.dirichlet(np.full(m, 2.0)) if m > 1 else np.ones(1)
    prior = np.maximum(prior, 1e-6)
    return ECLBayesianGame.independent(C, prior / prior.sum(), n,
                                       name=f"random ECL game ({m} types, {K} actions, n={n})")


def threshold_share(game: Any, alpha: Any, beta: Any) -> float | None:
    """The smallest belief ``b`` in [0, 1] at which equation (49) holds for every type, from the module.

    ``A = gains(b = 0)`` and ``A + B = gains(b = 1)`` are read from
    :meth:`~gamesim.sim.ecl.ECLBayesianGame.gains_from_trade` (``non_cooperator =
    1 - b``); the left-hand side is linear in ``b``.  ``None`` when (49) fails even
    at ``b = 1``.

    Examples
    --------
    >>> from gamesim.sim.ecl import treutlein_example_35
    >>> threshold_share(treutlein_example_35(10), (0, 0), (1, 1))  # 2/9
    0.2222222222222222
    """
    A = np.asarray(game.gains_from_trade(alpha, beta, non_cooperator=1.0), dtype=float)
    full = np.asarray(game.gains_from_trade(alpha, beta), dtype=float)
    B = full - A
    tol = 1e-9 * (1.0 + float(np.max(np.abs(game.contributions)))) * game.n_players
    if np.any(full < -tol):
        return None
    need = A < -tol
    if not need.any():
        return 0.0
    return float(np.max(-A[need] / B[need]))


def _group(res: Any, bne_util: np.ndarray, k: int) -> dict[str, Any]:
    """Mean realized utility and gain of policy ``k`` with standard errors over universes."""
    mask = res.policy_index == k
    count = int(mask.sum())
    if count == 0:
        return {"players": 0, "mean": float("nan"), "mean_se": float("nan"), "gain": float("nan"),
                "gain_se": float("nan")}
    w = mask.astype(float)
    per_n = w.sum(axis=1)
    ok = per_n > 0
    util = res.utilities * w
    diff = (res.utilities - bne_util) * w

    def se(x: np.ndarray) -> float:
        v = x.sum(axis=1)[ok] / per_n[ok]
        return float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")

    return {"players": count, "mean": float(util.sum() / count), "mean_se": se(util),
            "gain": float(diff.sum() / count), "gain_se": se(diff)}


def expected_gains(game: Any, strategy: np.ndarray, beta: np.ndarray, q: float) -> tuple[float, float, float]:
    """Exact expected gains (cooperators, CDT players, everyone) over the all-Bayesian-Nash outcome.

    Types, policies and the draws of mixing players are independent
    (``simulate_ecl``), so a type-``t`` player's expected gain is ``[cooperator]
    D[t, t] + (n - 1) q sum_t' p(t') D[t', t]`` with ``D[t', t] = sum_a
    strategy[t', a] u_{t',t}(a) - u_{t',t}(beta[t'])``.
    """
    C, p, n = game.contributions, game.prior, game.n_players
    m = game.n_types
    D = np.einsum("pa,pta->pt", strategy, C) - C[np.arange(m), :, beta]    # D[t', t]
    others = (n - 1) * q * (p @ D)                                      # per receiving type t
    coop = float(p @ (np.diag(D) + others))
    cdt = float(p @ others)
    return coop, cdt, q * coop + (1.0 - q) * cdt


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Sweep the share of cooperators; see the module docstring."""
    from ..agents.ecl import CausalDecisionTheorist, ECLCooperator, simulate_ecl

    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    game_seed, sim_seed = root.spawn(2)
    game = make_game(params, game_seed)
    n, U = params["n_players"], params["n_universes"]
    overconfident = params["belief"] == "overconfident"
    bne = np.asarray(game.bayesian_nash_profile().profile, np.intp)
    comp = ECLCooperator().plan(game).compromise
    alpha = np.asarray(comp.strategy)                     # one lottery over actions per type
    beta = np.eye(game.n_actions)[bne]
    trading = np.any(alpha != beta, axis=1)
    b_star = threshold_share(game, alpha, bne)
    shares = np.linspace(1.0, 0.0, params["n_shares"])
    eu_alpha = float(game.prior @ game.expected_utility_mixed(alpha))
    eu_beta = float(game.prior @ game.expected_utility(bne))

    cols = {k: [] for k in ("q", "belief", "eq49_holds", "eq49_lhs_min", "cooperators_comply", "cooperating_types",
                            "coop_players", "coop_mean", "coop_mean_se", "coop_gain", "coop_gain_se",
                            "cdt_players", "cdt_mean", "cdt_mean_se", "cdt_gain", "cdt_gain_se",
                            "mean", "bne_mean", "gains", "gains_se",
                            "coop_gain_expected", "cdt_gain_expected", "gains_expected")}
    if progress is not None:
        progress(0, shares.size, "shares")
    bne_types = bne_util = None
    for k, q in enumerate(shares):
        q = float(q)
        b = 1.0 if overconfident else q
        coop_policy = ECLCooperator(belief_cooperators=b)
        table = np.asarray(coop_policy.strategy_table(game))
        lhs = np.asarray(game.gains_from_trade(alpha, bne, non_cooperator=1.0 - q), dtype=float)
        check = game.cooperation_is_dependency_equilibrium(alpha, bne, non_cooperator=1.0 - q)
        res = simulate_ecl(game, {coop_policy: q, CausalDecisionTheorist(): 1.0 - q}, n_players=n,
                           n_universes=U, seed=sim_seed)
        if bne_util is None or not np.array_equal(res.types, bne_types):
            # common random numbers: the types are the same draw at every share
            bne_types, bne_util = res.types, game.realized_utilities(res.types, bne[res.types])
        coop, cdt = _group(res, bne_util, 0), _group(res, bne_util, 1)
        per_u = (res.utilities - bne_util).mean(axis=1)
        ec, ed, ea = expected_gains(game, table, bne, q)
        row = {
            "q": q, "belief": b, "eq49_holds": bool(check.holds), "eq49_lhs_min": float(lhs.min()),
            "cooperators_comply": bool(np.array_equal(table, alpha)),
            "cooperating_types": int(np.count_nonzero(np.all(table == alpha, axis=1) & trading)),
            "coop_players": coop["players"], "coop_mean": coop["mean"], "coop_mean_se": coop["mean_se"],
            "coop_gain": coop["gain"], "coop_gain_se": coop["gain_se"],
            "cdt_players": cdt["players"], "cdt_mean": cdt["mean"], "cdt_mean_se": cdt["mean_se"],
            "cdt_gain": cdt["gain"], "cdt_gain_se": cdt["gain_se"],
            "mean": float(res.utilities.mean()), "bne_mean": float(bne_util.mean()),
            "gains": float(per_u.mean()),
            "gains_se": float(per_u.std(ddof=1) / math.sqrt(U)) if U > 1 else float("nan"),
            "coop_gain_expected": ec, "cdt_gain_expected": ed, "gains_expected": ea,
        }
        for key, v in row.items():
            cols[key].append(v)
        if progress is not None:
            progress(k + 1, shares.size, "shares")

    holds = np.array(cols["eq49_holds"])
    passing = shares[holds]
    i1 = 0                                    # shares[0] == 1
    i0 = shares.size - 1                      # shares[-1] == 0
    closed = 2.0 / (n - 1) if params["game"] == "example35" else None
    headline: dict[str, Any] = {
        "game": game.name,
        "n_players": n,
        "n_universes": U,
        "players_per_share": n * U,
        "belief": params["belief"],
        "types": game.n_types,
        "actions": game.n_actions,
        "prior": game.prior.tolist(),
        "bne_profile": bne.tolist(),
        "compromise_profile": list(comp.profile) if comp.profile is not None else None,
        "compromise_strategy": alpha.tolist(),
        "compromise_method": comp.method,
        "eu_compromise": eu_alpha,
        "eu_bne": eu_beta,
        "threshold_share": b_star,
        "threshold_share_closed_form": closed,
        "threshold_share_closed_form_text": "2 / (n - 1)" if closed is not None else None,
        "smallest_grid_share_passing": float(passing.min()) if passing.size else None,
        "largest_grid_share_failing": float(shares[~holds].max()) if (~holds).any() else None,
        "coop_mean_at_q1": cols["coop_mean"][i1],
        "coop_mean_se_at_q1": cols["coop_mean_se"][i1],
        "gains_at_q1": cols["gains"][i1],
        "gains_se_at_q1": cols["gains_se"][i1],
        "gains_expected_at_q1": cols["gains_expected"][i1],
        "gains_at_q0": cols["gains"][i0],
        "max_gain_z": float(np.nanmax(np.abs(
            (np.array(cols["gains"]) - np.array(cols["gains_expected"]))
            / np.where(np.array(cols["gains_se"]) > 0, np.array(cols["gains_se"]), np.inf)))),
        "by_share": {k: v for k, v in cols.items()},
    }
    if overconfident:
        loss = [float(q) for q, g in zip(shares, cols["coop_gain_expected"]) if g < -1e-12]
        headline["cooperators_lose_on_average_below_share"] = max(loss) if loss else None
    if out_dir is not None:
        import pandas as pd

        from ..analysis.plots import save_figure

        pd.DataFrame(cols).to_csv(out_dir / "ecl_similarity.csv", index=False)
        save_figure(figure(cols, headline), out_dir / "ecl_similarity.png")
    return headline


def figure(cols: Mapping[str, list], headline: Mapping[str, Any]):
    """Realized (markers, ± 2 SE) and expected (lines) gains against the share of cooperators."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 4.8), layout="constrained")
    ax = fig.add_subplot()
    q = np.array(cols["q"])
    step = max(1, q.size // 25)                          # markers thinned, lines on every share
    for key, label, color in (("coop_gain", "ECL cooperators", "C0"), ("cdt_gain", "causal decision theorists", "C1"),
                              ("gains", "everyone", "C2")):
        y = np.array(cols[key], dtype=float)
        se = np.array(cols[f"{key}_se"], dtype=float)
        ax.plot(q, np.array(cols[f"{key}_expected"] if key != "gains" else cols["gains_expected"]),
                color=color, lw=1.2)
        ax.errorbar(q[::step], y[::step], yerr=2 * np.nan_to_num(se[::step]), fmt="o", ms=3.5, capsize=2,
                    color=color, label=f"{label}: realized (± 2 SE); line: expected")
    ax.plot(q, np.array(cols["eq49_lhs_min"]), color="0.3", lw=1, ls="--",
            label="left-hand side of (49) at b = q, worst type")
    ax.axhline(0.0, color="0.4", lw=0.8)
    b = headline["threshold_share"]
    if b is not None and b > 0:
        ax.axvline(b, color="C3", lw=1, ls="-.", label=f"eq. (49) holds for q >= {b:.4g}")
    ax.set_xlabel("share q of ECL cooperators (the rest: causal decision theorists)")
    ax.set_ylabel("gain over the all-Bayesian-Nash outcome\n(mean realized utility per player)")
    belief = "b = q (true share)" if headline["belief"] == "true" else "b = 1 (overconfident)"
    ax.set_title(f"{headline['game']}\ncooperators believe {belief}; "
                 f"{headline['players_per_share']:,} players per share", fontsize=9)
    ax.set_xlim(1.02, -0.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _describe(h: Mapping[str, Any]) -> str:
    """The compromise as a profile, or per type the lottery over actions (support only)."""
    if h["compromise_profile"] is not None:
        return str(h["compromise_profile"])
    parts = []
    for row in h["compromise_strategy"]:
        parts.append("{" + ", ".join(f"{a}: {p:.3g}" for a, p in enumerate(row) if p > 0) + "}")
    return "[" + ", ".join(parts) + "]"


def format_summary(headline: Mapping[str, Any]) -> str:
    """The threshold share and the gains at q = 1 and q = 0, then a thinned table."""
    def fmt(v: Any, spec: str = ".4g") -> str:
        return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)

    h = headline
    closed = (f" (closed form {h['threshold_share_closed_form_text']} = {fmt(h['threshold_share_closed_form'])})"
              if h["threshold_share_closed_form"] is not None else "")
    lines = [f"game: {h['game']}; {h['players_per_share']:,} players per share ({h['n_universes']} worlds of "
             f"{h['n_players']}); cooperators' belief: {h['belief']}",
             f"compromise {_describe(h)} vs Bayesian Nash {h['bne_profile']}: EU {fmt(h['eu_compromise'])} "
             f"vs {fmt(h['eu_bne'])}",
             f"eq. (49) holds for shares q >= {fmt(h['threshold_share'])}{closed}"
             + ("" if h["compromise_method"] != "disagreement" else
                "  [no profile gives every type a strict gain: the compromise is the Bayesian Nash "
                "profile, nothing to trade]"),
             f"gains at q = 1: {fmt(h['gains_at_q1'])} ± {fmt(h['gains_se_at_q1'], '.2g')} "
             f"(expected {fmt(h['gains_expected_at_q1'])}); at q = 0: {fmt(h['gains_at_q0'])}"]
    if "cooperators_lose_on_average_below_share" in h:
        lines.append(f"overconfident cooperators lose on average (over types) at q <= "
                     f"{fmt(h['cooperators_lose_on_average_below_share'])} on the grid")
    by = h["by_share"]
    qs = by["q"]
    step = max(1, len(qs) // 10)
    idx = sorted(set(range(0, len(qs), step)) | {len(qs) - 1})
    lines.append(f"{'q':>6} {'eq49':>5} {'coop gain':>10} {'CDT gain':>10} {'gains':>10} {'expected':>10}")
    for i in idx:
        lines.append(f"{qs[i]:>6.3g} {str(by['eq49_holds'][i]):>5} {fmt(by['coop_gain'][i]):>10} "
                     f"{fmt(by['cdt_gain'][i]):>10} {fmt(by['gains'][i]):>10} {fmt(by['gains_expected'][i]):>10}")
    return "\n".join(lines)
