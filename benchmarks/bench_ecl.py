"""ECL simulation at scale: one million players of a 10-type ECL Bayesian game.

One invocation measures, in the same run:

(a) ``gamesim.agents.simulate_ecl`` with the :class:`~gamesim.agents.ECLCooperator`
    policy on one universe of 1,000,000 players (a seeded random
    :class:`~gamesim.sim.ecl.ECLBayesianGame` with 10 types and 3 actions): type
    sampling, the policy's table lookup, realized utilities, the same draws at the
    Bayesian Nash profile, and the per-type and per-policy means -- with
    ``keep_players=False`` (the headline) and ``keep_players=True``; and once more with
    a policy under which every type mixes uniformly over its actions, so every player
    takes a seeded draw (the worst case of a mixed compromise);
(b) ``ECLBayesianGame.realized_utilities`` alone on the same million (type, action)
    pairs: one ``bincount`` over (type, action) codes, an ``(m K) x m`` matrix
    product and a gather;
(c) the obvious per-player implementation in plain Python, ``O(n)``: a loop over the
    players counting each (type, action), the per-type totals
    ``S[t2] = sum_{t,a} count[t, a] u_{t,t2}(a)``, and a second loop handing each
    player ``S[t_i]`` -- timed on the full million;
(d) the naive ``O(n^2)`` pairwise sum, the *peer*: for each player ``i`` a NumPy sum
    of ``u_{t_j, t_i}(a_j)`` over all ``j`` (a Python loop over the players, NumPy
    over their partners).  It is timed on 2,000 (and 1,000) players and
    **extrapolated** to a million as ``time(2,000) * (1,000,000 / 2,000) ** 2``; the
    measured ratio time(2,000) / time(1,000) (4 for exact quadratic scaling) is
    printed next to it, and so is a second extrapolation from 10 of the million rows
    timed at full size (each a sum over all partners).  Nobody waits the hours it
    would take.

Peak memory: ``tracemalloc``'s peak (NumPy reports its buffers to it) for (a), (b)
and (c), measured in separate untimed calls, and the growth of ``ru_maxrss`` over
one call in a fresh child process per contender (the inputs and the cached
compromise are made before the baseline is read; Linux reports kilobytes).  The
children run first, while the parent is small: Linux carries ``ru_maxrss`` over
``fork`` and ``exec``, so a child of a grown parent would start above its own peak.

Correctness is checked before timing: (b) against (c) on the full million and
against (d) on the 2,000-player universe (relative 1e-12), and the simulated
players all play actions in the support of the cooperator's strategy.

Usage::

    python benchmarks/bench_ecl.py [--quick] [--json PATH] [--n 1000000] [--peer-n 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np

import gamesim as gs
from gamesim.agents.ecl import ECLCooperator, ECLPolicy, simulate_ecl
from gamesim.sim.ecl import ECLBayesianGame
from _common import git_commit, median_time

SEED = 20261124
M, K = 10, 3


def make_game(n: int) -> ECLBayesianGame:
    """The seeded random dilemma of the ``ecl_similarity`` scenario, with a Dirichlet(2) prior.

    Each action's contribution to the chooser's own type ``r`` is uniform on [0, 1],
    its contributions to the other types uniform on ``[0, 2 (1 - r)]``, so the
    compromise differs from the Bayesian Nash profile and the cooperators' table is
    not the trivial one (with independent uniform contributions it usually is).
    """
    rng = np.random.default_rng(SEED)
    C = rng.uniform(0.0, 1.0, size=(M, M, K))
    own = C[np.arange(M), np.arange(M)].copy()
    C *= 2.0 * (1.0 - own)[:, None, :]
    C[np.arange(M), np.arange(M)] = own
    prior = rng.dirichlet(np.full(M, 2.0))
    return ECLBayesianGame.independent(C, prior, n, name=f"random {M}-type {K}-action ECL game")


def inputs(game: ECLBayesianGame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One universe of ``n`` players: sampled types and the cooperator's actions, shape (1, n)."""
    types = game.sample_types(n, 1, np.random.default_rng(SEED + 1))
    return types, ECLCooperator().actions(game, types, np.random.default_rng(SEED + 2))


@dataclass(frozen=True)
class UniformMixer(ECLPolicy):
    """Every type plays each action with probability 1/K: every player draws."""

    def table(self, game: ECLBayesianGame) -> np.ndarray:
        raise ValueError("game: UniformMixer mixes; it has no action table")

    def strategy_table(self, game: ECLBayesianGame) -> np.ndarray:
        return np.full((game.n_types, game.n_actions), 1.0 / game.n_actions)


def per_player_linear(C: list, types: list, actions: list) -> list:
    """(c): the O(n) per-player implementation in plain Python."""
    counts = [[0] * K for _ in range(M)]
    for t, a in zip(types, actions):
        counts[t][a] += 1
    S = [sum(counts[t][a] * C[t][t2][a] for t in range(M) for a in range(K)) for t2 in range(M)]
    return [S[t] for t in types]


def pairwise(C: np.ndarray, types: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """(d): the naive O(n^2) pairwise sum, NumPy over partners, a Python loop over players."""
    out = np.empty(types.size)
    for i in range(types.size):
        out[i] = C[types, types[i], actions].sum()
    return out


def traced_peak(fn) -> int:
    """``tracemalloc`` peak (bytes) of one call, above what was allocated before it."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


NAMES = ("simulate_ecl", "simulate_ecl(keep_players)", "simulate_ecl(every player mixes)", "realized_utilities",
         "per-player loop, O(n)")


def contender(name: str, game: ECLBayesianGame, n: int):
    """The call measured as ``name`` on one universe of ``n`` players; its inputs are made here, outside it."""
    ECLCooperator().plan(game)                   # the compromise is cached per game: not measured
    if name == "simulate_ecl":
        return lambda: simulate_ecl(game, ECLCooperator(), n_players=n, seed=3, keep_players=False)
    if name == "simulate_ecl(keep_players)":
        return lambda: simulate_ecl(game, ECLCooperator(), n_players=n, seed=3)
    if name == "simulate_ecl(every player mixes)":
        return lambda: simulate_ecl(game, UniformMixer(), n_players=n, seed=3, keep_players=False)
    types, actions = inputs(game, n)
    if name == "realized_utilities":
        return lambda: game.realized_utilities(types, actions)
    if name == "per-player loop, O(n)":
        Cl, tl, al = game.contributions.tolist(), types[0].tolist(), actions[0].tolist()
        return lambda: per_player_linear(Cl, tl, al)
    raise ValueError(f"unknown contender {name!r}")


def child(name: str, n: int) -> int:
    """Print the ``ru_maxrss`` growth (KiB) over one call of contender ``name`` (a fresh process)."""
    fn = contender(name, make_game(n), n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"name": name, "before_kib": before, "after_kib": after, "delta_kib": after - before}))
    return 0


def maxrss_delta(name: str, n: int) -> float | None:
    """MiB, from a child process; None if the child fails."""
    proc = subprocess.run([sys.executable, __file__, "--child", name, "--n", str(n)], capture_output=True,
                          text=True, timeout=600, cwd=os.path.dirname(os.path.abspath(__file__)))
    if proc.returncode != 0:
        print(f"NOTE: ru_maxrss child for {name!r} failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])["delta_kib"] / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="3 repeats instead of 9 (and 1 instead of 3 for the O(n) Python loop)")
    ap.add_argument("--json", metavar="PATH", help="write all figures to this JSON file")
    ap.add_argument("--n", type=int, default=1_000_000, help="players in the universe (default 1,000,000)")
    ap.add_argument("--peer-n", type=int, default=2000, help="players for the timed O(n^2) peer (default 2,000)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    N = args.n
    if args.child:
        return child(args.child, N)
    repeats = 3 if args.quick else 9
    loop_repeats = 1 if args.quick else 3
    # First, while this process is small: Linux carries ru_maxrss over fork and exec, so a
    # child started from a grown parent would begin above its own peak and report 0.
    maxrss = {name: maxrss_delta(name, N) for name in NAMES}

    game = make_game(N)
    t0 = time.perf_counter()
    plan = ECLCooperator().plan(game)
    t_plan = time.perf_counter() - t0
    types, actions = inputs(game, N)
    C = game.contributions

    # Correctness: (b) against (c) on the million, against (d) on a small universe.
    fast = game.realized_utilities(types, actions)[0]
    slow = np.array(per_player_linear(C.tolist(), types[0].tolist(), actions[0].tolist()))
    if not np.allclose(fast, slow, rtol=1e-12, atol=0):
        print("ERROR: realized_utilities disagrees with the per-player loop", file=sys.stderr)
        return 1
    small_game = game.with_n_players(args.peer_n)
    st, sa = inputs(small_game, args.peer_n)
    if not np.allclose(small_game.realized_utilities(st, sa)[0], pairwise(C, st[0], sa[0]), rtol=1e-12, atol=0):
        print("ERROR: realized_utilities disagrees with the pairwise sum", file=sys.stderr)
        return 1
    res = simulate_ecl(game, ECLCooperator(), n_players=N, seed=3)
    if not np.all(plan.strategy[res.types, res.actions] > 0):
        print("ERROR: simulated actions are not in the support of the cooperator's strategy", file=sys.stderr)
        return 1
    del res, slow

    bne_rows = np.eye(K)[list(plan.bayesian_nash)]
    trading = int(np.count_nonzero(plan.cooperating & np.any(plan.strategy != bne_rows, axis=1)))
    print(f"gamesim {gs.__version__} ({git_commit()}), numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    print(f"{N:,} players in one universe of a random {M}-type {K}-action ECL game; "
          f"the bargaining oracle's compromise ({plan.compromise.method}, "
          f"{'pure' if plan.table is not None else 'mixed'}) computed once in "
          f"{t_plan * 1e3:.0f} ms (cached, not timed below); cooperating types "
          f"{trading}/{M}")
    print(f"median of {repeats} after 1 warm-up ({loop_repeats} for the O(n) Python loop)\n")

    calls = {name: contender(name, game, N) for name in NAMES}
    rows = []
    for name, fn in calls.items():
        reps = loop_repeats if "loop" in name else repeats
        t, times = median_time(fn, reps)
        rows.append({"name": name, "players": N, "seconds": t, "times": times, "extrapolated": False})

    peer_n, half = args.peer_n, args.peer_n // 2
    t_peer, peer_times = median_time(lambda: pairwise(C, st[0], sa[0]), repeats)
    t_half, _ = median_time(lambda: pairwise(C, st[0, :half], sa[0, :half]), repeats)
    scale = (N / peer_n) ** 2
    rows.append({"name": f"pairwise O(n^2), {peer_n:,} players (measured)", "players": peer_n,
                 "seconds": t_peer, "times": peer_times, "extrapolated": False})
    rows.append({"name": f"pairwise O(n^2), {N:,} players (EXTRAPOLATED)", "players": N,
                 "seconds": t_peer * scale, "times": None, "extrapolated": True})
    # Cross-check of the extrapolation: a few of the million rows, each a sum over all N partners.
    k_rows = 10
    t_rows, _ = median_time(lambda: [C[types[0], types[0, i], actions[0]].sum() for i in range(k_rows)],
                            repeats)
    t_rowx = t_rows / k_rows * N

    print("peak memory (separate untimed calls) ...", flush=True)
    for r in rows[:len(calls)]:
        r["tracemalloc_peak_mib"] = traced_peak(calls[r["name"]]) / 2 ** 20
        r["maxrss_delta_mib"] = maxrss[r["name"]]
    print()
    fmt_mib = lambda v: "-" if v is None else f"{v:8.1f}"  # noqa: E731
    print(f"{'':48s} {'time':>12s} {'players/s':>14s} {'tracemalloc':>12s} {'maxrss +':>9s}")
    for r in rows:
        t = r["seconds"]
        tstr = f"{t:10.3f} s " if t >= 1 else f"{t * 1e3:10.2f} ms"
        print(f"{r['name']:48s} {tstr} {r['players'] / t:14,.0f} {fmt_mib(r.get('tracemalloc_peak_mib')):>12s} "
              f"{fmt_mib(r.get('maxrss_delta_mib')):>9s}")
    by = {r["name"]: r["seconds"] for r in rows}
    t_sim, t_ru, t_lin = by["simulate_ecl"], by["realized_utilities"], by["per-player loop, O(n)"]
    t_ext = t_peer * scale
    print(f"\npairwise scaling, time({peer_n:,}) / time({half:,}) = {t_peer / t_half:.2f} (4 if quadratic); "
          f"{k_rows} rows at full size take {t_rows / k_rows * 1e3:.2f} ms each, so all {N:,} rows would take "
          f"{t_rowx:,.0f} s (the {peer_n:,}-player extrapolation gives {t_peer * scale:,.0f} s)")
    print(f"realized_utilities is {t_lin / t_ru:,.0f}x the O(n) Python loop and "
          f"{t_ext / t_ru:,.0f}x the O(n^2) pairwise sum (extrapolated from {peer_n:,} players)")
    print(f"simulate_ecl (sampling, policy, utilities twice, means) is {t_lin / t_sim:,.1f}x the O(n) loop "
          f"(utilities only) and {t_ext / t_sim:,.0f}x the extrapolated pairwise sum")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": N, "types": M, "actions": K, "commit": git_commit(), "plan_seconds": t_plan,
                       "rows": rows, "pairwise_scaling_ratio": t_peer / t_half,
                       "pairwise_row_seconds_at_full_size": t_rows / k_rows,
                       "pairwise_extrapolated_from_rows": t_rowx,
                       "ratio_realized_vs_linear_loop": t_lin / t_ru,
                       "ratio_realized_vs_pairwise_extrapolated": t_ext / t_ru,
                       "ratio_simulate_vs_pairwise_extrapolated": t_ext / t_sim}, fh, indent=2)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
