"""Fictitious play in gamesim against Nashpy and QuantEcon, side by side.

One invocation measures, on the same machine in the same run, with the same game and
the same number of iterations ``T`` (default 10,000) on every side:

(1) **one run**: ``gamesim.agents.fast_fp.fictitious_play`` (exact, event-driven)
    against Nashpy's ``Game(A, B).fictitious_play(iterations=T)`` and QuantEcon's
    ``FictitiousPlay``; iterations per second on each side and the ratios.
    gamesim is timed twice: recording the empirical frequencies **every iteration**
    (``record_every=1``, comparable to Nashpy, whose generator yields the play counts
    every iteration, and to QuantEcon's ``time_series``) and **final only**
    (``record_every=None``, comparable to QuantEcon's ``play(num_reps=T)``).
(2) **a batch of 10,000 runs**: ``fictitious_play(..., batch=10_000)``, every run with
    its own random initial beliefs (integer weights drawn uniformly from 1..10 per
    action, seed 12345; lowest-index tie-breaking), all runs advanced together by
    NumPy, against Nashpy *extrapolated* from one run (10,000 runs one after another
    in one process run at one run's iterations per second).  Aggregate iterations
    per second = runs x T / time.  Again every-iteration and final-only recording;
    the every-iteration batch holds 10,000 x T x (m + n) floats (3.2 GB for matching
    pennies at T = 10,000), so it is run on the headline game only.  For
    information: the batch with zero priors and random tie-breaking (final only).
(3) for information, the general n-player path: the Environment with
    ``{FictitiousPlay(): 20_000}`` agents and ``matching="pairs"`` (10,000 separate
    pairs), a few hundred rounds; aggregate iterations per second = pairs x rounds /
    time, for the rounds (construction + ``step()`` loop) and, once, for building
    the result (``Environment.result()``).

Games: matching pennies (the headline); for information rock-paper-scissors and a
seeded random 5x5 integer bimatrix game (payoffs -5..5 from ``default_rng(5)``).  Seed 5
is the first seed from 0 up whose play keeps moving (139 constant segments in 10,000
iterations, the players mixing over 3 actions each); about half of such random games
(seeds 0, 1, 3, 2024, ...) sit on a pure equilibrium within a few rounds, which would
time almost nothing on gamesim's side.  Nashpy and QuantEcon run in a subprocess
(``benchmarks/_peer_fp.py``, started with ``--peer-python``) and time themselves
in-process, import excluded; QuantEcon's first call of ``play`` and of
``time_series`` per game (numba JIT compilation) is timed apart and excluded.
Every figure is the median of several repeats after an untimed warm-up (none before
the 3 GB every-iteration batch: the final-only batch warms the same code).

Correctness: with lowest-index tie-breaking and no prior, gamesim's final empirical
frequencies in matching pennies must lie within 1/sqrt(T) of 1/2 for both players
(the run exits with status 1 otherwise).  Nashpy breaks ties at random and
QuantEcon starts from a pure action, so their plays differ from gamesim's; their
final frequencies are printed beside gamesim's.  The every-iteration and final-only
runs must agree exactly on the final frequencies (also exit status 1).

Usage::

    python benchmarks/bench_fictitious_play.py [--quick] [--json PATH]
        [--peer-python /work/venv-bench/bin/python] [--no-peers]
        [--iterations 10000] [--batch 10000] [--env-pairs 10000] [--env-rounds 200]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import gamesim as gs
from gamesim.agents import FictitiousPlay
from gamesim.agents.fast_fp import fictitious_play
from gamesim.sim.catalogue import matching_pennies, rock_paper_scissors
from _common import git_commit

TARGET_ONE = 10.0
TARGET_BATCH = 1000.0
ISSUE_BASELINE = {"nashpy": 43_500.0, "quantecon": 90_000.0}   # it/s, matching pennies, from the issue
PRIOR_SEED = 12345
PRIOR_RANGE = (1, 10)                  # integer belief weights, inclusive
RANDOM_GAME_SEED = 5               # see games(): a seed whose play keeps moving
TIE_SEED = 0
PEER = Path(__file__).with_name("_peer_fp.py")
DEFAULT_PEER_PYTHON = "/work/venv-bench/bin/python"
HEADLINE = "matching pennies"




def games() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The benchmark games as (A, B): row and column players' payoffs, shape (m, n).

    The random 5x5 game uses seed 5, the first seed from 0 whose fictitious play does
    not settle on a pure profile within a few rounds (seeds 0, 1, 3 and 2024 do).
    """
    out = {}
    for name, g in ((HEADLINE, matching_pennies()), ("rock-paper-scissors", rock_paper_scissors())):
        out[name] = (np.asarray(g.payoffs[0], dtype=float), np.asarray(g.payoffs[1], dtype=float))
    AB = np.random.default_rng(RANDOM_GAME_SEED).integers(-5, 6, size=(2, 5, 5)).astype(float)
    out["random 5x5"] = (AB[0], AB[1])
    return out


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6      # Linux: kB


# -- gamesim side ----------------------------------------------------------------
def time_fn(fn, repeats: int, warmup: int = 1) -> dict:
    """Median wall time of ``fn()`` over ``repeats`` runs after ``warmup`` untimed ones."""
    first_s = None
    out = None
    for i in range(warmup):
        t0 = time.perf_counter()
        out = fn()
        if i == 0:
            first_s = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        out = None                     # free the previous result first (the 3 GB batch)
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {"times_s": times, "median_s": med, "min_s": min(times), "first_call_s": first_s,
            "result": out}


def random_priors(R: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(PRIOR_SEED)
    lo, hi = PRIOR_RANGE
    return rng.integers(lo, hi + 1, size=(R, n)), rng.integers(lo, hi + 1, size=(R, m))


def bench_gamesim_game(A, B, T: int, R: int, reps: dict, headline: bool) -> dict:
    game = (A, B)
    m, n = A.shape
    res: dict = {}
    for key, rec in (("one_every", 1), ("one_final", None)):
        t = time_fn(lambda: fictitious_play(game, T, record_every=rec), reps["one"])
        r = t.pop("result")
        t.update(its_per_s=T / t["median_s"], method=r.method, record_every=rec, iterations=T,
                 events=int(r.segments.shape[0]), recorded_points=int(r.times.size),
                 final_row=r.row_frequencies[-1].tolist(), final_col=r.col_frequencies[-1].tolist())
        res[key] = t
    WR, WC = random_priors(R, m, n)
    t = time_fn(lambda: fictitious_play(game, T, initial_weights=(WR, WC), batch=R, record_every=None),
                reps["batch"])
    r = t.pop("result")
    final_only_last = (r.row_frequencies[:, -1].copy(), r.col_frequencies[:, -1].copy())
    t.update(its_per_s=R * T / t["median_s"], method=r.method, record_every=None, runs=R, iterations=T,
             initial_beliefs=f"random integer weights {PRIOR_RANGE[0]}..{PRIOR_RANGE[1]} per action "
                             f"(seed {PRIOR_SEED})", tie_break="first",
             max_abs_dev_half=float(np.abs(final_only_last[0] - 0.5).max()) if m == 2 else None)
    res["batch_final"] = t
    del r
    if headline:
        # every iteration: 3 GB of frequencies; no warm-up (the final-only batch ran the same code)
        t = time_fn(lambda: fictitious_play(game, T, initial_weights=(WR, WC), batch=R, record_every=1),
                    reps["batch_every"], warmup=0)
        r = t.pop("result")
        same = (np.array_equal(r.row_frequencies[:, -1], final_only_last[0])
                and np.array_equal(r.col_frequencies[:, -1], final_only_last[1]))
        t.update(its_per_s=R * T / t["median_s"], method=r.method, record_every=1, runs=R, iterations=T,
                 frequencies_shape=list(r.row_frequencies.shape),
                 frequencies_gb=(r.row_frequencies.nbytes + r.col_frequencies.nbytes) / 1e9,
                 final_equals_final_only=bool(same))
        res["batch_every"] = t
        del r
        # for information: zero priors, random tie-breaking (draws only on ties; per-run seeded generators)
        t = time_fn(lambda: fictitious_play(game, T, tie_break="random", batch=R, record_every=None,
                                            seed=TIE_SEED), reps["batch_tie"])
        r = t.pop("result")
        t.update(its_per_s=R * T / t["median_s"], method=r.method, record_every=None, runs=R, iterations=T,
                 initial_beliefs="none (zero weights)", tie_break=f"random (seed {TIE_SEED})",
                 max_abs_dev_half=float(np.abs(r.row_frequencies[:, -1] - 0.5).max()))
        res["batch_final_random_ties"] = t
        del r
    return res


def bench_environment(pairs: int, rounds: int, repeats: int, with_result: bool) -> dict:
    """Environment FP, ``matching="pairs"``: construction + rounds timed; result() once."""
    game = matching_pennies()
    times, last_env = [], None
    for i in range(repeats + 1):                       # the first is an untimed warm-up
        t0 = time.perf_counter()
        env = gs.Environment(game, {FictitiousPlay(): 2 * pairs}, matching="pairs", rounds=rounds, seed=0)
        while env.round < env.horizon:
            env.step()
        dt = time.perf_counter() - t0
        if i:
            times.append(dt)
        last_env = env
    med = statistics.median(times)
    plays = pairs * rounds
    out = {"pairs": pairs, "agents": 2 * pairs, "rounds": rounds, "times_s": times, "median_s": med,
           "min_s": min(times), "its_per_s": plays / med, "result_s": None, "its_per_s_with_result": None,
           "method": None, "peak_rss_gb_before_result": _peak_rss_gb()}
    if with_result:
        t0 = time.perf_counter()
        result = last_env.result()
        result_s = time.perf_counter() - t0
        out.update(result_s=result_s, its_per_s_with_result=plays / (med + result_s),
                   method=result.parameters.get("method"), peak_rss_gb_after_result=_peak_rss_gb())
    return out


# -- peers -------------------------------------------------------------------------
def run_peers(python: str, gms: dict, T: int, repeats: int) -> dict:
    cfg = {"iterations": T, "repeats": repeats, "seed": 0,
           "games": [{"name": k, "A": A.tolist(), "B": B.tolist()} for k, (A, B) in gms.items()]}
    try:
        proc = subprocess.run([python, str(PEER)], input=json.dumps(cfg), stdout=subprocess.PIPE,
                              text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        err = f"could not run {python}: {exc}"
        return {"ok": False, "error": err, "nashpy": {"ok": False, "error": err},
                "quantecon": {"ok": False, "error": err}}
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        err = f"peer exited with status {proc.returncode} and printed no JSON (see its stderr above)"
        return {"ok": False, "error": err, "nashpy": {"ok": False, "error": err},
                "quantecon": {"ok": False, "error": err}}


# -- report ------------------------------------------------------------------------
def _r(x: float) -> str:
    return f"{x:,.0f}"


def _ratio(a: float, b: float | None) -> float | None:
    return None if not b else a / b


def _fmt_ratio(x: float | None, target: float | None = None) -> str:
    if x is None:
        return "n/a"
    s = f"{x:,.1f}x"
    if target is not None:
        s += f"  (target >= {target:,.0f}x: {'MET' if x >= target else 'MISSED'})"
    return s


def main(argv=None) -> int:
    default_py = DEFAULT_PEER_PYTHON if os.path.exists(DEFAULT_PEER_PYTHON) else sys.executable
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer repeats (gamesim one run 7, batch 3/1/1; peers 3; Environment 1, 100 rounds)")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--peer-python", default=default_py,
                    help=f"interpreter with nashpy and quantecon installed (default: {default_py})")
    ap.add_argument("--no-peers", action="store_true", help="time gamesim only")
    ap.add_argument("--iterations", type=int, default=10_000, help="iterations T on every side (default 10000)")
    ap.add_argument("--batch", type=int, default=10_000, help="runs in the gamesim batch (default 10000)")
    ap.add_argument("--env-pairs", type=int, default=10_000, help="Environment pairs (default 10000)")
    ap.add_argument("--env-rounds", type=int, default=None, help="Environment rounds (default 200; 100 with --quick)")
    ap.add_argument("--no-env", action="store_true", help="skip the Environment timing")
    ap.add_argument("--no-env-result", action="store_true",
                    help="do not time Environment.result() (it builds dense agents x agents tables)")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)        # keep our lines in order with the peer's stderr

    T, R = args.iterations, args.batch
    if args.quick:
        reps = {"one": 7, "batch": 3, "batch_every": 1, "batch_tie": 1, "peer": 3, "env": 1}
    else:
        reps = {"one": 31, "batch": 5, "batch_every": 3, "batch_tie": 3, "peer": 7, "env": 3}
    env_rounds = args.env_rounds or (100 if args.quick else 200)
    gms = games()
    report: dict = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
                    "numpy": np.__version__, "gamesim": gs.__version__, "gamesim_commit": git_commit()},
        "command": " ".join([Path(sys.executable).name] + sys.argv),
        "iterations": T, "batch": R, "repeats": reps,
        "games": {k: {"A": A.tolist(), "B": B.tolist()} for k, (A, B) in gms.items()},
        "targets": {"one_run_vs_nashpy": TARGET_ONE, "batch_vs_nashpy": TARGET_BATCH},
        "issue_baseline_its_per_s": ISSUE_BASELINE,
    }
    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"fictitious play, T = {T:,} iterations on every side; batch of {R:,} runs\n")

    # -- gamesim ----------------------------------------------------------------------
    g_res: dict = {}
    for name, (A, B) in gms.items():
        print(f"timing gamesim: {name} ...", flush=True)
        g_res[name] = bench_gamesim_game(A, B, T, R, reps, headline=(name == HEADLINE))
    report["gamesim"] = g_res
    env = None
    if not args.no_env:
        print(f"timing gamesim Environment: {args.env_pairs:,} pairs x {env_rounds} rounds ...", flush=True)
        env = bench_environment(args.env_pairs, env_rounds, reps["env"], not args.no_env_result)
        report["environment"] = env

    # -- peers ------------------------------------------------------------------------
    peers = {"nashpy": {"ok": False, "error": "skipped (--no-peers)"},
             "quantecon": {"ok": False, "error": "skipped (--no-peers)"}}
    if not args.no_peers:
        print(f"timing Nashpy and QuantEcon in a subprocess ({args.peer_python}) ...", flush=True)
        peers = run_peers(args.peer_python, gms, T, reps["peer"])
    report["peers"] = peers
    nash, qe = peers.get("nashpy", {}), peers.get("quantecon", {})
    for label, p, pkg in (("Nashpy", nash, "nashpy"), ("QuantEcon", qe, "quantecon")):
        if not p.get("ok"):
            print(f"\nNOTE: {label} not available, gamesim timed without it: {p.get('error')}\n"
                  f"      (pip install {pkg} in a venv and pass --peer-python)")

    status = 0
    ratios: dict = {}
    # -- one run ------------------------------------------------------------------------
    print(f"\n== (1) one run, T = {T:,} iterations: iterations per second (median) ==")
    hdr = (f"{'game':22s} {'gamesim every-it':>17s} {'gamesim final':>14s} {'Nashpy':>9s} "
           f"{'QE time_series':>15s} {'QE play':>9s} {'gamesim events':>15s}")
    print(hdr)
    for name in gms:
        g = g_res[name]
        nb = nash["games"][name]["its_per_s"] if nash.get("ok") else None
        qs = qe["games"][name]["time_series"]["its_per_s"] if qe.get("ok") else None
        qp = qe["games"][name]["play"]["its_per_s"] if qe.get("ok") else None
        print(f"{name:22s} {_r(g['one_every']['its_per_s']):>17s} {_r(g['one_final']['its_per_s']):>14s} "
              f"{_r(nb) if nb else 'n/a':>9s} {_r(qs) if qs else 'n/a':>15s} {_r(qp) if qp else 'n/a':>9s} "
              f"{g['one_every']['events']:>15,d}")
        ratios[name] = {
            "one_every_vs_nashpy": _ratio(g["one_every"]["its_per_s"], nb),
            "one_final_vs_nashpy": _ratio(g["one_final"]["its_per_s"], nb),
            "one_every_vs_qe_time_series": _ratio(g["one_every"]["its_per_s"], qs),
            "one_final_vs_qe_play": _ratio(g["one_final"]["its_per_s"], qp),
            "batch_final_vs_nashpy": _ratio(g["batch_final"]["its_per_s"], nb),
            "batch_final_vs_qe_play": _ratio(g["batch_final"]["its_per_s"], qp),
        }
        if "batch_every" in g:
            ratios[name]["batch_every_vs_nashpy"] = _ratio(g["batch_every"]["its_per_s"], nb)
            ratios[name]["batch_every_vs_qe_time_series"] = _ratio(g["batch_every"]["its_per_s"], qs)
            ratios[name]["batch_random_ties_vs_nashpy"] = _ratio(g["batch_final_random_ties"]["its_per_s"], nb)
    print("every-it = gamesim record_every=1 (frequencies after every iteration, like Nashpy's generator and "
          "QE time_series);\nfinal = record_every=None (final frequencies only, like QE play(num_reps=T)).\n"
          "gamesim events = constant segments of play (gamesim's work grows with these, not with T).")
    hr = ratios[HEADLINE]
    print(f"\n{HEADLINE} (headline) ratios, one run:")
    print(f"  gamesim every-it / Nashpy          {_fmt_ratio(hr['one_every_vs_nashpy'], TARGET_ONE)}")
    print(f"  gamesim final    / Nashpy          {_fmt_ratio(hr['one_final_vs_nashpy'], TARGET_ONE)}")
    print(f"  gamesim every-it / QE time_series  {_fmt_ratio(hr['one_every_vs_qe_time_series'])}")
    print(f"  gamesim final    / QE play         {_fmt_ratio(hr['one_final_vs_qe_play'])}")
    ge = g_res[HEADLINE]["one_every"]["its_per_s"]
    print(f"  against the issue's baseline (Nashpy {_r(ISSUE_BASELINE['nashpy'])}, QuantEcon "
          f"{_r(ISSUE_BASELINE['quantecon'])} it/s): every-it {ge / ISSUE_BASELINE['nashpy']:,.1f}x / "
          f"{ge / ISSUE_BASELINE['quantecon']:,.1f}x")
    for name in gms:
        if name == HEADLINE:
            continue
        r = ratios[name]
        print(f"{name} (information): every-it/Nashpy {_fmt_ratio(r['one_every_vs_nashpy'])}, "
              f"final/Nashpy {_fmt_ratio(r['one_final_vs_nashpy'])}, every-it/QE time_series "
              f"{_fmt_ratio(r['one_every_vs_qe_time_series'])}, final/QE play {_fmt_ratio(r['one_final_vs_qe_play'])}")
    g1 = g_res[HEADLINE]
    print(f"gamesim: {g1['one_every']['method']}; {g1['one_every']['events']} constant segments in {T:,} "
          f"iterations; first call (cold) {g1['one_every']['first_call_s'] * 1e3:.2f} ms; "
          f"{reps['one']} repeats")
    if qe.get("ok"):
        q = qe["games"][HEADLINE]
        print(f"QuantEcon first calls (numba JIT, excluded): play {q['play']['first_call_s'] * 1e3:.0f} ms, "
              f"time_series {q['time_series']['first_call_s'] * 1e3:.0f} ms (medians after: "
              f"{q['play']['median_s'] * 1e3:.0f} / {q['time_series']['median_s'] * 1e3:.0f} ms)")
    if nash.get("ok"):
        print(f"Nashpy generator yielded {nash['games'][HEADLINE]['yields']:,} play counts for T = {T:,}")

    # -- batch ------------------------------------------------------------------------
    print(f"\n== (2) batch of {R:,} runs x {T:,} iterations: aggregate iterations per second (median) ==")
    print(f"gamesim: one fictitious_play(batch={R}) call; each run has random initial beliefs "
          f"(integer weights {PRIOR_RANGE[0]}..{PRIOR_RANGE[1]} per action, seed {PRIOR_SEED}), "
          f"lowest-index tie-breaking.\nNashpy/QuantEcon: extrapolated from one run "
          f"({R:,} runs one after another in one process = one run's it/s).")
    print(f"{'game':22s} {'gamesim final':>14s} {'gamesim every-it':>17s} {'/Nashpy final':>14s} "
          f"{'/Nashpy every-it':>17s} {'/QE play final':>15s}")
    for name in gms:
        g, r = g_res[name], ratios[name]
        be = g.get("batch_every")
        print(f"{name:22s} {_r(g['batch_final']['its_per_s']):>14s} {(_r(be['its_per_s']) if be else 'not run'):>17s} "
              f"{_fmt_ratio(r['batch_final_vs_nashpy']):>14s} "
              f"{(_fmt_ratio(r.get('batch_every_vs_nashpy')) if be else '-'):>17s} "
              f"{_fmt_ratio(r['batch_final_vs_qe_play']):>15s}")
    print(f"\n{HEADLINE} (headline) ratios, batch:")
    print(f"  gamesim batch final    / Nashpy    {_fmt_ratio(hr['batch_final_vs_nashpy'], TARGET_BATCH)}")
    print(f"  gamesim batch every-it / Nashpy    {_fmt_ratio(hr['batch_every_vs_nashpy'], TARGET_BATCH)}")
    be = g1["batch_every"]
    print(f"  (every-it batch: frequencies {tuple(be['frequencies_shape'])} per player, "
          f"{be['frequencies_gb']:.1f} GB in all; {reps['batch_every']} repeat(s), no warm-up)")
    bt = g1["batch_final_random_ties"]
    print(f"  information: batch with zero priors and random tie-breaking (final only): {_r(bt['its_per_s'])} it/s, "
          f"{_fmt_ratio(hr['batch_random_ties_vs_nashpy'])} Nashpy")
    print(f"gamesim: {g1['batch_final']['method']}; {reps['batch']} repeats (final), "
          f"{reps['batch_tie']} (random ties)")

    # -- Environment --------------------------------------------------------------------
    if env is not None:
        nb = nash["games"][HEADLINE]["its_per_s"] if nash.get("ok") else None
        print(f"\n== (3) information: Environment FictitiousPlay, matching=\"pairs\", {env['pairs']:,} pairs "
              f"x {env['rounds']} rounds (matching pennies) ==")
        print(f"construction + rounds: median {env['median_s']:.3f} s -> {_r(env['its_per_s'])} it/s aggregate "
              f"({_fmt_ratio(_ratio(env['its_per_s'], nb))} Nashpy); {len(env['times_s'])} repeat(s)")
        if env["result_s"] is not None:
            print(f"result() once ({env['method']} path): {env['result_s']:.2f} s; construction + rounds + "
                  f"result(), as run() does: {_r(env['its_per_s_with_result'])} it/s "
                  f"({_fmt_ratio(_ratio(env['its_per_s_with_result'], nb))} Nashpy); peak RSS "
                  f"{env['peak_rss_gb_before_result']:.1f} GB before result(), "
                  f"{env['peak_rss_gb_after_result']:.1f} GB after")
        else:
            print("result() not timed (--no-env-result)")
        report["ratios_environment_vs_nashpy"] = _ratio(env["its_per_s"], nb)

    # -- correctness -------------------------------------------------------------------
    bound = 1 / math.sqrt(T)
    o = g1["one_every"]
    f_row, f_col = np.array(o["final_row"]), np.array(o["final_col"])
    dev = max(abs(f_row[0] - 0.5), abs(f_col[0] - 0.5))
    ok_half = dev <= bound
    ok_same_one = (g1["one_every"]["final_row"] == g1["one_final"]["final_row"]
                   and g1["one_every"]["final_col"] == g1["one_final"]["final_col"])
    ok_same_batch = be["final_equals_final_only"]
    print(f"\n== correctness: {HEADLINE}, final empirical frequencies after T = {T:,} (bound 1/sqrt(T) = {bound:.4f}) ==")
    print(f"gamesim (no prior, lowest index) row {f_row.tolist()}, col {f_col.tolist()}: "
          f"max |f - 1/2| = {dev:.2e} -> {'OK' if ok_half else 'FAIL'}")
    if nash.get("ok"):
        c = nash["games"][HEADLINE]["final_counts"]
        nr, nc = np.array(c[0]) / T, np.array(c[1]) / T
        nd = max(abs(nr[0] - 0.5), abs(nc[0] - 0.5))
        print(f"Nashpy  (random ties, np.random.seed(0)) counts/T row {nr.tolist()}, col {nc.tolist()}: "
              f"max |f - 1/2| = {nd:.2e} ({'within' if nd <= bound else 'outside'} the bound)")
    if qe.get("ok"):
        q = qe["games"][HEADLINE]["play"]["final"]
        qd = max(abs(q[0][0] - 0.5), abs(q[1][0] - 0.5))
        print(f"QuantEcon (init (0,0), smallest index) play() row {q[0]}, col {q[1]}: "
              f"max |f - 1/2| = {qd:.2e} ({'within' if qd <= bound else 'outside'} the bound)")
    print(f"gamesim batch (random priors): max |f_row - 1/2| over {R:,} runs = "
          f"{g1['batch_final']['max_abs_dev_half']:.2e}; zero priors + random ties: "
          f"{bt['max_abs_dev_half']:.2e} (information)")
    print(f"every-it and final-only agree exactly: one run {'OK' if ok_same_one else 'FAIL'}, "
          f"batch {'OK' if ok_same_batch else 'FAIL'}")
    report["correctness"] = {"bound": bound, "gamesim_max_dev": dev, "ok_half": bool(ok_half),
                             "one_run_every_equals_final": bool(ok_same_one),
                             "batch_every_equals_final": bool(ok_same_batch)}
    if not (ok_half and ok_same_one and ok_same_batch):
        status = 1
    report["ratios"] = ratios
    report["targets_met"] = {
        "one_run_every_vs_nashpy": None if hr["one_every_vs_nashpy"] is None else hr["one_every_vs_nashpy"] >= TARGET_ONE,
        "one_run_final_vs_nashpy": None if hr["one_final_vs_nashpy"] is None else hr["one_final_vs_nashpy"] >= TARGET_ONE,
        "batch_final_vs_nashpy": None if hr["batch_final_vs_nashpy"] is None else hr["batch_final_vs_nashpy"] >= TARGET_BATCH,
        "batch_every_vs_nashpy": None if hr["batch_every_vs_nashpy"] is None else hr["batch_every_vs_nashpy"] >= TARGET_BATCH,
    }
    report["peak_rss_gb"] = _peak_rss_gb()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=float) + "\n")
        print(f"\nfigures written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
