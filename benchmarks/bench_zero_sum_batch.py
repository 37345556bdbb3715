"""Batched zero-sum matrix-game values: the per-round work of minimax-Q in states with 3+ actions.

Minimax-Q (Littman 1994) needs, every round and in every match, the value and a
maximin strategy of the matrix game ``Q(s)`` of the match's current state.  One
invocation measures, in the same run:

(a) ``gamesim.bargaining.zerosum.zero_sum_values`` on ``B`` stacked games (batched
    Shapley-Snow vertex enumeration, certified by the duality gap);
(b) the previous implementation, the *peer*: one HiGHS LP per game
    (``gamesim.analysis.stochastic.matrix_game_value``, i.e. ``scipy.optimize.linprog``),
    a Python loop over the matches -- what a hand-written model does;
(c) ``small_zero_sum_value`` (the same enumeration, one game at a time);
(d) end to end: ``play_stochastic`` with minimax-Q against minimax-Q on a repeated
    3x3 zero-sum game (rock-paper-scissors with a twist, so the value is not 0),
    with the batched solver and with the LP loop patched in.

Before timing, (a) is checked against (b) on every game: values within 1e-9
relative, and both strategies guarantee the value.

Usage::

    python benchmarks/bench_zero_sum_batch.py [--quick] [--json PATH] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

import numpy as np

import gamesim as gs
import gamesim.agents.stochastic as agents_stochastic
from gamesim.agents.stochastic import MinimaxQ, play_stochastic
from gamesim.analysis.stochastic import matrix_game_value
from gamesim.bargaining.zerosum import small_zero_sum_value, zero_sum_values
from gamesim.sim.games import NormalFormGame
from gamesim.sim.stochastic import StochasticGame
from _common import git_commit, median_time

SEED = 20261123
SHAPES = ((3, 3), (4, 4), (2, 5))


def median_seconds(fn, repeats: int) -> float:
    return median_time(fn, repeats)[0]


def lp_loop(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The peer: one LP per game, as ``matrix_game_values`` did before batching."""
    v = np.empty(G.shape[0])
    x = np.empty(G.shape[:2])
    for b in range(G.shape[0]):
        v[b], x[b], _ = matrix_game_value(G[b])
    return v, x


def enum_loop(G: np.ndarray) -> np.ndarray:
    return np.array([small_zero_sum_value(g)[0] for g in G])


def twisted_rps() -> StochasticGame:
    A = np.array([[0.0, -1.0, 2.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    return StochasticGame.repeated(NormalFormGame(np.stack([A, -A]), name="twisted RPS"), discount=0.9)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--batch", type=int, default=1000, help="games per call (default 1,000 matches)")
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 7
    rng = np.random.default_rng(SEED)
    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"{args.batch:,} random games per call (normal entries); median of {repeats} after 1 warm-up\n")
    rows = []
    for m, k in SHAPES:
        G = rng.normal(size=(args.batch, m, k))
        v, x, y = zero_sum_values(G)
        ref, _ = lp_loop(G)
        scale = 1.0 + np.abs(G).reshape(len(G), -1).max(axis=1)
        if (np.abs(v - ref) > 1e-9 * scale).any() or \
                (np.einsum("bij,bi->bj", G, x).min(axis=1) < v - 1e-9 * scale).any():
            print(f"ERROR: batched values disagree with the LP on {m}x{k}", file=sys.stderr)
            return 1
        t_batch = median_seconds(lambda: zero_sum_values(G), repeats)
        t_lp = median_seconds(lambda: lp_loop(G), max(1, repeats // 2))
        t_enum = median_seconds(lambda: enum_loop(G), max(1, repeats // 2))
        rows.append({"shape": f"{m}x{k}", "batch_s": t_batch, "lp_loop_s": t_lp, "enum_loop_s": t_enum})
        print(f"{m}x{k}: zero_sum_values {t_batch * 1e3:8.2f} ms | per-game LP loop {t_lp * 1e3:9.1f} ms "
              f"({t_lp / t_batch:5.0f}x) | per-game enumeration {t_enum * 1e3:8.1f} ms ({t_enum / t_batch:4.0f}x)")

    g = twisted_rps()
    rounds, matches = (50, 100) if args.quick else (100, 100)

    def play():
        return play_stochastic(g, MinimaxQ(), MinimaxQ(), rounds, n_matches=matches, seed=1)

    t_play = median_seconds(play, max(1, repeats // 2))
    batched = agents_stochastic.matrix_game_values

    def lp_values(Q):
        return lp_loop(np.asarray(Q, dtype=float))

    agents_stochastic.matrix_game_values = lp_values
    try:
        t_play_lp = median_seconds(play, 1)
    finally:
        agents_stochastic.matrix_game_values = batched
    print(f"\nplay_stochastic, minimax-Q vs minimax-Q, twisted RPS (3x3), {matches} matches x {rounds} rounds: "
          f"{t_play:.2f} s batched, {t_play_lp:.2f} s with the per-match LP loop ({t_play_lp / t_play:.0f}x)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"commit": git_commit(), "batch": args.batch, "rows": rows, "play_seconds": t_play,
                       "play_lp_seconds": t_play_lp, "rounds": rounds, "matches": matches}, fh, indent=2)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
