"""Axelrod side of ``bench_tournament.py``; run in a process of its own.

Not meant to be run by hand: ``bench_tournament.py`` starts it with the
interpreter given by ``--axelrod-python`` (a virtual environment with Axelrod
installed), writes a JSON config to its stdin and reads one JSON object from the
last line of its stdout.  Progress notes go to stderr.

Everything is timed in-process with ``time.perf_counter``; ``import axelrod``
(12-14 s) is timed separately and excluded.  A timed run covers creating the
players, the ``Game`` and the ``Tournament`` and ``Tournament.play(processes=None,
progress_bar=False, build_results=...)`` (single-threaded, no worker processes).

Actual turns are counted for every timed run: ``Match.play`` is wrapped (one
extra call per *match*, not per turn) to add the match length unless the match
was served from Axelrod's deterministic cache.  With ``repetitions=1`` every match
is really played, so the count equals matches x turns; the count proves it rather
than assuming it.  A separate, untimed run counts ``Match.simultaneous_play``
calls as a cross-check.

Config (stdin JSON)::

    {"turns": 200, "repeats": 5, "warmup": 1, "payoffs": [3, 0, 5, 1],
     "memone_vectors": [[p_cc, p_cd, p_dc, p_dd], ...] or null,
     "memone_seed": 1, "memone_build_false": true}

The output holds ``ok`` (False with ``error`` if Axelrod cannot be imported).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
import warnings


def _log(msg: str) -> None:
    print(f"[axelrod peer] {msg}", file=sys.stderr, flush=True)


def main() -> None:
    cfg = json.loads(sys.stdin.read() or "{}")
    turns = int(cfg.get("turns", 200))
    repeats = int(cfg.get("repeats", 5))
    warmup = int(cfg.get("warmup", 1))
    R, S, T, P = cfg.get("payoffs", [3, 0, 5, 1])
    out: dict = {"ok": False, "python": sys.version.split()[0], "executable": sys.executable,
                 "platform": platform.platform()}

    t0 = time.perf_counter()
    try:
        import axelrod as axl
        from axelrod.match import Match
    except Exception as exc:  # ImportError, or a broken torch/dask install
        out["error"] = f"import axelrod failed: {type(exc).__name__}: {exc}"
        print(json.dumps(out))
        return
    out["import_s"] = time.perf_counter() - t0
    out["axelrod_version"] = axl.__version__
    try:
        import numpy, pandas
        out["numpy_version"], out["pandas_version"] = numpy.__version__, pandas.__version__
    except Exception:
        pass
    _log(f"axelrod {axl.__version__} imported in {out['import_s']:.1f} s")
    warnings.filterwarnings("ignore")  # build_results=False warns that no filename was given

    # -- actual-turn counter: one wrapper call per match ----------------------
    counter = {"turns": 0, "matches": 0, "cached_matches": 0}
    orig_play = Match.play

    def counting_play(self):
        cached = (not self.prob_end) and self._cached_enough_turns((self.players[0], self.players[1]), self.turns)
        result = orig_play(self)
        counter["matches"] += 1
        if cached:
            counter["cached_matches"] += 1
        else:
            counter["turns"] += len(result)
        return result

    Match.play = counting_play

    def game():
        return axl.Game(r=R, s=S, t=T, p=P)

    def eight_players():
        return [axl.TitForTat(), axl.Grudger(), axl.Cooperator(), axl.Defector(),
                axl.WinStayLoseShift(), axl.TitFor2Tats(), axl.SuspiciousTitForTat(),
                axl.Alternator()]

    def timed(make_players, build, seed=None):
        for k in counter:
            counter[k] = 0
        t0 = time.perf_counter()
        players = make_players()
        tour = axl.Tournament(players, game=game(), turns=turns, repetitions=1, seed=seed)
        res = tour.play(build_results=build, processes=None, progress_bar=False)
        dt = time.perf_counter() - t0
        return dt, dict(counter), tour.match_generator.size, res

    # -- (a) the 8-strategy tournament ----------------------------------------
    eight: dict = {"warmup_s": []}
    for _ in range(warmup):  # first use of pandas/dask, temp files, ...
        eight["warmup_s"].append(timed(eight_players, True)[0])
    for build in (True, False):
        times, counts = [], []
        res = None
        for _ in range(repeats):
            dt, cnt, size, r = timed(eight_players, build)
            times.append(dt)
            counts.append(cnt)
            res = r if build else res
        key = "build_results_true" if build else "build_results_false"
        med = statistics.median(times)
        actual = statistics.median([c["turns"] for c in counts])
        eight[key] = {
            "times_s": times, "median_s": med, "min_s": min(times),
            "matches": size, "nominal_plays": size * turns,
            "actual_turns_per_run": sorted({c["turns"] for c in counts}),
            "cached_matches_per_run": sorted({c["cached_matches"] for c in counts}),
            "plays_per_s": actual / med,
        }
        _log(f"8 strategies, build_results={build}: median {med * 1e3:.1f} ms over {repeats}, "
             f"actual turns {eight[key]['actual_turns_per_run']}")
        if build:
            eight["names"] = [str(p) for p in res.players]
            eight["normalised_scores"] = [float(statistics.fmean(ns)) for ns in res.normalised_scores]
            eight["ranked_names"] = list(res.ranked_names)

    # Cross-check of the turn count: count simultaneous_play calls (untimed run).
    calls = [0]
    orig_sim = Match.simultaneous_play

    def counting_sim(self, *a, **k):
        calls[0] += 1
        return orig_sim(self, *a, **k)

    Match.simultaneous_play = counting_sim
    axl.Tournament(eight_players(), game=game(), turns=turns, repetitions=1).play(
        build_results=False, processes=None, progress_bar=False)
    Match.simultaneous_play = orig_sim
    eight["simultaneous_play_calls_check"] = calls[0]
    out["eight"] = eight

    # -- (c) 100 memory-one players ----------------------------------------------
    vecs = cfg.get("memone_vectors")
    if vecs:
        memone: dict = {"n_players": len(vecs)}

        def mem_players():
            return [axl.MemoryOnePlayer(four_vector=tuple(float(x) for x in v)) for v in vecs]

        builds = (True, False) if cfg.get("memone_build_false", True) else (True,)
        for build in builds:
            dt, cnt, size, res = timed(mem_players, build, seed=cfg.get("memone_seed", 1))
            key = "build_results_true" if build else "build_results_false"
            memone[key] = {"times_s": [dt], "median_s": dt, "matches": size,
                           "nominal_plays": size * turns, "actual_turns": cnt["turns"],
                           "cached_matches": cnt["cached_matches"], "plays_per_s": cnt["turns"] / dt}
            _log(f"{len(vecs)} memory-one, build_results={build}: {dt:.2f} s, actual turns {cnt['turns']}")
            if build:
                memone["normalised_scores"] = [float(statistics.fmean(ns)) for ns in res.normalised_scores]
        out["memone"] = memone

    Match.play = orig_play
    out["ok"] = True
    print(json.dumps(out))


if __name__ == "__main__":
    main()
