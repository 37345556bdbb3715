"""Fast standalone fictitious play for two-player games: exact, event-driven, batched.

Fictitious play (Brown 1951; Robinson 1951): each round both players best-respond
to the empirical distribution of the other's past actions (plus initial belief
weights).  Player ``i``'s action values are ``A @ w`` (row) and ``w @ B`` (column),
where ``w`` are the belief weights; while neither best response changes, each
round just adds one fixed payoff column to each value vector, so the values grow
*linearly*.  :func:`fictitious_play` therefore does not step round by round: it
computes how many rounds pass until either argmax changes (applying the
tie-breaking rule exactly) and jumps there.  Empirical frequencies at the record
points are read off the constant segments by interpolation.

Exactness
---------
All values are kept in **exact integer arithmetic**.  Payoffs and weights are
scaled to integers: integers stay as they are; floats that are short decimals
(``0.37``, the notes' ``1.5``) are read as those decimals, so values that tie in
decimal tie exactly; any other float is read as its exact binary value.  NumPy
``int64`` is used when the largest value reachable in ``iterations`` rounds fits,
Python integers otherwise.  The result is identical, action by action, to a
round-by-round implementation in exact rational arithmetic (the tests check this,
ties included).  A round-by-round float implementation such as Nashpy's agrees
whenever its rounding does not create or break a tie (always for integer payoffs;
not always for payoffs such as 0.37, where float sums that should tie may not).

Conventions
-----------
* ``initial_weights = (w_row, w_col)``: ``w_row`` (length ``n``) is the row
  player's belief weights about the column player's actions, ``w_col`` (length
  ``m``) the column player's about the row player's.  The notes' matching-pennies
  start is ``((1.5, 2), (2, 1.5))``.  Default: no prior (zero weights).
* A player whose weights are all zero (no prior, first round) best-responds to the
  uniform belief.
* ``tie_break="first"``: the lowest-index best response (deterministic).
  ``tie_break="random"``: uniform among the tied best responses; a draw
  ``rng.integers(number_of_ties)`` is made only when there is a tie, the row
  player's before the column player's.  A single run uses
  ``numpy.random.default_rng(seed)``; run ``r`` of a batch uses the child seed
  ``SeedSequence(seed).spawn``-style with spawn key ``(r,)``
  (:func:`batch_seed`), so a batch is exactly the single runs side by side.

References
----------
.. [B51] G. W. Brown, "Iterative solution of games by fictitious play", in *Activity
   Analysis of Production and Allocation*, 1951.
.. [R51] J. Robinson, "An iterative method of solving a game", Ann. Math. 54, 1951.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._seeding import child_seed, seed_root
from ..sim.games import NormalFormGame, as_game

__all__ = ["FictitiousPlayResult", "fictitious_play", "batch_seed", "exact_scale"]

_INT64_LIMIT = 2 ** 62


# ---------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FictitiousPlayResult:
    """Outcome of :func:`fictitious_play`.

    Single runs have no batch axis; a batch of ``R`` runs puts it first.

    Attributes
    ----------
    times : ndarray of int, shape (J,)
        Record points: rounds played (``record_every, 2 record_every, ...`` and the
        last round).
    row_frequencies, col_frequencies : ndarray, shape ([R,] J, m) and ([R,] J, n)
        Empirical frequencies of each player's own actions after ``times[j]`` rounds.
    row_counts, col_counts : ndarray of int, shape ([R,] m) and ([R,] n)
        Final action counts.
    row_beliefs, col_beliefs : ndarray, shape ([R,] n) and ([R,] m)
        Final beliefs (normalised weights: initial weights plus counts) of the row
        player about the column player and of the column player about the row player.
    segments : ndarray of int, shape (E, 5) or None
        The play as constant segments, rows ``(run, start, length, row action,
        column action)`` sorted by run and start; ``None`` unless kept.
    method : str
    params : dict
    """

    times: np.ndarray
    row_frequencies: np.ndarray
    col_frequencies: np.ndarray
    row_counts: np.ndarray
    col_counts: np.ndarray
    row_beliefs: np.ndarray
    col_beliefs: np.ndarray
    segments: np.ndarray | None
    method: str
    params: dict

    def actions(self, run: int | None = None) -> np.ndarray:
        """Every round's joint action, shape ``(iterations, 2)`` (row, column).

        ``run`` selects a run of a batch (required for batches).
        """
        if self.segments is None:
            raise ValueError("actions: segments were not kept (pass keep_actions=True)")
        batched = self.params["batch"] is not None
        if batched and run is None:
            raise ValueError("run: pass which run of the batch to expand")
        seg = self.segments[self.segments[:, 0] == (run or 0)]
        return np.stack([np.repeat(seg[:, 3], seg[:, 2]), np.repeat(seg[:, 4], seg[:, 2])], axis=1)


def batch_seed(seed: Any, run: int) -> np.random.SeedSequence:
    """The seed of run ``run`` of a batch: spawn key ``(run,)`` under ``seed``.

    ``fictitious_play(..., seed=batch_seed(s, r))`` reproduces run ``r`` of
    ``fictitious_play(..., batch=R, seed=s)``.
    """
    return child_seed(seed_root(seed), run)


# ---------------------------------------------------------------------------
# exact integer scaling
# ---------------------------------------------------------------------------
def _to_ints(x: Any) -> tuple[np.ndarray, int]:
    """Exact integers ``X`` and a scale ``D`` with ``x = X / D``, reading floats as the user wrote them.

    In order: integers (``D = 1``); short decimals -- the smallest ``k <= 15`` such that
    every entry is the float nearest to a decimal with ``k`` places, so ``0.37`` means
    37/100 and sums of such payoffs tie exactly when they tie in decimal
    (``D = 10**k``); otherwise the floats' exact binary values (``D`` a power of two).
    ``X`` is int64 when it fits comfortably, else an object array of Python ints.
    """
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return np.zeros(x.shape, np.int64), 1
    big = 2.0 ** 53
    if np.all(x == np.round(x)) and np.max(np.abs(x)) < big:
        return x.astype(np.int64), 1
    for k in range(1, 16):
        s = 10.0 ** k
        y = np.round(x * s)
        if np.max(np.abs(y)) >= big:
            break
        if np.all(y / s == x):          # each entry is the float of the decimal y / 10^k
            return y.astype(np.int64), 10 ** k
    for k in range(1, 64):
        y = x * float(2 ** k)           # exact: multiplying by a power of two
        if np.max(np.abs(y)) >= big:
            break
        if np.all(y == np.round(y)):
            return y.astype(np.int64), 2 ** k
    ratios = [v.as_integer_ratio() for v in x.ravel().tolist()]
    D = max(d for _, d in ratios)
    X = np.empty(x.size, dtype=object)
    X[:] = [n * (D // d) for n, d in ratios]
    return X.reshape(x.shape), D


def exact_scale(x: Any, limit: float = 2.0 ** 40) -> tuple[np.ndarray, int]:
    """``(X, D)`` with ``X = x * D`` integer-valued floats (see :func:`_to_ints`), if ``|X| < limit``.

    Otherwise ``(x, 1)``: the floats themselves.  Sums of integer-valued floats are exact
    up to 2^53, so learners that accumulate ``X`` decide ties exactly.
    """
    X, D = _to_ints(x)
    if X.dtype != object and (X.size == 0 or np.max(np.abs(X)) < limit):
        return X.astype(float), D
    return np.asarray(x, dtype=float), 1


def _as_matrices(game: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    if isinstance(game, (tuple, list)) and len(game) == 2 and not isinstance(game, NormalFormGame):
        A = np.asarray(game[0], dtype=float)
        B = np.asarray(game[1], dtype=float)
        if A.ndim != 2 or A.shape != B.shape or A.size == 0:
            raise ValueError(f"game: expected two matrices of the same shape, got {A.shape} and {B.shape}")
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
            raise ValueError("game: payoffs must be finite")
        return A, B, "bimatrix"
    g = as_game(game)
    if g.n_players != 2:
        raise ValueError(f"game: fictitious_play needs a two-player game, got {g.n_players} players")
    return np.asarray(g.payoffs[0]), np.asarray(g.payoffs[1]), g.name


def _check_weights(w: Any, size: int, field: str) -> np.ndarray:
    try:
        arr = np.array(w, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: must be an array of numbers") from None
    if arr.ndim not in (1, 2) or arr.shape[-1] != size:
        raise ValueError(f"{field}: expected {size} weights (or shape (batch, {size})), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{field}: weights must be finite and non-negative")
    return arr


# ---------------------------------------------------------------------------
# one run: pure Python over events, exact integers
# ---------------------------------------------------------------------------
def _argmax_py(v: list, first: bool, rng) -> int:
    mx = max(v)
    if first:
        return v.index(mx)
    ties = [i for i, x in enumerate(v) if x == mx]
    if len(ties) == 1:
        return ties[0]
    return ties[int(rng.integers(len(ties)))]


def _next_change_py(v: list, c: list, a: int, first: bool, never: int) -> int:
    """Rounds k >= 1 until the best response to ``v + k c`` may differ from ``a``."""
    va, ca = v[a], c[a]
    best = never
    for i in range(len(v)):
        if i == a:
            continue
        d = c[i] - ca
        g = va - v[i]
        if d > 0:
            if first:
                k = -((-g) // d) if i < a else g // d + 1
            else:
                k = -((-g) // d)
                if k < 1:
                    k = 1
        elif d == 0 and g == 0 and not first:
            k = 1                            # a tie that persists: draw again next round
        else:
            continue
        if k < best:
            best = k
    return best


def _run_single(A: np.ndarray, B: np.ndarray, wr: np.ndarray, wc: np.ndarray, T: int,
                first: bool, rng) -> list[tuple[int, int, int, int]]:
    """Segments (start, length, a, b) of one exact run."""
    Ai, _ = _to_ints(A)
    Bi, _ = _to_ints(B)
    Wr, Dr = _to_ints(wr)
    Wc, Dc = _to_ints(wc)
    m, n = A.shape
    Al = [[int(x) for x in row] for row in Ai.tolist()]
    Bl = [[int(x) for x in row] for row in Bi.tolist()]
    wrl = [int(x) for x in Wr.tolist()]
    wcl = [int(x) for x in Wc.tolist()]
    vr = [sum(Al[i][j] * wrl[j] for j in range(n)) for i in range(m)]
    vc = [sum(wcl[i] * Bl[i][j] for i in range(m)) for j in range(n)]
    inc_r = [[Dr * Al[i][b] for i in range(m)] for b in range(n)]     # added to vr when col plays b
    inc_c = [[Dc * Bl[a][j] for j in range(n)] for a in range(m)]     # added to vc when row plays a
    fb_r = sum(wrl) == 0
    fb_c = sum(wcl) == 0
    segs: list[list[int]] = []
    t = 0
    never = T + 1
    while t < T:
        if t == 0 and (fb_r or fb_c):
            a = _argmax_py([sum(row) for row in Al] if fb_r else vr, first, rng)
            b = _argmax_py([sum(col) for col in zip(*Bl)] if fb_c else vc, first, rng)
            L = 1
        else:
            a = _argmax_py(vr, first, rng)
            b = _argmax_py(vc, first, rng)
            cr, cc = inc_r[b], inc_c[a]
            L = min(T - t, _next_change_py(vr, cr, a, first, never), _next_change_py(vc, cc, b, first, never))
        cr, cc = inc_r[b], inc_c[a]
        for i in range(m):
            vr[i] += L * cr[i]
        for j in range(n):
            vc[j] += L * cc[j]
        if segs and segs[-1][2] == a and segs[-1][3] == b:
            segs[-1][1] += L
        else:
            segs.append([t, L, a, b])
        t += L
    return segs


def _record_from_segments(seg: np.ndarray, times: np.ndarray, m: int, n: int):
    """Counts at the record times from constant segments (start, length, a, b)."""
    E = seg.shape[0]
    starts, lengths, a, b = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    before_r = np.zeros((E, m))
    before_c = np.zeros((E, n))
    before_r[np.arange(E), a] = lengths
    before_c[np.arange(E), b] = lengths
    before_r = np.cumsum(before_r, axis=0) - before_r
    before_c = np.cumsum(before_c, axis=0) - before_c
    e = np.searchsorted(starts, times - 1, side="right") - 1          # segment holding round times-1
    dt = (times - starts[e]).astype(float)
    cr = before_r[e]
    cc = before_c[e]
    J = times.size
    cr[np.arange(J), a[e]] += dt
    cc[np.arange(J), b[e]] += dt
    return cr, cc


# ---------------------------------------------------------------------------
# batch: all runs advance one event per NumPy step
# ---------------------------------------------------------------------------
class _Draws:
    """Per-run generators for random tie-breaking, created when first needed."""

    def __init__(self, seed: Any) -> None:
        self.seed = seed_root(seed)       # once: a Generator seed must not be spawned per run
        self.gens: dict[int, np.random.Generator] = {}

    def __call__(self, run: int) -> np.random.Generator:
        g = self.gens.get(run)
        if g is None:
            g = self.gens[run] = np.random.default_rng(batch_seed(self.seed, run))
        return g


def _argmax_batch(v: np.ndarray, first: bool, draws: _Draws | None, ids: np.ndarray) -> np.ndarray:
    if first:
        return np.argmax(v, axis=1)
    mask = v == v.max(axis=1)[:, None]
    cnt = mask.sum(axis=1)
    out = np.argmax(mask, axis=1)
    for r in np.flatnonzero(cnt > 1).tolist():
        out[r] = np.flatnonzero(mask[r])[int(draws(int(ids[r])).integers(int(cnt[r])))]
    return out


def _next_change_batch(v: np.ndarray, c: np.ndarray, a: np.ndarray, first: bool, never: int) -> np.ndarray:
    k = v.shape[0]
    rows = np.arange(k)
    g = v[rows, a][:, None] - v
    d = c - c[rows, a][:, None]
    pos = d > 0
    dsafe = np.where(pos, d, 1)
    up = -((-g) // dsafe)
    if first:
        lower = np.arange(v.shape[1])[None, :] < a[:, None]
        kk = np.where(lower, up, g // dsafe + 1)
        kk = np.where(pos, kk, never)
    else:
        persist = (d == 0) & (g == 0)
        persist[rows, a] = False
        kk = np.where(pos, np.maximum(up, 1), np.where(persist, 1, never))
    return np.asarray(kk.min(axis=1), dtype=np.int64)


def _run_batch(A, B, WR, WC, T, first, seed, times, keep):
    R = WR.shape[0]
    m, n = A.shape
    Ai, _ = _to_ints(A)
    Bi, _ = _to_ints(B)
    Wr, Dr = _to_ints(WR)
    Wc, Dc = _to_ints(WC)
    # int64 when the largest reachable value fits, else exact Python ints.
    amax = int(np.max(np.abs(Ai))) if Ai.size else 0
    bmax = int(np.max(np.abs(Bi))) if Bi.size else 0
    wr_tot = int(np.max(Wr.sum(axis=1))) if R else 0
    wc_tot = int(np.max(Wc.sum(axis=1))) if R else 0
    bound = 4 * max(amax * (wr_tot + Dr * T) * max(n, 1), bmax * (wc_tot + Dc * T) * max(m, 1), T + 2)
    dtype = np.int64 if bound < _INT64_LIMIT and all(x.dtype != object for x in (Ai, Bi, Wr, Wc)) else object
    Ai, Bi, Wr, Wc = (x.astype(dtype) for x in (Ai, Bi, Wr, Wc))
    VR = Wr @ Ai.T                       # (R, m)
    VC = Wc @ Bi                         # (R, n)
    inc_r = (Ai.T * Dr).astype(dtype)    # (n, m): inc_r[b] = Dr * A[:, b]
    inc_c = (Bi * Dc).astype(dtype)      # (m, n): inc_c[a] = Dc * B[a, :]
    uni_r = Ai.sum(axis=1)
    uni_c = Bi.sum(axis=0)
    fb_r = Wr.sum(axis=1) == 0
    fb_c = Wc.sum(axis=1) == 0
    cnt_r = np.zeros((R, m), np.int64)
    cnt_c = np.zeros((R, n), np.int64)
    t = np.zeros(R, np.int64)
    ids = np.arange(R)
    J = times.size
    freq_r = np.zeros((R, J, m))
    freq_c = np.zeros((R, J, n))
    final_r = np.zeros((R, m), np.int64)
    final_c = np.zeros((R, n), np.int64)
    draws = None if first else _Draws(seed)
    never = T + 1
    segs = [] if keep else None
    timesf = times.astype(float)
    while ids.size:
        k = ids.size
        rows = np.arange(k)
        start = (t == 0) & (fb_r | fb_c)
        if start.any():
            vr = VR.copy()
            vc = VC.copy()
            sr = start & fb_r
            sc = start & fb_c
            vr[sr] = uni_r
            vc[sc] = uni_c
        else:
            vr, vc = VR, VC
        a = _argmax_batch(vr, first, draws, ids)
        b = _argmax_batch(vc, first, draws, ids)
        cr = inc_r[b]
        cc = inc_c[a]
        L = np.minimum(np.minimum(_next_change_batch(VR, cr, a, first, never),
                                  _next_change_batch(VC, cc, b, first, never)), T - t)
        L[start] = 1
        # records in (t, t + L]
        lo = np.searchsorted(times, t, side="right")
        hi = np.searchsorted(times, t + L, side="right")
        nrec = hi - lo
        tot = int(nrec.sum())
        if tot:
            rr = np.repeat(rows, nrec)
            js = np.arange(tot) - np.repeat(np.cumsum(nrec) - nrec, nrec) + np.repeat(lo, nrec)
            dt = timesf[js] - t[rr]
            fr = cnt_r[rr].astype(float)
            fr[np.arange(tot), a[rr]] += dt
            fc = cnt_c[rr].astype(float)
            fc[np.arange(tot), b[rr]] += dt
            freq_r[ids[rr], js] = fr
            freq_c[ids[rr], js] = fc
        if keep:
            segs.append(np.stack([ids, t, L, a, b], axis=1))
        Lc = L.astype(dtype)[:, None]
        VR += Lc * cr
        VC += Lc * cc
        cnt_r[rows, a] += L
        cnt_c[rows, b] += L
        t += L
        done = t >= T
        if done.any():
            final_r[ids[done]] = cnt_r[done]
            final_c[ids[done]] = cnt_c[done]
            keep_rows = ~done
            ids, t, VR, VC, cnt_r, cnt_c = ids[keep_rows], t[keep_rows], VR[keep_rows], VC[keep_rows], cnt_r[keep_rows], cnt_c[keep_rows]
            fb_r, fb_c = fb_r[keep_rows], fb_c[keep_rows]
    freq_r /= timesf[None, :, None]
    freq_c /= timesf[None, :, None]
    seg_arr = None
    if keep:
        s = np.concatenate(segs) if segs else np.zeros((0, 5), np.int64)
        s = s[np.lexsort((s[:, 1], s[:, 0]))]
        seg_arr = _merge_segments(s)
    return freq_r, freq_c, final_r, final_c, seg_arr, ("int64" if dtype is np.int64 else "python-int")


def _merge_segments(s: np.ndarray) -> np.ndarray:
    """Merge consecutive segments of one run with the same joint action."""
    if s.shape[0] <= 1:
        return s
    same = (s[1:, 0] == s[:-1, 0]) & (s[1:, 3] == s[:-1, 3]) & (s[1:, 4] == s[:-1, 4])
    head = np.concatenate([[True], ~same])
    group = np.cumsum(head) - 1
    out = s[head].copy()
    out[:, 2] = np.bincount(group, weights=s[:, 2], minlength=out.shape[0]).astype(np.int64)
    return out


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------
def fictitious_play(game: Any, iterations: int, initial_weights: Any = None, tie_break: str = "first",
                    batch: int | None = None, record_every: int | None = 1, *, seed: Any = None,
                    keep_actions: bool | None = None) -> FictitiousPlayResult:
    """Exact, event-driven fictitious play in a two-player game, one run or a batch.

    Parameters
    ----------
    game : NormalFormGame or (A, B)
        A two-player game, or the row and column players' payoff matrices.
    iterations : int
        Rounds of play.
    initial_weights : (w_row, w_col), optional
        ``w_row`` (``n`` weights, or ``(batch, n)``): the row player's belief weights
        about the column player's actions; ``w_col`` (``m``, or ``(batch, m)``) the
        column player's about the row player's.  Non-negative; default zero.  Batched
        weights make a batch of that size.
    tie_break : {"first", "random"}
        Lowest index, or uniform among ties from the run's seeded generator (see the
        module docstring for the exact draw order).
    batch : int, optional
        Number of independent runs advanced together (all runs share the game; they
        differ by their weights and/or their tie-breaking draws).
    record_every : int or None
        Record the empirical frequencies every this many rounds (and after the last
        round); ``None`` records only the end.  Memory is ``batch x J x (m + n)``.
    seed : int or SeedSequence, optional
        For ``tie_break="random"``.
    keep_actions : bool, optional
        Keep the play as constant segments (:attr:`FictitiousPlayResult.segments`,
        :meth:`FictitiousPlayResult.actions`); default on for a single run, off for
        a batch.

    Returns
    -------
    FictitiousPlayResult

    Examples
    --------
    The notes' matching pennies (player 1 matches): beliefs (1.5, 2) and (2, 1.5).

    >>> from gamesim.sim.catalogue import matching_pennies
    >>> r = fictitious_play(matching_pennies(), 4, initial_weights=((1.5, 2), (2, 1.5)))
    >>> r.actions().tolist()            # T = 1, H = 0: (T, T), (T, H), (T, H), (H, H)
    [[1, 1], [1, 0], [1, 0], [0, 0]]
    >>> fictitious_play(matching_pennies(), 100_000, ((1.5, 2), (2, 1.5)), record_every=None).row_frequencies.round(2)
    array([[0.5, 0.5]])
    """
    A, B, gname = _as_matrices(game)
    m, n = A.shape
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations: must be a positive integer, got {iterations!r}")
    T = int(iterations)
    if tie_break not in ("first", "random"):
        raise ValueError(f"tie_break: expected 'first' or 'random', got {tie_break!r}")
    first = tie_break == "first"
    if record_every is None:
        times = np.array([T], dtype=np.int64)
    else:
        if isinstance(record_every, bool) or not isinstance(record_every, (int, np.integer)) or record_every < 1:
            raise ValueError(f"record_every: must be a positive integer or None, got {record_every!r}")
        times = np.arange(int(record_every), T + 1, int(record_every), dtype=np.int64)
        if times.size == 0 or times[-1] != T:
            times = np.append(times, T)
    if initial_weights is None:
        wr, wc = np.zeros(n), np.zeros(m)
    else:
        try:
            w_row, w_col = initial_weights
        except (TypeError, ValueError):
            raise ValueError("initial_weights: expected a pair (w_row, w_col)") from None
        wr = _check_weights(w_row, n, "initial_weights[0]")
        wc = _check_weights(w_col, m, "initial_weights[1]")
    sizes = {x.shape[0] for x in (wr, wc) if x.ndim == 2}
    batched_weights = bool(sizes)
    if len(sizes) > 1:
        raise ValueError(f"initial_weights: batch sizes differ: {sorted(sizes)}")
    if batch is not None:
        if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
            raise ValueError(f"batch: must be a positive integer, got {batch!r}")
        if sizes and sizes != {int(batch)}:
            raise ValueError(f"batch: {batch} runs but initial_weights has batch size {min(sizes)}")
    elif sizes:
        batch = min(sizes)
    params = {"game": gname, "iterations": T, "tie_break": tie_break, "batch": batch,
              "record_every": record_every, "seed": seed if not isinstance(seed, np.random.SeedSequence) else str(seed),
              "initial_weights": (None if initial_weights is None else
                                  (wr.tolist(), wc.tolist()) if not batched_weights else
                                  f"batched, shapes {wr.shape} and {wc.shape}")}

    if batch is None:
        keep = True if keep_actions is None else bool(keep_actions)
        rng = None if first else np.random.default_rng(seed)
        seg = np.array(_run_single(A, B, wr, wc, T, first, rng), dtype=np.int64).reshape(-1, 4)
        cr, cc = _record_from_segments(seg, times, m, n)
        row_counts, col_counts = cr[-1].astype(np.int64), cc[-1].astype(np.int64)
        freq_r = cr / times[:, None]
        freq_c = cc / times[:, None]
        segments = np.concatenate([np.zeros((seg.shape[0], 1), np.int64), seg], axis=1) if keep else None
        method = "event-driven exact fictitious play (one run, Python integers)"
        weights_r, weights_c = wr, wc
    else:
        keep = False if keep_actions is None else bool(keep_actions)
        R = int(batch)
        WR = np.broadcast_to(wr, (R, n)) if wr.ndim == 1 else wr
        WC = np.broadcast_to(wc, (R, m)) if wc.ndim == 1 else wc
        freq_r, freq_c, row_counts, col_counts, segments, kind = _run_batch(
            A, B, np.ascontiguousarray(WR), np.ascontiguousarray(WC), T, first, seed, times, keep)
        method = f"event-driven exact fictitious play (batch of {R}, vectorized, {kind})"
        weights_r, weights_c = WR, WC
    bel_r = weights_r + col_counts
    bel_c = weights_c + row_counts
    bel_r = bel_r / bel_r.sum(axis=-1, keepdims=True)
    bel_c = bel_c / bel_c.sum(axis=-1, keepdims=True)
    return FictitiousPlayResult(times=times, row_frequencies=freq_r, col_frequencies=freq_c,
                                row_counts=row_counts, col_counts=col_counts,
                                row_beliefs=bel_r, col_beliefs=bel_c, segments=segments,
                                method=method, params=params)
