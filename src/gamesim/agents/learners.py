"""Learning agents: fictitious play, regret matching, Hedge, best-response dynamics.

Each class is a small frozen dataclass of parameters (a :class:`~gamesim.sim.protocol.Strategy`);
its :meth:`runner` keeps the learning state of *all* its units in arrays and advances
them with a constant number of NumPy calls per round (a loop over the game's player
positions, never over units).  They work for any number of players and in every
matching mode of the environment:

* in fixed matchings (round robin, ``"pairs"``, graph edges) a unit is one seat in
  one match, so it always plays the same position against the same partner(s);
* under random matching a unit is an agent, which may sit in a different position
  every round.  State that belongs to a position (regrets, weights, the last action)
  is kept per position; fictitious-play beliefs are kept about each *position* and
  shared by all the unit's seats.

What a unit observes after a round is the realised joint action (after any noise).
Learners that need counterfactual payoffs -- what each own action would have earned
against the others' realised actions -- read them off the payoff tensor
(full-information feedback).

Runner methods for analysis (all take ``player``, the seat, because the number of
actions depends on it, and optional ``units``, default all):

* ``runner.strategy(player, units)`` -- ``(k, m_player)`` probabilities the units would
  play now in that seat;
* ``runner.empirical(player, units)`` -- ``(k, m_player)`` frequencies of the units' own
  past actions in that seat (NaN rows for units that never sat there);
* ``runner.beliefs(player, units)`` (fictitious play) -- normalised beliefs about each
  other position, a tuple in seat order skipping ``player``.

References
----------
.. [B51] G. W. Brown, "Iterative solution of games by fictitious play", in *Activity
   Analysis of Production and Allocation*, 1951.
.. [R51] J. Robinson, "An iterative method of solving a game", Ann. Math. 54, 1951.
.. [FK93] D. Fudenberg and D. M. Kreps, "Learning mixed equilibria", Games Econ. Behav. 5, 1993.
.. [HM00] S. Hart and A. Mas-Colell, "A simple adaptive procedure leading to correlated
   equilibrium", Econometrica 68(5), 2000.
.. [FS97] Y. Freund and R. E. Schapire, "A decision-theoretic generalization of on-line
   learning and an application to boosting", J. Comput. Syst. Sci. 55, 1997.
.. [CBL06] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, 2006.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sim.games import NormalFormGame
from ..sim.protocol import Conventions, Runner, Strategy, describe_params

__all__ = [
    "Learner", "LearnerRunner", "FictitiousPlay", "StochasticFictitiousPlay", "RegretMatching",
    "Hedge", "BestResponseDynamics", "LEARNERS",
]

_TIE_BREAKS = ("first", "random")


# ---------------------------------------------------------------------------
# helpers (all vectorized over units)
# ---------------------------------------------------------------------------
def _letters(n: int) -> str:
    letters = string.ascii_letters.replace("z", "")
    if n > len(letters):
        raise ValueError(f"game: {n} players is more than the learners' einsum supports")
    return letters[:n]


def _sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1; zero-probability actions never drawn)."""
    if probs.shape[0] == 0:
        return np.zeros(0, np.intp)
    c = np.cumsum(probs, axis=1)
    c /= c[:, -1:]
    u = rng.random(probs.shape[0])
    return np.count_nonzero(c <= u[:, None], axis=1).astype(np.intp)


def _best_response(values: np.ndarray, tie_break: str, rng: np.random.Generator) -> np.ndarray:
    """Argmax per row: lowest index, or uniform among exact ties (draws only for tied rows)."""
    if tie_break == "first" or values.shape[0] == 0:
        return np.argmax(values, axis=1).astype(np.intp)
    mask = values == values.max(axis=1, keepdims=True)
    cnt = mask.sum(axis=1)
    out = np.argmax(mask, axis=1).astype(np.intp)
    tied = np.flatnonzero(cnt > 1)
    if tied.size:
        pick = np.floor(rng.random(tied.size) * cnt[tied]).astype(np.intp)   # which of the ties
        rank = np.cumsum(mask[tied], axis=1) - 1                               # rank among ties
        out[tied] = np.argmax(mask[tied] & (rank == pick[:, None]), axis=1)
    return out


def _br_distribution(values: np.ndarray, tie_break: str) -> np.ndarray:
    """The mixed strategy behind :func:`_best_response`: one-hot, or uniform over ties."""
    if tie_break == "first":
        out = np.zeros(values.shape)
        out[np.arange(values.shape[0]), np.argmax(values, axis=1)] = 1.0
        return out
    mask = (values == values.max(axis=1, keepdims=True)).astype(float)
    return mask / mask.sum(axis=1, keepdims=True)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _check_positive(value: Any, field: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: expected a number, got {value!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{field}: must be a positive finite number, got {value!r}")
    return v


# ---------------------------------------------------------------------------
# base classes
# ---------------------------------------------------------------------------
class Learner(Strategy):
    """Base of the learning strategies: display name from the parameters."""

    memory_depth: ClassVar[float] = float("inf")

    @property
    def name(self) -> str:
        return describe_params(self)


class LearnerRunner(Runner):
    """State shared by every learner's runner, in arrays over units.

    Attributes
    ----------
    own_counts : list of ndarray
        ``own_counts[p][u, a]``: how often unit ``u`` played ``a`` while in seat ``p``.
    rounds : list of ndarray
        ``rounds[p][u]``: rounds unit ``u`` has played in seat ``p``.
    seat : ndarray
        The seat each unit played last (-1 before its first round).
    """

    def __init__(self, game: NormalFormGame, n_units: int, rng: np.random.Generator) -> None:
        self.game = game
        self.P = game.n_players
        self.m = game.n_actions
        self.n_units = int(n_units)
        self.rng = rng
        self.own_counts = [np.zeros((self.n_units, m)) for m in self.m]
        self.rounds = [np.zeros(self.n_units, np.int64) for _ in range(self.P)]
        self.seat = np.full(self.n_units, -1, np.intp)
        self._part_cache: tuple | None = None
        # cf[p][a_others..., a_p]: player p's payoff with its own action on the last axis,
        # so indexing with the others' actions gives every own action's payoff at once.
        self._cf = [np.moveaxis(np.asarray(game.payoffs[p]), p, -1) for p in range(self.P)]
        lo = [float(np.min(game.payoffs[p])) for p in range(self.P)]
        hi = [float(np.max(game.payoffs[p])) for p in range(self.P)]
        self.payoff_low = lo
        self.payoff_range = [h - l for l, h in zip(lo, hi)]

    # -- the protocol ----------------------------------------------------------
    def _partition(self, units: Any, players: Any) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """``(seat, positions in the call, units)`` per occupied seat.

        Fixed matchings pass the same units and seats every round, so the last
        partition is reused when both arrays are equal to the previous call's.
        """
        units = np.asarray(units, dtype=np.intp)
        players = np.asarray(players, dtype=np.intp)
        cache = self._part_cache
        if (cache is not None and cache[0].shape == players.shape and np.array_equal(cache[0], players)
                and np.array_equal(cache[1], units)):
            return cache[2]
        parts = []
        for p in range(self.P):
            sel = np.flatnonzero(players == p)
            if sel.size:
                parts.append((p, sel, units[sel]))
        self._part_cache = (players.copy(), units.copy(), parts)
        return parts

    def act(self, units: np.ndarray, players: np.ndarray) -> np.ndarray:
        parts = self._partition(units, players)
        out = np.empty(np.size(units), np.intp)
        for p, sel, u in parts:
            out[sel] = self._act(p, u)
            self.seat[u] = p
        return out

    def observe(self, units: np.ndarray, players: np.ndarray, joint: np.ndarray, payoffs: np.ndarray) -> None:
        joint = np.asarray(joint, dtype=np.intp)
        for p, sel, u in self._partition(units, players):
            jt = joint[sel]
            self._observe(p, u, jt)
            self.own_counts[p][u, jt[:, p]] += 1.0
            self.rounds[p][u] += 1

    # -- analysis ----------------------------------------------------------------
    def _units(self, units: Any) -> np.ndarray:
        return np.arange(self.n_units) if units is None else np.asarray(units, dtype=np.intp)

    def _check_seat(self, player: int) -> int:
        if not (isinstance(player, (int, np.integer)) and 0 <= player < self.P):
            raise ValueError(f"player: expected a seat in 0..{self.P - 1}, got {player!r}")
        return int(player)

    def strategy(self, player: int, units: Any = None) -> np.ndarray:
        """Probabilities, shape ``(k, m_player)``, with which the units would play now in seat ``player``."""
        p = self._check_seat(player)
        return self._strategy(p, self._units(units))

    def empirical(self, player: int, units: Any = None) -> np.ndarray:
        """Frequencies of the units' own past actions in seat ``player`` (NaN if never there)."""
        p = self._check_seat(player)
        u = self._units(units)
        c = self.own_counts[p][u]
        n = c.sum(axis=1, keepdims=True)
        return np.divide(c, n, out=np.full(c.shape, np.nan), where=n > 0)

    def counterfactual(self, player: int, joint: np.ndarray) -> np.ndarray:
        """``(k, m_player)``: each own action's payoff against the others' actions in ``joint`` (k, P)."""
        p = self._check_seat(player)
        return self._counterfactual(p, np.asarray(joint, dtype=np.intp))

    def _counterfactual(self, p: int, joint: np.ndarray) -> np.ndarray:
        idx = tuple(joint[:, j] for j in range(self.P) if j != p)
        return self._cf[p][idx] if idx else np.broadcast_to(self._cf[p], (joint.shape[0], self.m[p])).copy()

    # -- for subclasses ------------------------------------------------------------
    def _act(self, p: int, u: np.ndarray) -> np.ndarray:
        return _sample(self._strategy(p, u), self.rng)

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _observe(self, p: int, u: np.ndarray, joint: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# ---------------------------------------------------------------------------
# fictitious play
# ---------------------------------------------------------------------------
def _normalise_initial_weights(value: Any) -> Any:
    """Hashable nested tuples of floats; the shape is checked against the game later."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError("initial_weights: expected one entry per seat, e.g. ((1.5, 2), (2, 1.5))")
    seats = []
    for p, entry in enumerate(value):
        try:
            flat = [float(x) for x in entry]
            seats.append(tuple(flat))
            continue
        except (TypeError, ValueError):
            pass
        try:
            seats.append(tuple(tuple(float(x) for x in w) for w in entry))
        except (TypeError, ValueError):
            raise ValueError(f"initial_weights[{p}]: expected numbers, or one sequence of numbers per other player") from None
    return tuple(seats)


class _BeliefRunner(LearnerRunner):
    """Beliefs about each player position: prior weights per seat plus observed counts.

    ``obs[j][u, a]`` counts how often unit ``u`` saw position ``j`` play ``a`` (from any
    other seat).  Seat ``p``'s belief weights about ``j`` are ``prior[p][j] + obs[j][u]``;
    the belief is their normalisation, or uniform while they are all zero.

    Best responses are decided on *exact* values: payoffs and prior weights are scaled
    to integers (:func:`~gamesim.agents.fast_fp.exact_scale`: integers as they are,
    short decimals such as 0.37 or 1.5 as those decimals), held in integer-valued
    floats, whose sums and products are exact below 2^53 (scaled payoffs are kept
    below 2^24, so two-player values stay exact for hundreds of millions of rounds).
    Payoffs that are not short decimals stay as floats, and their ties are float ties.  In two-player games these values ``U_p @ weights`` are kept
    up to date incrementally: observing the other play ``b`` adds payoff column ``b``.
    """

    def __init__(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
                 initial_weights: Any) -> None:
        from .fast_fp import exact_scale

        super().__init__(game, n_units, rng)
        P, m = self.P, self.m
        prior = [[None if j == p else np.zeros(m[j]) for j in range(P)] for p in range(P)]
        if initial_weights is not None:
            if len(initial_weights) != P:
                raise ValueError(f"initial_weights: {len(initial_weights)} seats given for {P} players")
            for p, entry in enumerate(initial_weights):
                others = [j for j in range(P) if j != p]
                flat = all(isinstance(x, float) for x in entry)
                if flat:
                    if P != 2:
                        raise ValueError(f"initial_weights[{p}]: give one sequence of weights per other "
                                         f"player ({P - 1} of them) in a {P}-player game")
                    entry = (entry,)
                if len(entry) != len(others):
                    raise ValueError(f"initial_weights[{p}]: {len(entry)} weight vectors for {len(others)} other players")
                for j, w in zip(others, entry):
                    w = np.asarray(w, dtype=float)
                    if w.shape != (m[j],):
                        raise ValueError(f"initial_weights[{p}]: player {j} has {m[j]} actions, got {w.size} weights")
                    if not np.all(np.isfinite(w)) or np.any(w < 0):
                        raise ValueError(f"initial_weights[{p}]: weights must be finite and non-negative")
                    prior[p][j] = w
        self.prior = prior
        self.obs = [np.zeros((self.n_units, m[j])) for j in range(P)]
        self.obs_total = [np.zeros(self.n_units) for _ in range(P)]
        # Exact scaled payoffs U_int[p] = payoffs[p] * DU[p] and weights prior_int[p][j] = prior * DW[p].
        self._U_int, self._DU = [], []
        self._prior_int, self._DW = [], []
        for p in range(P):
            Ui, D = exact_scale(game.payoffs[p], limit=2.0 ** 24)   # leaves 2^29 for weights
            self._U_int.append(Ui)
            self._DU.append(float(D))
            others = [j for j in range(P) if j != p]
            if others:
                flat = np.concatenate([prior[p][j] for j in others])
                Wi, DW = exact_scale(flat, limit=2.0 ** 24)
                cuts = np.cumsum([m[j] for j in others])[:-1]
                parts = dict(zip(others, np.split(Wi, cuts)))
            else:
                parts, DW = {}, 1
            self._prior_int.append([parts.get(j) for j in range(P)])
            self._DW.append(float(DW))
        if P == 2:
            U = [np.asarray(game.payoffs[0], dtype=float), np.asarray(game.payoffs[1], dtype=float).T]
            Ui = [self._U_int[0], self._U_int[1].T]                        # [own, other]
            self._U2 = U
            self._inc = [(Ui[p] * self._DW[p]).T.copy() for p in range(2)]   # _inc[p][b]: column of other's b
            self._prior_value = [Ui[p] @ self._prior_int[p][1 - p] for p in range(2)]
            self._prior_total = [float(self._prior_int[p][1 - p].sum()) for p in range(2)]
            self._uniform_raw = [Ui[p].sum(axis=1) for p in range(2)]
            self._uniform_value = [U[p].mean(axis=1) for p in range(2)]
            self.values = [np.zeros((self.n_units, m[p])) for p in range(2)]   # observed part of U_int @ weights

    # -- weights and values ----------------------------------------------------------
    def _weights(self, p: int, u: np.ndarray, scaled: bool) -> list[np.ndarray | None]:
        """Per position j: weights (k, m_j), scaled or not; all-zero rows become ones (uniform)."""
        out: list[np.ndarray | None] = []
        for j in range(self.P):
            if j == p:
                out.append(None)
                continue
            if scaled:
                w = self._prior_int[p][j][None, :] + self._DW[p] * self.obs[j][u]
            else:
                w = self.prior[p][j][None, :] + self.obs[j][u]
            empty = w.sum(axis=1) == 0
            if empty.any():
                w[empty] = 1.0
            out.append(w)
        return out

    def _raw_values(self, p: int, u: np.ndarray) -> np.ndarray:
        """Exact values, a positive multiple (per unit) of the expected payoffs against the beliefs."""
        if self.P == 2:
            v = self._prior_value[p][None, :] + self.values[p][u]
            if self._prior_total[p] == 0:
                empty = self.obs_total[1 - p][u] == 0
                if empty.any():
                    v[empty] = self._uniform_raw[p]
            return v
        return self._einsum(self._U_int[p], p, self._weights(p, u, scaled=True), u.size)

    def _einsum(self, U: np.ndarray, p: int, weights: list, k: int) -> np.ndarray:
        P = self.P
        if P == 1:
            return np.broadcast_to(np.asarray(U, dtype=float), (k, self.m[0])).copy()
        acts = _letters(P)
        subs = [acts]
        ops = [np.asarray(U)]
        for j in range(P):
            if j != p:
                subs.append("z" + acts[j])
                ops.append(weights[j])
        return np.einsum(",".join(subs) + "->z" + acts[p], *ops, optimize=True)

    def expected_values(self, player: int, units: Any = None) -> np.ndarray:
        """Expected payoff of each own action against the current beliefs, ``(k, m_player)``."""
        p = self._check_seat(player)
        u = self._units(units)
        return self._expected_values(p, u)

    def _expected_values(self, p: int, u: np.ndarray) -> np.ndarray:
        if self.P == 2:
            tot = self._prior_total[p] + self._DW[p] * self.obs_total[1 - p][u]
            v = self._prior_value[p][None, :] + self.values[p][u]
            empty = tot == 0
            v = v / (self._DU[p] * np.where(empty, 1.0, tot))[:, None]
            if empty.any():
                v[empty] = self._uniform_value[p]
            return v
        ws = self._weights(p, u, scaled=False)
        ws = [None if w is None else w / w.sum(axis=1, keepdims=True) for w in ws]
        return self._einsum(self.game.payoffs[p], p, ws, u.size)

    def beliefs(self, player: int, units: Any = None) -> tuple[np.ndarray, ...]:
        """Normalised beliefs of the units in seat ``player`` about each other position (seat order)."""
        p = self._check_seat(player)
        u = self._units(units)
        ws = self._weights(p, u, scaled=False)
        return tuple(w / w.sum(axis=1, keepdims=True) for j, w in enumerate(ws) if j != p)

    def _observe(self, p: int, u: np.ndarray, joint: np.ndarray) -> None:
        for j in range(self.P):
            if j != p:
                self.obs[j][u, joint[:, j]] += 1.0
                self.obs_total[j][u] += 1.0
        if self.P == 2:
            # Incremental values: add the (scaled) payoff column of the other's observed action.
            self.values[p][u] += self._inc[p][joint[:, 1 - p]]


class _FPRunner(_BeliefRunner):
    def __init__(self, game, n_units, rng, initial_weights, tie_break):
        super().__init__(game, n_units, rng, initial_weights)
        self.tie_break = tie_break

    def _act(self, p: int, u: np.ndarray) -> np.ndarray:
        return _best_response(self._raw_values(p, u), self.tie_break, self.rng)

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:
        return _br_distribution(self._raw_values(p, u), self.tie_break)


@dataclass(frozen=True)
class FictitiousPlay(Learner):
    """Fictitious play: best response to the empirical frequencies of the others' play (Brown 1951; Robinson 1951).

    Each unit counts every other player position's actions (plus initial belief
    weights) and plays a best response to the product of the normalised counts
    (uniform while a position's weights are all zero).  In two-player games the
    action values are updated incrementally: the payoff column of the observed
    action is added each round, so a round costs no matrix product.

    Parameters
    ----------
    initial_weights : tuple, optional
        One entry per seat ``p``: seat ``p``'s initial belief weights about the other
        player (two-player games: a flat sequence), or one sequence per other player
        in seat order (any number of players).  The notes' matching-pennies start,
        "player 1 believes (1.5, 2) about player 2, player 2 believes (2, 1.5)", is
        ``initial_weights=((1.5, 2), (2, 1.5))``.  Default: no prior.
    tie_break : {"first", "random"}
        Among exactly tied best responses, the lowest index (deterministic), or one
        drawn uniformly with the runner's seeded generator (a draw only when tied).
        Ties are exact floating-point ties of the values, which are exact for integer
        (or dyadic) payoffs and weights.

    Under random matching a unit's beliefs are about positions, shared across the
    seats it takes; under fixed matchings they are beliefs about its fixed partners.
    """

    initial_weights: Any = None
    tie_break: str = "first"
    stochastic: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial_weights", _normalise_initial_weights(self.initial_weights))
        if self.tie_break not in _TIE_BREAKS:
            raise ValueError(f"tie_break: expected 'first' or 'random', got {self.tie_break!r}")

    def is_stochastic(self) -> bool:
        return self.tie_break == "random"

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _FPRunner(game, n_units, rng, self.initial_weights, self.tie_break)


class _SFPRunner(_BeliefRunner):
    def __init__(self, game, n_units, rng, initial_weights, temperature):
        super().__init__(game, n_units, rng, initial_weights)
        self.temperature = temperature

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:
        return _softmax(self._expected_values(p, u) / self.temperature)


@dataclass(frozen=True)
class StochasticFictitiousPlay(Learner):
    """Stochastic fictitious play: logit response to the empirical beliefs (Fudenberg and Kreps 1993).

    Each unit keeps the same beliefs as :class:`FictitiousPlay` and plays action ``a``
    with probability proportional to ``exp(v_a / temperature)``, where ``v_a`` is the
    expected payoff of ``a`` against the (normalised) beliefs; the draw comes from the
    runner's seeded generator.  As ``temperature -> 0`` it approaches fictitious play;
    its rest points are logit quantal-response equilibria.
    """

    temperature: float = 0.1
    initial_weights: Any = None
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "temperature", _check_positive(self.temperature, "temperature"))
        object.__setattr__(self, "initial_weights", _normalise_initial_weights(self.initial_weights))

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _SFPRunner(game, n_units, rng, self.initial_weights, self.temperature)


# ---------------------------------------------------------------------------
# regret matching
# ---------------------------------------------------------------------------
class _RMRunner(LearnerRunner):
    """Unconditional: ``regret[p][u, k] = sum_t u(k, a_-p) - u(a)``.

    Conditional: ``swap[p][u, j, k] = sum_{t: own action j} u(k, a_-p) - u(a)``.
    """

    def __init__(self, game, n_units, rng, conditional: bool, mu: float | None):
        super().__init__(game, n_units, rng)
        self.conditional = conditional
        P, m = self.P, self.m
        if conditional:
            self.swap = [np.zeros((self.n_units, m[p], m[p])) for p in range(P)]
            self.last = [np.full(self.n_units, -1, np.intp) for _ in range(P)]
            mus = []
            for p in range(P):
                bound = (m[p] - 1) * self.payoff_range[p]      # the largest possible sum of regrets
                if mu is None:
                    mus.append(2.0 * bound if bound > 0 else 1.0)
                else:
                    if not mu > bound:
                        raise ValueError(f"mu: must exceed (m - 1) x payoff range = {bound:g} for player {p}, got {mu!r}")
                    mus.append(float(mu))
            self.mu = mus
        else:
            self.regret = [np.zeros((self.n_units, m[p])) for p in range(P)]

    def _observe(self, p: int, u: np.ndarray, joint: np.ndarray) -> None:
        cf = self._counterfactual(p, joint)                          # (k, m_p)
        own = joint[:, p]
        gain = cf - cf[np.arange(u.size), own][:, None]
        if self.conditional:
            self.swap[p][u, own] += gain
            self.last[p][u] = own
        else:
            self.regret[p][u] += gain

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:
        m = self.m[p]
        if not self.conditional:
            pos = np.maximum(self.regret[p][u], 0.0)
            s = pos.sum(axis=1, keepdims=True)
            return np.where(s > 0, pos / np.where(s > 0, s, 1.0), 1.0 / m)
        k = u.size
        rows = np.arange(k)
        last = self.last[p][u]
        fresh = last < 0
        j = np.where(fresh, 0, last)
        t = np.maximum(self.rounds[p][u], 1).astype(float)
        pos = np.maximum(self.swap[p][u, j] / t[:, None], 0.0) / self.mu[p]   # R+(j, k) / mu
        pos[rows, j] = 0.0
        probs = pos
        probs[rows, j] = 1.0 - pos.sum(axis=1)
        if fresh.any():
            probs[fresh] = 1.0 / m
        return probs

    def regrets(self, player: int, units: Any = None) -> np.ndarray:
        """Average regrets: external ``(k, m)`` or conditional ``(k, m, m)`` (entry ``[j, k]``)."""
        p = self._check_seat(player)
        u = self._units(units)
        t = np.maximum(self.rounds[p][u], 1).astype(float)
        if self.conditional:
            return self.swap[p][u] / t[:, None, None]
        return self.regret[p][u] / t[:, None]


@dataclass(frozen=True)
class RegretMatching(Learner):
    """Regret matching (Hart and Mas-Colell 2000, Econometrica 68).

    ``conditional=False`` (unconditional / external regret matching): play each action
    with probability proportional to its positive cumulative regret
    ``R(k) = sum_t [u(k, a_-i,t) - u(a_t)]`` (uniform when no regret is positive).  The
    average external regret vanishes, so the empirical joint play approaches the set of
    coarse correlated equilibria.

    ``conditional=True`` (Hart and Mas-Colell's procedure): with last action ``j``,
    switch to ``k != j`` with probability ``R+(j, k) / mu`` and stay with ``j`` otherwise,
    where ``R(j, k) = (1/t) sum_{s <= t: a_s = j} [u(k, a_-i,s) - u(a_s)]`` is the average
    conditional regret.  ``mu`` must exceed the largest possible sum of regrets,
    ``(m - 1) x (max payoff - min payoff)``, so that staying keeps positive
    probability; the default is twice that (per player; 1 for a constant payoff).  The
    empirical joint play approaches the set of correlated equilibria.  The first round
    in a seat is uniform.

    Regrets use the counterfactual payoffs of the realised joint action (what each own
    action would have earned against the others' actual actions).
    """

    conditional: bool = False
    mu: float | None = None
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.conditional, (bool, np.bool_)):
            raise ValueError(f"conditional: expected True or False, got {self.conditional!r}")
        object.__setattr__(self, "conditional", bool(self.conditional))
        if self.mu is not None:
            object.__setattr__(self, "mu", _check_positive(self.mu, "mu"))
            if not self.conditional:
                raise ValueError("mu: only conditional regret matching uses mu")

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _RMRunner(game, n_units, rng, self.conditional, self.mu)


# ---------------------------------------------------------------------------
# Hedge
# ---------------------------------------------------------------------------
class _HedgeRunner(LearnerRunner):
    def __init__(self, game, n_units, rng, eta):
        super().__init__(game, n_units, rng)
        self.eta = eta
        self.gains = [np.zeros((self.n_units, m)) for m in self.m]   # cumulative normalised gains

    def learning_rate(self, player: int, units: Any = None) -> np.ndarray:
        """The learning rate each unit uses for its next round in seat ``player``."""
        p = self._check_seat(player)
        u = self._units(units)
        return self._eta(p, u)

    def _eta(self, p: int, u: np.ndarray) -> np.ndarray:
        if self.eta == "anytime":
            t = self.rounds[p][u] + 1.0
            return np.sqrt(8.0 * math.log(self.m[p]) / t)
        return np.full(u.size, float(self.eta))

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:
        return _softmax(self._eta(p, u)[:, None] * self.gains[p][u])

    def _observe(self, p: int, u: np.ndarray, joint: np.ndarray) -> None:
        cf = self._counterfactual(p, joint)
        rng_p = self.payoff_range[p]
        g = (cf - self.payoff_low[p]) / rng_p if rng_p > 0 else np.zeros_like(cf)
        self.gains[p][u] += g


@dataclass(frozen=True)
class Hedge(Learner):
    """Hedge / multiplicative weights on full-information action values (Freund and Schapire 1997).

    Each round every own action's counterfactual payoff against the others' realised
    actions is rescaled to ``[0, 1]`` by the player's payoff range,
    ``g = (u - min u) / (max u - min u)``, and added to its cumulative gain ``G``; the
    unit plays ``softmax(eta G)``.  Against any sequence of opponent play the expected
    regret over ``T`` rounds is at most ``ln(m) / eta + eta T / 8`` in these units
    (Freund and Schapire's Hedge(beta) bound with beta = exp(-eta); the form here is
    Cesa-Bianchi and Lugosi 2006, Thm 2.2), i.e. times the payoff range in payoffs.

    ``eta="anytime"`` uses the decreasing rate ``eta_t = sqrt(8 ln m / t)`` in round
    ``t`` (Cesa-Bianchi and Lugosi, Thm 2.3: regret at most
    ``2 sqrt(T ln(m) / 2) + sqrt(ln(m) / 8)``).
    """

    eta: Any = 0.1
    stochastic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.eta != "anytime":
            object.__setattr__(self, "eta", _check_positive(self.eta, "eta"))

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _HedgeRunner(game, n_units, rng, self.eta)


# ---------------------------------------------------------------------------
# best-response dynamics
# ---------------------------------------------------------------------------
class _BRDRunner(LearnerRunner):
    def __init__(self, game, n_units, rng, inertia, tie_break):
        super().__init__(game, n_units, rng)
        self.inertia = inertia
        self.tie_break = tie_break
        # Values against the others' last actions; first round: against uniform play.
        self.last_values = []
        for p in range(self.P):
            others = tuple(j for j in range(self.P) if j != p)
            uniform = np.asarray(self.game.payoffs[p]).mean(axis=others) if others else np.asarray(self.game.payoffs[p])
            self.last_values.append(np.tile(uniform, (self.n_units, 1)))
        self.last = [np.full(self.n_units, -1, np.intp) for _ in range(self.P)]

    def _act(self, p: int, u: np.ndarray) -> np.ndarray:
        a = _best_response(self.last_values[p][u], self.tie_break, self.rng)
        if self.inertia > 0:
            prev = self.last[p][u]
            keep = (self.rng.random(u.size) < self.inertia) & (prev >= 0)
            a = np.where(keep, prev, a)
        return a

    def _strategy(self, p: int, u: np.ndarray) -> np.ndarray:
        br = _br_distribution(self.last_values[p][u], self.tie_break)
        if self.inertia > 0:
            prev = self.last[p][u]
            has = prev >= 0
            stay = np.zeros_like(br)
            stay[np.flatnonzero(has), prev[has]] = 1.0
            br = np.where(has[:, None], (1 - self.inertia) * br + self.inertia * stay, br)
        return br

    def _observe(self, p: int, u: np.ndarray, joint: np.ndarray) -> None:
        self.last_values[p][u] = self._counterfactual(p, joint)
        self.last[p][u] = joint[:, p]


@dataclass(frozen=True)
class BestResponseDynamics(Learner):
    """Myopic best-response dynamics: best response to the others' actions last round (Cournot 1838).

    In its first round in a seat a unit best-responds to uniform play.  With
    probability ``inertia`` a unit keeps its previous action instead (the inertia of
    Young's and Monderer and Shapley's best-response processes), which lets
    simultaneous best responses settle in potential games.  Ties: lowest index, or
    uniform with ``tie_break="random"``.
    """

    inertia: float = 0.0
    tie_break: str = "first"
    stochastic: ClassVar[bool] = False

    def __post_init__(self) -> None:
        try:
            v = float(self.inertia)
        except (TypeError, ValueError):
            raise ValueError(f"inertia: expected a probability, got {self.inertia!r}") from None
        if not 0 <= v < 1:
            raise ValueError(f"inertia: must lie in [0, 1), got {self.inertia!r}")
        object.__setattr__(self, "inertia", v)
        if self.tie_break not in _TIE_BREAKS:
            raise ValueError(f"tie_break: expected 'first' or 'random', got {self.tie_break!r}")

    def is_stochastic(self) -> bool:
        return self.inertia > 0 or self.tie_break == "random"

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return _BRDRunner(game, n_units, rng, self.inertia, self.tie_break)


LEARNERS = (FictitiousPlay, StochasticFictitiousPlay, RegretMatching, Hedge, BestResponseDynamics)
