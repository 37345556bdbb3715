"""Nashpy and QuantEcon side of ``bench_fictitious_play.py``; run in a process of its own.

Not meant to be run by hand: ``bench_fictitious_play.py`` starts it with the
interpreter given by ``--peer-python`` (a virtual environment with nashpy and/or
quantecon installed), writes a JSON config to its stdin and reads one JSON object
from the last line of its stdout.  Progress notes go to stderr.

Everything is timed in-process with ``time.perf_counter``; imports are timed
separately and excluded.

* **Nashpy** (``nashpy.Game(A, B).fictitious_play(iterations=T)``): a generator
  that yields the play counts ``T + 1`` times (the first yield is the all-zero
  start), so it records every iteration.  A timed run covers ``Game(A, B)`` and
  consuming the generator with ``collections.deque(gen, maxlen=1)``.  Ties are
  broken uniformly at random with NumPy's global RNG; ``np.random.seed(seed)`` is
  set before every run (outside the timing).  The untimed warm-up run counts the
  yields to confirm ``T + 1``.
* **QuantEcon** (``FictitiousPlay(NormalFormGame((Player(A), Player(B.T))))``,
  decreasing gain, ``tie_breaking='smallest'``, initial pure actions ``(0, 0)``):
  ``play(actions=(0, 0), num_reps=T)`` (final mixed actions only) and
  ``time_series(ts_length=T + 1, init_actions=(0, 0))`` (every iteration; row 0 is
  the start).  The first call of each compiles numba code; it is timed separately
  and excluded, as is the building of the game object.

Config (stdin JSON)::

    {"iterations": 10000, "repeats": 5, "seed": 0,
     "games": [{"name": "...", "A": [[...]], "B": [[...]]}, ...]}

The output holds, per peer, ``ok`` (False with ``error`` if it cannot be imported).
"""

from __future__ import annotations

import collections
import json
import platform
import statistics
import sys
import time


def _log(msg: str) -> None:
    print(f"[peer] {msg}", file=sys.stderr, flush=True)


def _summary(times: list[float], iterations: int) -> dict:
    med = statistics.median(times)
    return {"times_s": times, "median_s": med, "min_s": min(times), "its_per_s": iterations / med}


def time_nashpy(games: list[dict], T: int, repeats: int, seed: int) -> dict:
    out: dict = {"ok": False}
    t0 = time.perf_counter()
    try:
        import numpy as np
        import nashpy as nash
    except Exception as exc:
        out["error"] = f"import nashpy failed: {type(exc).__name__}: {exc}"
        return out
    out.update(ok=True, import_s=time.perf_counter() - t0, version=nash.__version__,
               tie_breaking="uniform among exact maximisers, NumPy global RNG (np.random.seed)",
               records="every iteration (the generator yields iterations + 1 play counts)", games={})
    for g in games:
        A, B = np.array(g["A"], dtype=float), np.array(g["B"], dtype=float)
        # untimed warm-up that also counts the yields
        np.random.seed(seed)
        n_yields, last = 0, None
        for last in nash.Game(A, B).fictitious_play(iterations=T):
            n_yields += 1
        times = []
        for _ in range(repeats):
            np.random.seed(seed)
            t = time.perf_counter()
            final = collections.deque(nash.Game(A, B).fictitious_play(iterations=T), maxlen=1)[0]
            times.append(time.perf_counter() - t)
        res = _summary(times, T)
        res.update(yields=n_yields, final_counts=[np.asarray(c).tolist() for c in final],
                   warmup_final_counts=[np.asarray(c).tolist() for c in last])
        out["games"][g["name"]] = res
        _log(f"nashpy {g['name']}: {res['its_per_s']:,.0f} it/s")
    return out


def time_quantecon(games: list[dict], T: int, repeats: int, seed: int) -> dict:
    out: dict = {"ok": False}
    t0 = time.perf_counter()
    try:
        import numpy as np
        import quantecon as qe
        from quantecon.game_theory import FictitiousPlay, NormalFormGame, Player
    except Exception as exc:
        out["error"] = f"import quantecon failed: {type(exc).__name__}: {exc}"
        return out
    out.update(ok=True, import_s=time.perf_counter() - t0, version=qe.__version__,
               tie_breaking="smallest (default; lowest index among payoffs >= max - 1e-8)",
               gain="decreasing (1/(t+2))", init_actions=[0, 0], games={})
    for g in games:
        A, B = np.array(g["A"], dtype=float), np.array(g["B"], dtype=float)
        fp = FictitiousPlay(NormalFormGame((Player(A), Player(B.T))))   # Player payoffs are [own, other]
        res: dict = {}
        for key, fn in (
            ("play", lambda: fp.play(actions=(0, 0), num_reps=T, random_state=seed)),
            ("time_series", lambda: fp.time_series(ts_length=T + 1, init_actions=(0, 0), random_state=seed)),
        ):
            t = time.perf_counter()
            first = fn()                      # numba JIT compiles here on the game's first call
            first_s = time.perf_counter() - t
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                last = fn()
                times.append(time.perf_counter() - t)
            r = _summary(times, T)
            r["first_call_s"] = first_s
            if key == "play":
                r["final"] = [np.asarray(x).tolist() for x in last]
            else:
                r["final"] = [np.asarray(x[-1]).tolist() for x in last]
                r["rows"] = int(last[0].shape[0])
            res[key] = r
        out["games"][g["name"]] = res
        _log(f"quantecon {g['name']}: play {res['play']['its_per_s']:,.0f} it/s, "
             f"time_series {res['time_series']['its_per_s']:,.0f} it/s "
             f"(first calls {res['play']['first_call_s']:.2f} s / {res['time_series']['first_call_s']:.2f} s)")
    return out


def main() -> None:
    cfg = json.loads(sys.stdin.read() or "{}")
    T = int(cfg.get("iterations", 10_000))
    repeats = int(cfg.get("repeats", 5))
    seed = int(cfg.get("seed", 0))
    games = cfg.get("games", [])
    out: dict = {"ok": True, "python": sys.version.split()[0], "executable": sys.executable,
                 "platform": platform.platform()}
    try:
        import numpy
        out["numpy_version"] = numpy.__version__
    except Exception:
        pass
    out["nashpy"] = time_nashpy(games, T, repeats, seed)
    out["quantecon"] = time_quantecon(games, T, repeats, seed)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
