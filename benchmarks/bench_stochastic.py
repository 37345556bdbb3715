"""Stochastic-game transitions per second: 1 million parallel matches of a 10-state 3x3 game.

One invocation measures, in the same run:

(a) ``gamesim.sim.stochastic.step`` on 1,000,000 matches, each in its own state
    (random states and actions, seeded), with and without input checks;
(b) the obvious per-match implementation -- a Python loop calling
    ``rng.choice(S, p=P[q][a])`` for each match, as a hand-written agent-based model
    would -- timed on 10,000 matches and reported per transition (it is linear in the
    number of matches, so its rate does not depend on the batch size);
(c) a bare NumPy lower bound: the flat-index reward gather plus the inverse-CDF draw
    with every index precomputed.

The next states of (a) are checked against a per-match reference on a slice of the
batch (same uniforms), and the ratio (a)/(b) in transitions per second is the
headline.

Usage::

    python benchmarks/bench_stochastic.py [--quick] [--json PATH] [--n 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

import numpy as np

import gamesim as gs
from gamesim.sim.stochastic import StochasticGame, step
from _common import git_commit, median_time

SEED = 20261123
S, M = 10, 3


def make_game() -> StochasticGame:
    rng = np.random.default_rng(SEED)
    rewards = [rng.normal(size=(2, M, M)) for _ in range(S)]
    transitions = [rng.dirichlet(np.ones(S), size=(M, M)) for _ in range(S)]
    return StochasticGame(rewards, transitions, 0.95, name="random 10-state 3x3")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--n", type=int, default=1_000_000, help="parallel matches (default 1,000,000)")
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 9
    N = args.n
    game = make_game()
    rng = np.random.default_rng(SEED + 1)
    states = rng.integers(0, S, size=N)
    actions = rng.integers(0, M, size=(2, N))

    # Correctness on a slice: the same uniforms through a per-match reference.
    k = 2000
    _, nxt = step(game, states[:k], actions[:, :k], np.random.default_rng(5))
    u = np.random.default_rng(5).random(k)
    ref = np.array([int(np.sum(u[b] >= np.cumsum(game.transitions(states[b])[actions[0, b], actions[1, b]])[:-1]))
                    for b in range(k)])
    if not np.array_equal(nxt, ref):
        print("ERROR: step disagrees with the per-match reference", file=sys.stderr)
        return 1

    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"{N:,} parallel matches of a {S}-state {M}x{M} game; median of {repeats} after 1 warm-up\n")

    gen = np.random.default_rng(7)
    t_checked, _ = median_time(lambda: step(game, states, actions, gen), repeats)
    t_fast, _ = median_time(lambda: step(game, states, actions, gen, check=False), repeats)

    tab = game.tables()
    code = tab.offset[states] + actions[0] * M + actions[1]
    thr = tab.thresholds

    def bare():
        r = tab.rewards[:, code]
        uu = gen.random(N)
        return r, (uu[:, None] >= thr[code]).sum(axis=1)

    t_bare, _ = median_time(bare, repeats)

    n_loop = 10_000
    P = [game.transitions(q) for q in range(S)]
    R = [game.rewards(q) for q in range(S)]
    loop_rng = np.random.default_rng(9)

    def loop():
        out = np.empty(n_loop, dtype=int)
        rew = np.empty((2, n_loop))
        for b in range(n_loop):
            q, a0, a1 = states[b], actions[0, b], actions[1, b]
            rew[:, b] = R[q][:, a0, a1]
            out[b] = loop_rng.choice(S, p=P[q][a0, a1])
        return rew, out

    t_loop, _ = median_time(loop, max(3, repeats // 3))
    rate = lambda t, n: n / t  # noqa: E731
    rows = [
        ("step(check=False)", t_fast, rate(t_fast, N)),
        ("step(check=True)", t_checked, rate(t_checked, N)),
        ("bare NumPy lower bound", t_bare, rate(t_bare, N)),
        (f"per-match Python loop ({n_loop:,} matches)", t_loop, rate(t_loop, n_loop)),
    ]
    for name, t, r in rows:
        print(f"{name:42s} {t * 1e3:10.2f} ms   {r:14,.0f} transitions/s")
    ratio = rate(t_fast, N) / rate(t_loop, n_loop)
    print(f"\nstep is {ratio:,.0f}x the per-match loop, and {t_bare / t_fast:.2f} of the bare lower bound's speed")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": N, "states": S, "actions": M, "commit": git_commit(),
                       "rows": [{"name": n, "seconds": t, "transitions_per_s": r} for n, t, r in rows],
                       "ratio_vs_loop": ratio}, fh, indent=2)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
