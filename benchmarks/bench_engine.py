"""The vectorized payoff engine against a bare NumPy gather.

``gamesim.sim.engine.play(game, actions)`` on 10 million plays of a 2x2 game
(the prisoner's dilemma, (R, S, T, P) = (3, 0, 5, 1)); ``actions`` is an int64
array of shape (2, 10_000_000) from ``np.random.default_rng(SEED).integers(0, 2)``.

Baseline ("bare gather"): the flat outcome index ``flat = 2 * a0 + a1`` is computed
once, *outside* the timed region, and the timed call is
``np.take(table, flat, axis=1)`` with ``table = game.payoffs.reshape(2, 4)`` (the
(players, outcomes) payoff table).  That is the least work any implementation
can do: one gather producing the (2, N) float64 result.  The engine also has to
validate ``actions`` and compute the flat index, so the baseline is strict; the
target is the engine within 2x of it (ratio of plays/s >= 0.5).  For information
the table also shows the gather with the index computed inside the timed region
(``np.take(table, 2 * a0 + a1, axis=1)``).

For information too: ``expected_payoffs(game, [x, y])`` on a batch of one million
mixed profiles (``x``, ``y`` of shape (1_000_000, 2)), against the bare
``np.einsum("pab,za,zb->pz", payoffs, x, y)``.

Every timed call allocates its output, so page faults are in both figures.
Medians of several repeats after one untimed warm-up call; the contenders take
turns within each repeat, so load from other processes hits them alike.

Usage::

    python benchmarks/bench_engine.py [--quick] [--json PATH] [--n 10000000]
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
from gamesim.sim.engine import expected_payoffs, play
from _common import git_commit

SEED = 20240601
TARGET = 0.5




def median_times(fns: dict, repeats: int, warmup: int = 1) -> dict:
    """``{label: (median, times)}``; the functions take turns so load drifts hit all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {label: [] for label in fns}
    for _ in range(repeats):
        for label, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - t0)
    return {label: (statistics.median(ts), ts) for label, ts in times.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--n", type=int, default=10_000_000, help="plays in the batch (default 10,000,000)")
    ap.add_argument("--n-mixed", type=int, default=1_000_000, help="mixed profiles (default 1,000,000)")
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 9
    N, NM = args.n, args.n_mixed

    game = gs.games.prisoners_dilemma(R=3, S=0, T=5, P=1)
    rng = np.random.default_rng(SEED)
    actions = rng.integers(0, 2, size=(2, N))                 # int64, C-contiguous
    table = np.ascontiguousarray(game.payoffs.reshape(2, 4))
    flat = actions[0] * 2 + actions[1]                          # precomputed for the bare gather

    ref = np.take(table, flat, axis=1)
    got = play(game, actions)
    if not (got.shape == ref.shape and np.array_equal(got, ref)):
        print("ERROR: engine.play disagrees with the bare gather", file=sys.stderr)
        return 1
    del ref, got

    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"batch: {N:,} plays of a 2x2 game, actions {actions.dtype} {actions.shape}; "
          f"median of {repeats} after 1 warm-up\n")

    rows = median_times({
        "engine.play": lambda: play(game, actions),
        "bare gather (flat index precomputed)": lambda: np.take(table, flat, axis=1),
        "gather + flat index (2*a0+a1)": lambda: np.take(table, actions[0] * 2 + actions[1], axis=1),
    }, repeats)

    base = rows["bare gather (flat index precomputed)"][0]
    print(f"{'':40s} {'median':>10s} {'plays/s':>15s} {'vs bare gather':>15s}")
    for label, (med, _) in rows.items():
        print(f"{label:40s} {med * 1e3:7.1f} ms {N / med:15,.0f} {base / med:14.2f}x")
    ratio = base / rows["engine.play"][0]
    print(f"\nengine / bare gather (plays/s): {ratio:.2f}   target >= {TARGET}: {'MET' if ratio >= TARGET else 'MISSED'}")

    # expected payoffs of mixed profiles, for information
    x = rng.random(NM)
    y = rng.random(NM)
    X = np.stack([x, 1 - x], axis=1)
    Y = np.stack([y, 1 - y], axis=1)
    ep = expected_payoffs(game, [X, Y])
    ein = np.einsum("pab,za,zb->pz", game.payoffs, X, Y, optimize=True)
    if not np.allclose(ep, ein, rtol=1e-12, atol=1e-12):
        print("ERROR: expected_payoffs disagrees with einsum", file=sys.stderr)
        return 1
    mrows = median_times({
        "engine.expected_payoffs": lambda: expected_payoffs(game, [X, Y]),
        "bare np.einsum(optimize=True)": lambda: np.einsum("pab,za,zb->pz", game.payoffs, X, Y, optimize=True),
    }, repeats)
    print(f"\n{NM:,} mixed profiles (information)")
    print(f"{'':40s} {'median':>10s} {'profiles/s':>15s}")
    for label, (med, _) in mrows.items():
        print(f"{label:40s} {med * 1e3:7.1f} ms {NM / med:15,.0f}")

    if args.json:
        out = {
            "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                        "python": sys.version.split()[0], "numpy": np.__version__, "gamesim": gs.__version__,
                    "gamesim_commit": git_commit()},
            "command": " ".join([Path(sys.executable).name] + sys.argv),
            "n_plays": N, "n_mixed": NM, "repeats": repeats, "seed": SEED,
            "play": {k: {"median_s": m, "times_s": t, "plays_per_s": N / m} for k, (m, t) in rows.items()},
            "ratio_engine_vs_bare_gather": ratio, "target": TARGET, "target_met": ratio >= TARGET,
            "expected_payoffs": {k: {"median_s": m, "times_s": t, "profiles_per_s": NM / m}
                                 for k, (m, t) in mrows.items()},
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
