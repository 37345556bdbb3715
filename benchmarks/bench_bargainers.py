"""The cost of bargainers in a tournament: memory-one round robins with and without them.

The acceptance line: "Bargainers add no per-agent Python loop to the round step; the
tournament benchmark with bargainers included stays within 2x of the one without."
One invocation measures, side by side in the same process:

(a) the 100 memory-one round robin of ``bench_tournament.py``, unchanged: IPD with
    (R, S, T, P) = (3, 0, 5, 1), 200 turns, ``MemoryOne(*v)`` for ``v`` in
    ``np.random.default_rng(12345).random((100, 4))``, tournament seed 1, round
    robin with self-play (5,050 matches, 1,010,000 plays);
(b) the same 100 strategies plus ``CoCoBargainer()``, ``HarsanyiBargainer()``,
    ``NashBargainer()`` and ``CorrelatedFallbackBargainer()`` (104 strategies,
    5,460 matches, 1,092,000 plays).  The Environment sends the 5,050 matches between
    two memory-one players down the match-level automata path, as in (a), and only
    the 410 matches with a bargainer seat down the seat-level path (one
    ``BargainerRunner`` for all bargainer seats); ``result.parameters["method"]``
    is recorded;
(b20) for the "no per-agent Python loop" check, the 100 memory-one strategies plus
    20 bargainer strategies (the four classes, each with ``forgiveness`` in
    None, 1, 3, 10, 50; they share one batched runner): 2,210 seat-level matches
    against the 410 of (b);
(c) with ``--size N``: (a) and (b) with N memory-one strategies (the first N rows of
    ``default_rng(12345).random((N, 4))``, so the first 100 are (a)'s), to show how the
    ratio moves with the population.

Timed work per run, as in ``bench_tournament.py``: creating the strategies and the
game, ``Environment(...)``, ``run()`` and ``strategy_scores()``.  The bargainers'
settlements are computed by the bargaining oracle on the first (untimed, warm-up)
run and served from its per-game cache afterwards, so the timed runs measure
playing the settlements, not solving for them (the first-call time is reported).

The configurations are interleaved: every repeat runs each of them once, in an order
rotated from repeat to repeat, so drift in the machine's load hits them alike.
Figures are medians over the repeats.  Plays are ``result.turns.sum() / 2``.  The
headline ratio is (b)/(a) per play (the populations differ in size: (b) plays 8%
more); the per-run ratio and the median of the per-repeat ratios are shown too.

Profile-free breakdown: the 5,050 memory-one matches are the same in (a) and (b),
so the median of the per-repeat differences (b) - (a) is what the bargainer matches
add (seat-level stepping, the split, the second automaton bank, the bargainer
runner and its agreements, the larger result), reported per run, per round and per
seat-level play.  Each configuration is also run at 100 rounds, interleaved with the
rest: (time at 200 - time at 100) / 100, paired per repeat, is the cost of one round
with setup excluded, and the seat-level path's share of a round is that of (b) or
(b20) less that of (a); what is left of the added time is per-run setup.

The per-agent-loop check compares (b) and (b20) that way (seat-level time per round
against the number of seat-level matches) and also counts, in untimed runs, the
Python function calls per round of ``run()`` (``sys.setprofile``; calls of a
200-round run less those of a 100-round run, over 100): a loop over agents or
strategies would add calls per round with their number.

Usage::

    python benchmarks/bench_bargainers.py [--quick] [--json PATH] [--size N] [--repeats R]

A full run takes about 10 s (20 s more with ``--size 400``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import gamesim as gs
from gamesim.agents import (CoCoBargainer, CorrelatedFallbackBargainer, HarsanyiBargainer, MemoryOne,
                            NashBargainer)
from _common import git_commit

TURNS = 200
PAYOFFS = dict(R=3, S=0, T=5, P=1)
MEMONE_N = 100
MEMONE_VECTOR_SEED = 12345
MEMONE_TOURNAMENT_SEED = 1
TARGET_RATIO = 2.0
BARGAINER_CLASSES = (CoCoBargainer, HarsanyiBargainer, NashBargainer, CorrelatedFallbackBargainer)
FORGIVENESS = (None, 1, 3, 10, 50)


def memone_vectors(n: int) -> np.ndarray:
    # C order: the first 100 rows are bench_tournament's vectors whatever n is.
    return np.random.default_rng(MEMONE_VECTOR_SEED).random((n, 4))


def bargainers4() -> list:
    return [cls() for cls in BARGAINER_CLASSES]


def bargainers20() -> list:
    return [cls(forgiveness=f) for cls in BARGAINER_CLASSES for f in FORGIVENESS]


def tournament(vectors: np.ndarray, make_bargainers, rounds: int = TURNS):
    """One timed unit of work: strategies, game, Environment, run, strategy_scores."""
    def fn():
        game = gs.games.prisoners_dilemma(**PAYOFFS)
        population = [MemoryOne(*map(float, v)) for v in vectors]
        if make_bargainers is not None:
            population += make_bargainers()
        result = gs.Environment(game, population, rounds=rounds, seed=MEMONE_TOURNAMENT_SEED).run()
        return result, result.strategy_scores()
    return fn


def paths(n_memone: int, n_barg: int, rounds: int = TURNS) -> dict:
    """Matches and plays on each path of a round robin with self-play."""
    auto = n_memone * (n_memone + 1) // 2
    seat = n_barg * n_memone + n_barg * (n_barg + 1) // 2
    return {"memone_strategies": n_memone, "bargainer_strategies": n_barg, "rounds": rounds,
            "automata_matches": auto, "seat_level_matches": seat,
            "automata_plays": auto * rounds, "seat_level_plays": seat * rounds}


def interleaved(configs: dict, repeats: int) -> dict:
    """Median wall time of each config's ``fn()``: one untimed warm-up each, then ``repeats``
    rounds in which every config runs once, in an order rotated from round to round."""
    names = list(configs)
    out = {}
    for name in names:
        t0 = time.perf_counter()
        result, _ = configs[name]["fn"]()          # oracle settlements, compiled-automaton caches
        first = time.perf_counter() - t0
        out[name] = {"first_call_s": first, "times_s": [], "plays": float(result.turns.sum()) / 2,
                     "method": result.parameters.get("method"), **configs[name]["paths"]}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fn = configs[name]["fn"]
            t0 = time.perf_counter()
            fn()
            out[name]["times_s"].append(time.perf_counter() - t0)
    for name, d in out.items():
        med = statistics.median(d["times_s"])
        expected = (d["automata_plays"] + d["seat_level_plays"])
        if d["plays"] != expected:
            print(f"NOTE: {name}: {d['plays']:,.0f} plays, expected {expected:,}", file=sys.stderr)
        d.update({"median_s": med, "min_s": min(d["times_s"]), "ns_per_play": med / d["plays"] * 1e9,
                  "plays_per_s": d["plays"] / med})
    return out


def compare(base: dict, other: dict) -> dict:
    """Ratios of ``other`` to ``base`` and what ``other`` adds (paired per repeat)."""
    diffs = [b - a for a, b in zip(base["times_s"], other["times_s"])]
    added = statistics.median(diffs)
    extra_seat = other["seat_level_plays"] - base["seat_level_plays"]
    return {"ratio_per_run": other["median_s"] / base["median_s"],
            "ratio_per_play": other["ns_per_play"] / base["ns_per_play"],
            "ratio_per_run_paired_median": statistics.median(b / a for a, b in zip(base["times_s"],
                                                                                   other["times_s"])),
            "added_s_per_run": added, "added_us_per_round": added / TURNS * 1e6,
            "added_ns_per_seat_level_play": added / extra_seat * 1e9 if extra_seat else None}


def per_round(full: dict, half: dict) -> dict:
    """Cost of one round, setup excluded: (time at TURNS - time at TURNS // 2) / (TURNS - TURNS // 2),
    paired per repeat; ``setup_s`` = the median run less TURNS such rounds."""
    n = full["rounds"] - half["rounds"]
    slopes = [(x - y) / n for x, y in zip(full["times_s"], half["times_s"])]
    s = statistics.median(slopes)
    return {"per_repeat_s": slopes, "s_per_round": s, "setup_s": full["median_s"] - full["rounds"] * s}


def python_calls(vectors: np.ndarray, make_bargainers) -> dict:
    """Python function calls in ``Environment()`` and ``run()`` (untimed, ``sys.setprofile``)."""
    game = gs.games.prisoners_dilemma(**PAYOFFS)

    def count(rounds):
        population = [MemoryOne(*map(float, v)) for v in vectors] + make_bargainers()
        n = [0]

        def hook(frame, event, arg):
            if event == "call":
                n[0] += 1
        sys.setprofile(hook)
        env = gs.Environment(game, population, rounds=rounds, seed=MEMONE_TOURNAMENT_SEED)
        sys.setprofile(None)
        c_env, n[0] = n[0], 0
        sys.setprofile(hook)
        env.run()
        sys.setprofile(None)
        return c_env, n[0]

    count(TURNS)                                    # warm caches, as for the timed runs
    env_full, run_full = count(TURNS)
    _, run_half = count(TURNS // 2)
    return {"environment_calls": env_full, "run_calls": run_full,
            "run_calls_per_round": (run_full - run_half) / (TURNS - TURNS // 2)}


# -- report ------------------------------------------------------------------------
def _row(label: str, d: dict) -> str:
    return (f"{label:34s} {d['median_s'] * 1e3:8.2f} ms {int(d['plays']):11,d} {d['ns_per_play']:8.2f} ns "
            f"{d['seat_level_matches']:7,d}   ({d['method']}; first call {d['first_call_s'] * 1e3:.0f} ms)")


def _header() -> str:
    return f"{'':34s} {'median':>11s} {'plays':>11s} {'per play':>11s} {'seat-lvl':>7s}"


def _verdict(ratio: float) -> str:
    return f"within {TARGET_RATIO:g}x: {'MET' if ratio <= TARGET_RATIO else 'MISSED'}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (5 and 3 instead of 21 and 11)")
    ap.add_argument("--repeats", type=int, default=None, help="repeats of the 100-strategy configurations")
    ap.add_argument("--size", type=int, default=None, metavar="N",
                    help="also time (a) and (b) with N memory-one strategies (e.g. 400)")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    args = ap.parse_args(argv)
    if args.size is not None and args.size < 1:
        ap.error("--size: expected a positive number of memory-one strategies")
    if args.repeats is not None and args.repeats < 1:
        ap.error("--repeats: expected a positive number")

    rep, rep_size = (5, 3) if args.quick else (21, 11)
    if args.repeats is not None:
        rep = args.repeats
    report: dict = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
                    "numpy": np.__version__, "gamesim": gs.__version__,
                    "gamesim_commit": git_commit()},
        "command": " ".join([Path(sys.executable).name] + sys.argv),
        "repeats": {"n100": rep, "size": rep_size if args.size else None},
        "turns": TURNS, "payoffs": PAYOFFS, "target_ratio": TARGET_RATIO,
        "bargainers": {"b": [b.name for b in bargainers4()], "b20": [b.name for b in bargainers20()]},
    }

    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"IPD, {TURNS} turns, (R,S,T,P)=(3,0,5,1), round robin with self-play, seed {MEMONE_TOURNAMENT_SEED}; "
          f"medians of {rep} interleaved repeats after one untimed warm-up each\n", flush=True)

    v100 = memone_vectors(MEMONE_N)
    half = TURNS // 2
    configs = {}
    for name, make, nb in (("a", None, 0), ("b", bargainers4, 4), ("b20", bargainers20, 20)):
        configs[name] = {"fn": tournament(v100, make), "paths": paths(MEMONE_N, nb)}
        # The same at half the rounds: the difference is the cost of 100 rounds, setup excluded.
        configs[name + "_half"] = {"fn": tournament(v100, make, half), "paths": paths(MEMONE_N, nb, half)}
    res = interleaved(configs, rep)
    report["n100"] = res
    a, b, b20 = res["a"], res["b"], res["b20"]
    cmp_b = compare(a, b)
    cmp_b20 = compare(a, b20)
    report["b_vs_a"] = cmp_b
    report["b20_vs_a"] = cmp_b20

    print(f"== {MEMONE_N} memory-one strategies, with and without bargainers ==")
    print(_header())
    print(_row(f"(a) {MEMONE_N} memory-one", a))
    print(_row(f"(b) {MEMONE_N} memory-one + 4 bargainers", b))
    print(f"ratio (b)/(a) per play: {cmp_b['ratio_per_play']:.2f}x   {_verdict(cmp_b['ratio_per_play'])}")
    print(f"ratio (b)/(a) per run:  {cmp_b['ratio_per_run']:.2f}x   (median of per-repeat ratios "
          f"{cmp_b['ratio_per_run_paired_median']:.2f}x)")
    print(f"added by the {b['seat_level_matches']} bargainer matches (median paired difference): "
          f"{cmp_b['added_s_per_run'] * 1e3:.2f} ms per run = {cmp_b['added_us_per_round']:.1f} us per round = "
          f"{cmp_b['added_ns_per_seat_level_play']:.0f} ns per seat-level play "
          f"({b['seat_level_plays']:,} seat-level plays)")

    steps = {k: per_round(res[k], res[k + "_half"]) for k in ("a", "b", "b20")}
    report["per_round"] = steps
    print(f"one round, setup excluded: (a) {steps['a']['s_per_round'] * 1e6:.1f} us, (b) "
          f"{steps['b']['s_per_round'] * 1e6:.1f} us; the rest of a run (setup, result): (a) "
          f"{steps['a']['setup_s'] * 1e3:.2f} ms, (b) {steps['b']['setup_s'] * 1e3:.2f} ms")

    # -- no per-agent Python loop --------------------------------------------------
    print(f"\n== no per-agent Python loop: 4 against 20 bargainer strategies, {MEMONE_N} memory-one ==")
    calls4 = python_calls(v100, bargainers4)
    calls20 = python_calls(v100, bargainers20)
    report["python_calls"] = {"b": calls4, "b20": calls20}
    print(_header())
    print(_row("(b) + 4 bargainers", b))
    print(_row("(b20) + 20 bargainers", b20))
    loop = {}
    print(f"{'':22s} {'seat-lvl':>8s} {'round (all)':>12s} {'added/round':>12s} {'per seat-lvl':>13s} "
          f"{'added/run':>10s} {'of it setup':>12s} {'calls/round':>12s} {'calls in run()':>14s}")
    print(f"{'':22s} {'matches':>8s} {'':>12s} {'(seat-level)':>12s} {'play':>13s} {'':>10s} {'(per run)':>12s}")
    for key, label, c, calls in (("b", "4 bargainers", cmp_b, calls4), ("b20", "20 bargainers", cmp_b20, calls20)):
        d = res[key]
        seat_round = statistics.median(x - y for x, y in zip(steps[key]["per_repeat_s"], steps["a"]["per_repeat_s"]))
        setup = c["added_s_per_run"] - TURNS * seat_round
        loop[key] = {"seat_level_s_per_round": seat_round, "seat_level_ns_per_play": seat_round / d["seat_level_matches"] * 1e9,
                     "added_s_per_run": c["added_s_per_run"], "added_setup_s_per_run": setup,
                     "calls_per_round": calls["run_calls_per_round"]}
        print(f"{label:22s} {d['seat_level_matches']:8,d} {steps[key]['s_per_round'] * 1e6:9.1f} us "
              f"{seat_round * 1e6:9.1f} us {loop[key]['seat_level_ns_per_play']:10.1f} ns "
              f"{c['added_s_per_run'] * 1e3:7.2f} ms {setup * 1e3:9.2f} ms {calls['run_calls_per_round']:12.1f} "
              f"{calls['run_calls']:14,d}")
    seat_ratio = b20["seat_level_matches"] / b["seat_level_matches"]
    round_ratio = loop["b20"]["seat_level_s_per_round"] / loop["b"]["seat_level_s_per_round"]
    grow = calls20["run_calls_per_round"] - calls4["run_calls_per_round"]
    extra_strategies = len(bargainers20()) - len(bargainers4())
    no_loop = grow < extra_strategies
    print(f"seat-level matches x{seat_ratio:.2f}; seat-level time per round x{round_ratio:.2f} "
          f"({'sublinear' if round_ratio < seat_ratio else 'NOT sublinear'}); whole run per play "
          f"{b20['ns_per_play']:.2f} vs {b['ns_per_play']:.2f} ns (x{b20['ns_per_play'] / b['ns_per_play']:.2f})")
    print(f"Python calls per round of run(): {calls4['run_calls_per_round']:.1f} vs {calls20['run_calls_per_round']:.1f} "
          f"(+{grow:.1f} for {extra_strategies} more bargainer strategies, "
          f"{b20['seat_level_matches'] - b['seat_level_matches']:,} more seat-level matches)   "
          f"no per-agent Python loop: {'YES' if no_loop else 'NO'}")
    report["per_agent_loop"] = {**loop, "seat_level_matches_ratio": seat_ratio,
                                "seat_level_time_per_round_ratio": round_ratio,
                                "sublinear": round_ratio < seat_ratio, "calls_per_round_growth": grow,
                                "no_per_agent_loop": no_loop}

    # -- (c) population size ---------------------------------------------------------
    if args.size:
        n = args.size
        vn = memone_vectors(n)
        print(f"\n== {n} memory-one strategies (medians of {rep_size} interleaved repeats) ==", flush=True)
        resn = interleaved({"a": {"fn": tournament(vn, None), "paths": paths(n, 0)},
                            "b": {"fn": tournament(vn, bargainers4), "paths": paths(n, 4)}}, rep_size)
        cmpn = compare(resn["a"], resn["b"])
        report["size"] = {"n": n, **resn, "b_vs_a": cmpn}
        print(_header())
        print(_row(f"(a) {n} memory-one", resn["a"]))
        print(_row(f"(b) {n} memory-one + 4 bargainers", resn["b"]))
        print(f"ratio (b)/(a) per play: {cmpn['ratio_per_play']:.2f}x   per run: {cmpn['ratio_per_run']:.2f}x "
              f"(paired {cmpn['ratio_per_run_paired_median']:.2f}x)   added {cmpn['added_s_per_run'] * 1e3:.2f} ms "
              f"per run = {cmpn['added_us_per_round']:.1f} us per round "
              f"({resn['b']['seat_level_matches']:,} seat-level matches)")

    ratio = cmp_b["ratio_per_play"]
    print(f"\nheadline: (b)/(a) = {ratio:.2f}x per play, {cmp_b['ratio_per_run']:.2f}x per run   {_verdict(ratio)}")
    report["verdict"] = {"ratio_per_play": ratio, "ratio_per_run": cmp_b["ratio_per_run"],
                         "met": ratio <= TARGET_RATIO}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
