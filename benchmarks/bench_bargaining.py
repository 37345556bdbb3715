"""The bargaining oracle's solvers against textbook baselines, side by side.

No peer library bargains over strategic games, so each contender is measured
against the straightforward method a user would otherwise write (ALGORITHMS.md),
run in the same process on the same games:

* ``nash_solution`` (dual, exact) against the primal SLSQP over the lottery
  weights (ALGORITHMS.md section 1, "Algorithm C") on random 10x10 and 50x50
  bimatrix games, disagreement point = the payoff of the uniform profile minus 1.
  Target: under 20 ms for 10x10.  (The SLSQP baseline is run on 10x10 only: over
  the 2500 lottery weights of a 50x50 game it takes minutes.)
* ``coco_value`` against one HiGHS LP for ``val((A - B) / 2)`` plus the max of
  ``(A + B) / 2`` (the textbook two-line implementation).  Target: under 20 ms
  for 10x10.
* ``harsanyi_equilibrium`` on random 3-player 3x3x3 games against the
  ALGORITHMS.md section 4 baseline: Nelder-Mead from 4 starts on the residual
  ``dist(u(a), F)``, each evaluation solving the coalition LPs with HiGHS and the
  distance with an SLSQP projection.  Target: under 2 s per game.

Medians over several games / repeats; the ratio is baseline time / gamesim time.

Usage::

    python benchmarks/bench_bargaining.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import linprog, minimize

from gamesim.analysis.equilibria import zero_sum_value
from gamesim.bargaining.feasible import feasible_set
from gamesim.bargaining.harsanyi import harsanyi_equilibrium
from gamesim.bargaining.solutions import nash_solution
from gamesim.bargaining.values import coco_value
from gamesim.errors import ConvergenceWarning
from gamesim.sim.games import NormalFormGame
from _common import git_commit

SEED = 20261123


def timed(fn, *args, repeat=3, **kwargs):
    best = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        best.append(time.perf_counter() - t)
    return min(best), out


# -- baselines ----------------------------------------------------------------------
def primal_nbs(points: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Algorithm C: maximise sum log(P^T lam - d) over the simplex with SLSQP."""
    m, n = points.shape
    lam0 = np.full(m, 1.0 / m)

    def f(lam):
        gain = points.T @ lam - d
        return -np.sum(np.log(np.maximum(gain, 1e-300)))

    def grad(lam):
        gain = np.maximum(points.T @ lam - d, 1e-300)
        return -(points @ (1.0 / gain))

    res = minimize(f, lam0, jac=grad, method="SLSQP", bounds=[(0, 1)] * m,
                   constraints=[{"type": "eq", "fun": lambda lam: lam.sum() - 1.0,
                                 "jac": lambda lam: np.ones(m)},
                                {"type": "ineq", "fun": lambda lam: points.T @ lam - d - 1e-12,
                                 "jac": lambda lam: points.T}],
                   options={"maxiter": 500, "ftol": 1e-12})
    return points.T @ res.x


def textbook_coco(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    m, k = A.shape
    M = (A - B) / 2
    c = np.zeros(m + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.hstack([-M.T, np.ones((k, 1))]), b_ub=np.zeros(k),
                  A_eq=np.concatenate([np.ones(m), [0.0]])[None, :], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    coop = float(np.max((A + B) / 2))
    v = float(res.x[-1])
    return np.array([coop + v, coop - v])


def baseline_harsanyi(U: np.ndarray, starts: int = 4, seed: int = 0):
    """ALGORITHMS.md section 4: multi-start Nelder-Mead, HiGHS LPs and an SLSQP distance."""
    import itertools
    import math

    n = U.shape[0]
    shape = U.shape[1:]
    points = U.reshape(n, -1).T
    m = len(points)
    coalitions = [frozenset(c) for r in range(1, n) for c in itertools.combinations(range(n), r)]

    def u_of(a):
        Ua = U * a.reshape((-1,) + (1,) * n)
        T = float(np.max(Ua.sum(axis=0)))
        w = {}
        for S in coalitions:
            sign = np.array([1.0 if i in S else -1.0 for i in range(n)])
            M = np.tensordot(sign, Ua, axes=1)
            rows = sorted(S)
            cols = [j for j in range(n) if j not in S]
            M = np.transpose(M, rows + cols).reshape(int(np.prod([shape[i] for i in rows])), -1)
            w[S] = zero_sum_value(M).value
        phi = np.full(n, T / n)
        for S, val in w.items():
            s = len(S)
            coef = math.factorial(s - 1) * math.factorial(n - s) / math.factorial(n)
            for i in S:
                phi[i] += coef * val
        return phi / a

    def dist(u):
        res = minimize(lambda lam: np.sum((points.T @ lam - u) ** 2), np.full(m, 1.0 / m),
                       jac=lambda lam: 2 * points @ (points.T @ lam - u), method="SLSQP",
                       bounds=[(0, 1)] * m, constraints=[{"type": "eq", "fun": lambda lam: lam.sum() - 1}],
                       options={"maxiter": 200, "ftol": 1e-14})
        return float(np.sqrt(max(res.fun, 0.0)))

    def R(z):
        e = np.exp(np.concatenate([[0.0], np.clip(z, -30, 30)]))
        return dist(u_of(e / e.sum()))

    rng = np.random.default_rng(seed)
    best = None
    for k in range(starts):
        a0 = np.full(n, 1.0 / n) if k == 0 else rng.dirichlet(np.ones(n))
        res = minimize(R, np.log(a0[1:] / a0[0]), method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-12, "maxfev": 400})
        if best is None or res.fun < best.fun:
            best = res
    e = np.exp(np.concatenate([[0.0], best.x]))
    a = e / e.sum()
    return u_of(a), float(best.fun)


# -- the benchmark ------------------------------------------------------------------
def bench_nbs_coco(size: int, games: int, rng, nbs_baseline: bool = True) -> dict:
    rows = {"nbs": [], "nbs_base": [], "coco": [], "coco_base": [], "nbs_diff": [], "coco_diff": []}
    for _ in range(games):
        A, B = rng.normal(size=(2, size, size))
        g = NormalFormGame.from_bimatrix(A, B)
        points = g.payoffs.reshape(2, -1).T
        d = points.mean(axis=0) - 1.0
        t, sol = timed(nash_solution, g, d)
        rows["nbs"].append(t)
        if nbs_baseline:
            tb, base = timed(primal_nbs, points, d, repeat=1)
            rows["nbs_base"].append(tb)
            rows["nbs_diff"].append(float(np.max(np.abs(sol.point - base))))
        t, cv = timed(coco_value, g)
        tb, base = timed(textbook_coco, A, B)
        rows["coco"].append(t)
        rows["coco_base"].append(tb)
        rows["coco_diff"].append(float(np.max(np.abs(cv.values - base))))
    med = {k: statistics.median(v) for k, v in rows.items() if v and not k.endswith("diff")}
    nan = float("nan")
    return {"size": f"{size}x{size}", "games": games,
            "nbs_ms": 1e3 * med["nbs"], "nbs_baseline_ms": 1e3 * med.get("nbs_base", nan),
            "nbs_ratio": med.get("nbs_base", nan) / med["nbs"],
            "nbs_max_diff": max(rows["nbs_diff"]) if rows["nbs_diff"] else nan,
            "coco_ms": 1e3 * med["coco"], "coco_baseline_ms": 1e3 * med["coco_base"],
            "coco_ratio": med["coco_base"] / med["coco"], "coco_max_diff": max(rows["coco_diff"])}


def bench_harsanyi(games: int, rng, baseline: bool) -> dict:
    ours, base, resid, base_resid, diffs, evals = [], [], [], [], [], []
    for _ in range(games):
        U = rng.normal(size=(3, 3, 3, 3))
        g = NormalFormGame(U)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t, eq = timed(harsanyi_equilibrium, g, repeat=1)
        ours.append(t)
        resid.append(max(eq.residuals.values()))
        evals.append(eq.parameters["evaluations"])
        if baseline:
            tb, (u_b, r_b) = timed(baseline_harsanyi, U, repeat=1)
            base.append(tb)
            base_resid.append(r_b)
            diffs.append(float(np.max(np.abs(u_b - eq.payoffs))))
    out = {"games": games, "median_s": statistics.median(ours), "max_s": max(ours),
           "max_residual": max(resid), "median_evaluations": statistics.median(evals)}
    if baseline:
        out.update({"baseline_median_s": statistics.median(base), "ratio": statistics.median(base) / statistics.median(ours),
                    "baseline_max_residual": max(base_resid), "max_payoff_diff": max(diffs)})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer games")
    parser.add_argument("--no-baseline-harsanyi", action="store_true", help="skip the slow baseline")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    games = 3 if args.quick else 10
    report = {"python": sys.version.split()[0], "machine": platform.machine(), "commit": git_commit(),
              # SLSQP over the 2500 lottery weights of a 50x50 game takes minutes: no baseline there
              "bimatrix": [bench_nbs_coco(10, games, rng), bench_nbs_coco(50, max(2, games // 2), rng, False)],
              "harsanyi_3x3x3": bench_harsanyi(2 if args.quick else 5, rng, not args.no_baseline_harsanyi)}
    print(f"{'game':<8} {'NBS ms':>8} {'SLSQP ms':>9} {'ratio':>7} {'CoCo ms':>8} {'LP ms':>7} {'ratio':>7}")
    for r in report["bimatrix"]:
        print(f"{r['size']:<8} {r['nbs_ms']:8.2f} {r['nbs_baseline_ms']:9.2f} {r['nbs_ratio']:7.1f} "
              f"{r['coco_ms']:8.2f} {r['coco_baseline_ms']:7.2f} {r['coco_ratio']:7.1f}")
    h = report["harsanyi_3x3x3"]
    line = (f"Harsanyi 3x3x3: median {h['median_s']:.2f} s (max {h['max_s']:.2f} s, "
            f"{h['median_evaluations']:.0f} evaluations, max residual {h['max_residual']:.1e})")
    if "baseline_median_s" in h:
        line += (f"; baseline median {h['baseline_median_s']:.2f} s (max residual "
                 f"{h['baseline_max_residual']:.1e}), ratio {h['ratio']:.1f}")
    print(line)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
