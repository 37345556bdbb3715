"""Round-robin IPD tournaments in gamesim against the Axelrod library, side by side.

One invocation measures, on the same machine in the same run:

(a)/(b) the 8-strategy tournament: TitForTat, Grudger (GrimTrigger), Cooperator,
    Defector, WinStayLoseShift, TitFor2Tats, SuspiciousTitForTat, Alternator;
    200 turns; (R, S, T, P) = (3, 0, 5, 1); round robin with self-play
    (28 pairs + 8 self-matches = 36 matches, 7,200 stage-game plays);
(c) a round robin of 100 memory-one strategies with seeded random four-vectors
    (``np.random.default_rng(12345).random((100, 4))``, the same vectors on both
    sides; 4,950 pairs + 100 self-matches = 5,050 matches, 1,010,000 plays).

Axelrod runs in a subprocess of its own (``benchmarks/_peer_axelrod.py``, started
with ``--axelrod-python``) and times itself in-process, import excluded; gamesim is
timed in this process.  Each timed run includes setup: creating the strategies and
the game, then for gamesim ``Environment(...)``, ``run()`` and
``strategy_scores()``; for Axelrod ``Tournament(...)`` and
``play(processes=None, progress_bar=False, build_results=...)``.  The headline
ratio uses ``build_results=True`` (that is what gives the scores users read);
``build_results=False`` (matches played and written to Axelrod's temp CSV, no
ResultSet) is reported too.  Plays per second = actual stage-game plays / median
time; Axelrod's actual turns are counted (its deterministic cache could otherwise
inflate nominal counts).

The mean scores of the 8-strategy tournament must agree with Axelrod's
``normalised_scores`` to 1e-12 (the run exits with status 1 if they do not).  The
memory-one players are stochastic and the two libraries draw different random
numbers, so only the correlation of their scores is shown there.

Usage::

    python benchmarks/bench_tournament.py [--quick] [--json PATH]
        [--axelrod-python /work/venv-bench/bin/python] [--no-axelrod]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import gamesim as gs
from gamesim.agents import (Alternator, Cooperator, Defector, GrimTrigger, MemoryOne,
                            SuspiciousTitForTat, TitFor2Tats, TitForTat, WinStayLoseShift)
from _common import git_commit

TURNS = 200
PAYOFFS = dict(R=3, S=0, T=5, P=1)
MEMONE_N = 100
MEMONE_VECTOR_SEED = 12345
MEMONE_TOURNAMENT_SEED = 1
TARGET_EIGHT = 100.0
TARGET_MEMONE = 1000.0
SCORE_TOL = 1e-12
PEER = Path(__file__).with_name("_peer_axelrod.py")
DEFAULT_AXELROD_PYTHON = "/work/venv-bench/bin/python"

# gamesim strategy -> Axelrod display name, in tournament order
EIGHT = [(TitForTat, "Tit For Tat"), (GrimTrigger, "Grudger"), (Cooperator, "Cooperator"),
         (Defector, "Defector"), (WinStayLoseShift, "Win-Stay Lose-Shift"),
         (TitFor2Tats, "Tit For 2 Tats"), (SuspiciousTitForTat, "Suspicious Tit For Tat"),
         (Alternator, "Alternator")]




def memone_vectors() -> np.ndarray:
    return np.random.default_rng(MEMONE_VECTOR_SEED).random((MEMONE_N, 4))


# -- gamesim side ----------------------------------------------------------------
def _gamesim_eight():
    game = gs.games.prisoners_dilemma(**PAYOFFS)
    population = [cls() for cls, _ in EIGHT]
    result = gs.Environment(game, population, rounds=TURNS).run()
    return result, result.strategy_scores()


def _gamesim_memone(vectors):
    game = gs.games.prisoners_dilemma(**PAYOFFS)
    population = [MemoryOne(*map(float, v)) for v in vectors]
    result = gs.Environment(game, population, rounds=TURNS, seed=MEMONE_TOURNAMENT_SEED).run()
    return result, result.strategy_scores()


def time_gamesim(fn, repeats: int, warmup: int = 1) -> dict:
    """Median wall time of ``fn()`` over ``repeats`` runs after ``warmup`` untimed ones."""
    t0 = time.perf_counter()
    result, scores = fn()                       # first call: imports, compiled-automaton caches
    first = time.perf_counter() - t0
    for _ in range(warmup - 1):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result, scores = fn()
        times.append(time.perf_counter() - t0)
    plays = float(result.turns.sum()) / 2       # each play gives one turn to each of its 2 seats
    med = statistics.median(times)
    return {"first_call_s": first, "times_s": times, "median_s": med, "min_s": min(times),
            "plays": plays, "plays_per_s": plays / med, "method": result.parameters.get("method"),
            "scores": list(scores.values()), "names": list(scores.keys())}


# -- Axelrod side ----------------------------------------------------------------
def run_peer(python: str, repeats: int, vectors, memone_build_false: bool) -> dict:
    cfg = {"turns": TURNS, "repeats": repeats, "warmup": 1,
           "payoffs": [PAYOFFS["R"], PAYOFFS["S"], PAYOFFS["T"], PAYOFFS["P"]],
           "memone_vectors": None if vectors is None else vectors.tolist(),
           "memone_seed": MEMONE_TOURNAMENT_SEED, "memone_build_false": memone_build_false}
    try:
        # stderr (progress notes, tracebacks) passes straight through to ours
        proc = subprocess.run([python, str(PEER)], input=json.dumps(cfg), stdout=subprocess.PIPE,
                              text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"ok": False, "error": f"could not run {python}: {exc}"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    try:
        out = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": f"peer exited with status {proc.returncode} and printed no JSON "
                                      f"(see its stderr above)"}
    return out


# -- report ------------------------------------------------------------------------
def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def _verdict(ratio: float, target: float) -> str:
    return f"target >= {target:,.0f}x: {'MET' if ratio >= target else 'MISSED'}"


def main(argv=None) -> int:
    default_py = DEFAULT_AXELROD_PYTHON if os.path.exists(DEFAULT_AXELROD_PYTHON) else sys.executable
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (gamesim 10/2, Axelrod 2; "
                    "skips Axelrod's build_results=False memory-one run)")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--axelrod-python", default=default_py,
                    help=f"interpreter with axelrod installed (default: {default_py})")
    ap.add_argument("--no-axelrod", action="store_true", help="time gamesim only")
    ap.add_argument("--no-memone", action="store_true", help="skip the 100 memory-one round robin")
    args = ap.parse_args(argv)

    g_rep8, g_repm, ax_rep = (10, 2, 2) if args.quick else (50, 5, 5)
    vectors = None if args.no_memone else memone_vectors()
    report: dict = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
                    "numpy": np.__version__, "gamesim": gs.__version__,
                    "gamesim_commit": git_commit()},
        "command": " ".join([Path(sys.executable).name] + sys.argv),
        "repeats": {"gamesim_eight": g_rep8, "gamesim_memone": g_repm, "axelrod_eight": ax_rep,
                    "axelrod_memone": 1},
        "turns": TURNS, "payoffs": PAYOFFS,
    }

    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"IPD, {TURNS} turns, (R,S,T,P)=(3,0,5,1), round robin with self-play\n")

    # gamesim first (seconds), then Axelrod (about a minute with its import).
    print("timing gamesim ...", flush=True)
    g8 = time_gamesim(_gamesim_eight, g_rep8)
    report["gamesim_eight"] = g8
    gm = None
    if vectors is not None:
        gm = time_gamesim(lambda: _gamesim_memone(vectors), g_repm)
        report["gamesim_memone"] = gm

    ax = {"ok": False, "error": "skipped (--no-axelrod)"}
    if not args.no_axelrod:
        print(f"timing Axelrod in a subprocess ({args.axelrod_python}; its import takes ~15 s) ...", flush=True)
        ax = run_peer(args.axelrod_python, ax_rep, vectors, memone_build_false=not args.quick)
    report["axelrod"] = ax
    if not ax.get("ok"):
        print(f"\nNOTE: Axelrod not available, gamesim timed alone: {ax.get('error')}\n"
              f"      (install it with `pip install -e .[bench]` in a venv and pass --axelrod-python)")

    status = 0
    # -- (a)/(b) 8 strategies ------------------------------------------------------
    print(f"\n== 8-strategy tournament: 36 matches x {TURNS} turns = {int(g8['plays']):,} plays ==")
    rows = [("gamesim", g8["median_s"], g8["plays"], g8["plays_per_s"], f"{g8['method']}, {g_rep8} repeats")]
    ratios8 = {}
    if ax.get("ok"):
        e = ax["eight"]
        for key, label in (("build_results_true", "Axelrod build_results=True"),
                           ("build_results_false", "Axelrod build_results=False")):
            r = e[key]
            turns = statistics.median(r["actual_turns_per_run"])
            rows.append((label, r["median_s"], turns, r["plays_per_s"],
                         f"{len(r['times_s'])} repeats, cached matches {r['cached_matches_per_run']}"))
            ratios8[key] = g8["plays_per_s"] / r["plays_per_s"]
    print(f"{'':30s} {'median':>11s} {'plays':>9s} {'plays/s':>13s}")
    for label, med, plays, rate, note in rows:
        print(f"{label:30s} {med * 1e3:8.2f} ms {int(plays):9,d} {_fmt_rate(rate):>13s}   ({note})")
    print(f"gamesim first call (cold): {g8['first_call_s'] * 1e3:.1f} ms")
    if ax.get("ok"):
        print(f"Axelrod warm-up run (cold, build_results=True): {ax['eight']['warmup_s'][0] * 1e3:.1f} ms; "
              f"simultaneous_play calls in a check run: {ax['eight']['simultaneous_play_calls_check']}")
        r_true = ratios8["build_results_true"]
        print(f"ratio gamesim/Axelrod (build_results=True):  {r_true:8.1f}x   {_verdict(r_true, TARGET_EIGHT)}")
        print(f"ratio gamesim/Axelrod (build_results=False): {ratios8['build_results_false']:8.1f}x   (information)")
        report["ratios_eight"] = ratios8
        # score agreement
        ax_scores = dict(zip(e["names"], e["normalised_scores"]))
        diffs = []
        print(f"\n{'strategy':24s} {'gamesim':>20s} {'Axelrod':>20s} {'|diff|':>9s}")
        for (cls, ax_name), name, s in zip(EIGHT, g8["names"], g8["scores"]):
            a = ax_scores[ax_name]
            diffs.append(abs(s - a))
            print(f"{name:24s} {s!r:>20s} {a!r:>20s} {abs(s - a):9.1e}")
        max_diff = max(diffs)
        agree = max_diff <= SCORE_TOL
        print(f"mean scores agree to {SCORE_TOL:g}: {'YES' if agree else 'NO'} (max |diff| = {max_diff:.2e})")
        report["scores_eight"] = {"max_abs_diff": max_diff, "agree": agree, "tolerance": SCORE_TOL}
        if not agree:
            status = 1

    # -- (c) 100 memory-one ------------------------------------------------------------
    if gm is not None:
        print(f"\n== {MEMONE_N} memory-one strategies: 5,050 matches x {TURNS} turns = {int(gm['plays']):,} plays ==")
        rows = [("gamesim", gm["median_s"], gm["plays"], gm["plays_per_s"], f"{gm['method']}, {g_repm} repeats")]
        ratiosm = {}
        if ax.get("ok") and "memone" in ax:
            for key, label in (("build_results_true", "Axelrod build_results=True"),
                               ("build_results_false", "Axelrod build_results=False")):
                if key not in ax["memone"]:
                    continue
                r = ax["memone"][key]
                rows.append((label, r["median_s"], r["actual_turns"], r["plays_per_s"],
                             f"1 run, cached matches {r['cached_matches']}"))
                ratiosm[key] = gm["plays_per_s"] / r["plays_per_s"]
        print(f"{'':30s} {'median':>11s} {'plays':>9s} {'plays/s':>13s}")
        for label, med, plays, rate, note in rows:
            print(f"{label:30s} {med * 1e3:8.1f} ms {int(plays):9,d} {_fmt_rate(rate):>13s}   ({note})")
        print(f"gamesim first call (cold): {gm['first_call_s'] * 1e3:.1f} ms")
        if ratiosm:
            r_true = ratiosm["build_results_true"]
            print(f"ratio gamesim/Axelrod (build_results=True):  {r_true:8.1f}x   {_verdict(r_true, TARGET_MEMONE)}")
            if "build_results_false" in ratiosm:
                print(f"ratio gamesim/Axelrod (build_results=False): {ratiosm['build_results_false']:8.1f}x   (information)")
            report["ratios_memone"] = ratiosm
            a = np.array(ax["memone"]["normalised_scores"])
            g = np.array(gm["scores"])
            corr = float(np.corrcoef(a, g)[0, 1])
            print(f"scores (stochastic, different RNG streams): Pearson r = {corr:.4f}, "
                  f"mean {g.mean():.4f} vs {a.mean():.4f}, max |diff| {np.abs(g - a).max():.4f}")
            report["scores_memone"] = {"pearson_r": corr, "mean_gamesim": float(g.mean()),
                                       "mean_axelrod": float(a.mean()),
                                       "max_abs_diff": float(np.abs(g - a).max())}

    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nfigures written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
