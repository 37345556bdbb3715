"""Bargainer agents: play a bargained settlement round by round and enforce it.

A bargainer never solves a bargaining problem itself (DESIGN principle 3): it asks
:class:`gamesim.bargaining.Oracle` for its game's :class:`~gamesim.bargaining.Settlement`
once (the oracle caches it per game) and then, every round,

1. **plays its part of the settlement's correlated joint strategy.**  The
   environment gives every match a public signal ``u`` in [0, 1) per round (the
   same number for all its seats, drawn from the seeded signal stream; see
   :class:`~gamesim.sim.protocol.RoundContext`).  The joint lottery's outcomes are
   laid out on [0, 1) in a fixed order, ``u`` picks the prescribed outcome, and each
   bargainer plays its own action of it.  A settlement that mixes outcomes -- the
   way a transferable-utility value such as CoCo is reached without side payments --
   is thus carried out by alternating between those outcomes in the right
   proportions (exactly so, up to ``O(log T / T)``, with the environment's
   ``signal="rotation"``);
2. **watches the joint action.**  If the joint action differs from the prescribed
   outcome (any player, noise included, so partners that both bargain switch
   together), it plays its **fallback** -- the disagreement strategy of its
   settlement -- forever, or for ``forgiveness`` rounds and then returns to the
   settlement.

The fallback by method:

=====================================  ===========================================
bargainer                              fallback strategy (its own part)
=====================================  ===========================================
``NashBargainer("nash")``              the selected Nash equilibrium's strategy
``NashBargainer("minmax")``            its minmax (punishing) strategy against the
                                       partner (two players)
``NashBargainer("threat")``            Nash's (1953) optimal threat
``NashBargainer("ce")``,               its part of the fallback correlated
``CorrelatedFallbackBargainer``        equilibrium, carried out from the signal
``CoCoBargainer``                      its threat in the competitive game
``HarsanyiBargainer``                  its coalition threat
=====================================  ===========================================

**Security.**  A fallback need not be a best reply to what the partner actually does
(a Nash-equilibrium strategy against a partner that keeps punishing earns less than
the equilibrium payoff).  With ``secure=True`` (default), once at least
``PATIENCE`` fallback rounds have paid on average significantly less than the
bargainer's security level ``s_i`` (its maxmin value; mean below
``s_i - Z * sd / sqrt(n)``), it plays its maxmin strategy in every later fallback
round.  A bargainer therefore earns, in the long run, at least
``min(d_i, s_i)`` minus a transient: ``d_i`` (its disagreement payoff) when the
partner plays its part of the fallback, and ``s_i`` whatever the partner does.
Against a partner that holds it to its minmax value (``Defector`` under the default
conventions) no strategy earns more than ``s_i`` -- a disagreement point above the
security level (a Nash equilibrium or correlated equilibrium of chicken, say)
cannot be guaranteed.  ``secure=False`` keeps the fallback committed (threats are
carried out however much they cost).

**Two bargainers of different methods** (the agreement rule, :func:`agreement`).
Bargainers announce their settlements (each is a pure function of the game, so
this is common knowledge among bargainers).  In a match:

* if every bargainer seat proposes the same joint lottery, that is played;
* otherwise a proposal is *acceptable* when it gives every bargainer seat ``i`` at
  least its own disagreement payoff ``d_i``; among acceptable proposals the one
  with the largest product of gains ``prod_i (x_i - d_i)`` is played (ties: the
  proposal of the lowest seat) -- the Nash (1950) criterion applied to the
  proposals on the table;
* if no proposal is acceptable to all, there is no deal: every bargainer plays its
  fallback from the first round (and ``forgiveness`` does not apply: there is no
  settlement to return to).

Non-bargainers announce nothing; against them a bargainer plays (and enforces) its
own settlement.

References
----------
.. [N50] J. F. Nash, "The bargaining problem", Econometrica 18, 1950.
.. [N53] J. F. Nash, "Two-person cooperative games", Econometrica 21, 1953.
.. [H63] J. C. Harsanyi, "A simplified bargaining model for the n-person cooperative
   game", International Economic Review 4, 1963.
.. [KK13] A. Kalai, E. Kalai, "Cooperation in strategic games revisited", QJE 128, 2013.
.. [D22] Diffractor, "Threat-resistant bargaining megapost", 2022 (the seed
   ``threat-resistant-bargaining-correlated-fallback.txt``).
.. [A74] R. J. Aumann, "Subjectivity and correlation in randomized strategies",
   J. Math. Econ. 1, 1974 (the public signal).
.. [FM86] D. Fudenberg, E. Maskin, "The folk theorem in repeated games with
   discounting or with incomplete information", Econometrica 54, 1986 (reverting
   to punishment on a deviation).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sim.games import NormalFormGame
from ..sim.protocol import Conventions, RoundContext, Runner, Strategy, describe_params

__all__ = [
    "Bargainer", "CoCoBargainer", "HarsanyiBargainer", "NashBargainer", "CorrelatedFallbackBargainer",
    "Agreement", "agreement", "security_strategies", "BARGAINERS",
]

#: Fallback rounds before the security check may fire.
PATIENCE = 10
#: Standard errors by which fallback payoffs must fall short of the security level.
Z = 3.0
#: The security check runs every this many rounds in which some unit is in its fallback.
CHECK_EVERY = 5
#: "Forever" in rounds of fallback left.
_FOREVER = np.iinfo(np.int64).max // 4
#: Plan id of a match without a deal (bargainers fall back from the start).
NO_DEAL = -1


@functools.lru_cache(maxsize=64)
def _oracle(method: str, disagreement: str, transferable: bool):
    """One oracle per parameter set, shared by every bargainer: settlements are computed once."""
    from ..bargaining.oracle import Oracle

    if method in ("nash",):
        return Oracle(method, disagreement=disagreement)
    if method == "ce-fallback":
        return Oracle(method, transferable=transferable)
    return Oracle(method)


def _check_forgiveness(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"forgiveness: expected None (punish forever) or a positive number of rounds, got {value!r}")


class Bargainer(Strategy):
    """Base of the bargainer agents: ask the oracle once, play the settlement, enforce it.

    Subclasses are frozen dataclasses with the fields ``forgiveness`` (``None``:
    fall back forever after a deviation; ``k``: for ``k`` rounds) and ``secure``
    (switch to the maxmin strategy when the fallback pays significantly less than
    the security level); see the module docstring for the whole protocol.
    """

    memory_depth: ClassVar[float] = float("inf")
    stochastic: ClassVar[bool] = True
    batch_key: ClassVar[str | None] = "bargainer"

    forgiveness: int | None
    secure: bool

    def __post_init__(self) -> None:
        _check_forgiveness(self.forgiveness)
        if not isinstance(self.secure, (bool, np.bool_)):
            raise ValueError(f"secure: expected True or False, got {self.secure!r}")

    @property
    def name(self) -> str:
        return describe_params(self)

    def oracle(self):
        """The :class:`~gamesim.bargaining.Oracle` this bargainer asks (shared, caching)."""
        raise NotImplementedError

    def settlement(self, game: NormalFormGame):
        """The settlement of ``game`` this bargainer proposes and plays (cached by the oracle)."""
        return self.oracle().settle(game)

    def fallback(self, game: NormalFormGame) -> tuple[tuple[np.ndarray, ...] | None, np.ndarray | None]:
        """What it plays after a deviation: ``(mixed strategy per seat, None)`` or ``(None, correlated joint)``."""
        s = self.settlement(game)
        if s.disagreement_joint is not None:
            return None, np.asarray(s.disagreement_joint, dtype=float)
        if s.disagreement_strategies is not None:
            return tuple(np.asarray(x, dtype=float) for x in s.disagreement_strategies), None
        return security_strategies(game)[0], None

    def runner(self, game: NormalFormGame, n_units: int, rng: np.random.Generator,
               conventions: Conventions | None = None) -> Runner:
        return BargainerRunner(game, [self], np.zeros(n_units, np.intp), rng)

    @classmethod
    def batch_runner(cls, game: NormalFormGame, strategies: list[Strategy], unit_strategy: np.ndarray,
                     rng: np.random.Generator, conventions: Conventions | None = None) -> Runner:
        return BargainerRunner(game, list(strategies), unit_strategy, rng)


@dataclass(frozen=True)
class CoCoBargainer(Bargainer):
    """Plays the CoCo value (Kalai & Kalai 2013) without side payments.

    The settlement plays welfare-maximising outcomes in the proportions that give
    each player its CoCo value whenever a lottery over them can; the value's
    ``transfers`` are then zero.  Fallback: its threat in the competitive game
    ``(U_i - U_j) / 2``.  Not scale invariant: the value compares utilities.
    """

    forgiveness: int | None = None
    secure: bool = True

    def oracle(self):
        return _oracle("coco", "", False)


@dataclass(frozen=True)
class HarsanyiBargainer(Bargainer):
    """Plays the coalition-perfect Harsanyi (= CoCo) equilibrium (Harsanyi 1963).

    Reached without transfers and invariant to rescaling each player's utility;
    for two players Nash's (1953) threat solution.  Fallback: its coalition threat.
    """

    forgiveness: int | None = None
    secure: bool = True

    def oracle(self):
        return _oracle("harsanyi", "", False)


@dataclass(frozen=True)
class NashBargainer(Bargainer):
    """Plays the Nash (1950) bargaining solution from a disagreement point.

    ``disagreement``: ``"nash"`` (a Nash equilibrium, selected by
    :func:`gamesim.bargaining.nash_point`), ``"minmax"`` (everyone's minmax value;
    fallback: punish the partner, two players only), ``"threat"`` (Nash's 1953
    optimal threats, two players) or ``"ce"`` (the correlated-equilibrium fallback).
    """

    disagreement: str = "nash"
    forgiveness: int | None = None
    secure: bool = True

    def __post_init__(self) -> None:
        from ..bargaining.oracle import DISAGREEMENTS

        if self.disagreement not in DISAGREEMENTS:
            raise ValueError(f"disagreement: expected one of {', '.join(DISAGREEMENTS)}, got {self.disagreement!r}")
        super().__post_init__()

    def oracle(self):
        return _oracle("nash", self.disagreement, False)

    def fallback(self, game: NormalFormGame):
        if self.disagreement != "minmax":
            return super().fallback(game)
        if game.n_players != 2:
            raise ValueError("disagreement: the 'minmax' fallback punishes one partner and needs a two-player "
                             f"game, got {game.n_players} players; use 'nash' or 'ce'")
        from ..bargaining.disagreement import minmax_point

        punishers = minmax_point(game).details["punishers"]
        # Seat p punishes its partner 1 - p with the partner's punisher strategy.
        return (np.asarray(punishers[1], dtype=float), np.asarray(punishers[0], dtype=float)), None


@dataclass(frozen=True)
class CorrelatedFallbackBargainer(Bargainer):
    """The threat-resistant essay's bargainer (Diffractor 2022): fall back to a correlated equilibrium.

    The disagreement point is a correlated equilibrium (selected by the Nash
    product over the correlated-equilibrium payoff set); the surplus over it is
    split by the Nash bargaining solution, or equally in payoff units with
    ``transferable=True``.  Threats that nobody would carry out (strictly dominated
    actions) are in no correlated equilibrium, so they buy nothing.  Fallback: its
    part of that correlated equilibrium, carried out from the public signal -- a
    fallback the partner has no reason to leave.
    """

    transferable: bool = False
    forgiveness: int | None = None
    secure: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.transferable, (bool, np.bool_)):
            raise ValueError(f"transferable: expected True or False, got {self.transferable!r}")
        super().__post_init__()

    def oracle(self):
        return _oracle("ce-fallback", "", bool(self.transferable))


BARGAINERS = (CoCoBargainer, HarsanyiBargainer, NashBargainer, CorrelatedFallbackBargainer)
"""The bargainer classes."""


# ---------------------------------------------------------------------------
# The agreement rule
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """What the bargainers of one match play (see the module docstring's agreement rule).

    Attributes
    ----------
    joint : ndarray or None
        The agreed correlated lottery over pure profiles; None if there is no deal.
    payoffs : ndarray or None
        Its expected payoffs.
    proposer : int or None
        The seat whose settlement was agreed (the lowest such seat).
    bargainers : tuple of int
        The seats held by bargainers.
    reason : str
        ``"same proposal"``, ``"largest product of gains"``, ``"no bargainer"``,
        ``"no proposal acceptable to all"``.
    """

    joint: np.ndarray | None
    payoffs: np.ndarray | None
    proposer: int | None
    bargainers: tuple
    reason: str


def agreement(game: NormalFormGame, seats: Any) -> Agreement:
    """The lottery the bargainers among ``seats`` (one strategy per player) agree on.

    Parameters
    ----------
    game : NormalFormGame
    seats : sequence of Strategy
        The strategy in each seat of the match; non-bargainers propose nothing.

    Returns
    -------
    Agreement

    Examples
    --------
    >>> import gamesim as gs
    >>> bos = gs.games.battle_of_the_sexes()
    >>> a = agreement(bos, [NashBargainer("nash"), CoCoBargainer()])
    >>> a.reason, a.proposer, a.payoffs.tolist()
    ('largest product of gains', 0, [2.0, 1.0])
    """
    seats = tuple(seats)
    if len(seats) != game.n_players:
        raise ValueError(f"seats: expected {game.n_players} strategies (one per player), got {len(seats)}")
    return _agreement(game, seats)


@functools.lru_cache(maxsize=4096)
def _agreement(game: NormalFormGame, seats: tuple) -> Agreement:
    bargainers = tuple(p for p, s in enumerate(seats) if isinstance(s, Bargainer))
    if not bargainers:
        return Agreement(None, None, None, (), "no bargainer")
    settlements = {p: seats[p].settlement(game) for p in bargainers}
    first = settlements[bargainers[0]]
    scale = 1.0 + float(np.max(np.abs(game.payoffs)))
    if all(np.allclose(settlements[p].joint, first.joint, atol=1e-9, rtol=0) for p in bargainers[1:]):
        return Agreement(np.asarray(first.joint), np.asarray(first.achieved), bargainers[0], bargainers,
                         "same proposal")
    best, best_value = None, -math.inf
    for q in bargainers:
        x = np.asarray(settlements[q].achieved, dtype=float)
        gains = np.array([x[p] - settlements[p].disagreement[p] for p in bargainers])
        if np.any(gains < -1e-9 * scale):
            continue
        value = float(np.prod(np.maximum(gains, 0.0)))
        if value > best_value + 1e-12 * scale ** len(bargainers):
            best, best_value = q, value
    if best is None:
        return Agreement(None, None, None, bargainers, "no proposal acceptable to all")
    s = settlements[best]
    return Agreement(np.asarray(s.joint), np.asarray(s.achieved), best, bargainers, "largest product of gains")


@functools.lru_cache(maxsize=256)
def _security(game: NormalFormGame):
    from ..analysis.equilibria import zero_sum_value

    strategies, values = [], []
    for p in range(game.n_players):
        # Player p against all others as one (possibly correlated) opponent.
        U = np.moveaxis(game.payoffs[p], p, 0).reshape(game.n_actions[p], -1)
        sol = zero_sum_value(U)
        x = np.clip(np.where(np.abs(sol.row_strategy) < 1e-9, 0.0, sol.row_strategy), 0.0, None)
        x = x / x.sum()
        x.setflags(write=False)
        strategies.append(x)
        values.append(float(sol.value))
    v = np.array(values)
    v.setflags(write=False)
    return tuple(strategies), v


def security_strategies(game: NormalFormGame) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Each player's maxmin (security) strategy and value ``max_x min_{a_-i} u_i(x, a_-i)``.

    The others are treated as one opponent who may correlate, so the strategy
    guarantees the value against anything they do (von Neumann 1928).

    Examples
    --------
    >>> import gamesim as gs
    >>> x, v = security_strategies(gs.games.chicken())
    >>> x[0].tolist(), v.tolist()
    ([0.0, 1.0], [2.0, 2.0])
    """
    return _security(game)


# ---------------------------------------------------------------------------
# The runner: all bargainers of a population, advanced with array code
# ---------------------------------------------------------------------------
class _Lotteries:
    """Correlated lotteries over outcomes, drawn from a uniform signal by one gather each.

    Lottery ``j``'s support outcomes and cumulative probabilities are padded to a
    common width ``W``; outcome = ``support[j, #(u >= thresholds[j])]``.
    """

    def __init__(self) -> None:
        self._items: list[tuple[np.ndarray, np.ndarray]] = []
        self._keys: dict[bytes, int] = {}
        self.support = np.zeros((0, 1), np.intp)
        self.thresholds = np.zeros((0, 0))

    def add(self, joint: np.ndarray) -> int:
        p = np.clip(np.asarray(joint, dtype=float).ravel(), 0.0, None)
        p = np.where(p < 1e-12, 0.0, p)
        p = p / p.sum()
        key = np.round(p, 12).tobytes()
        if key in self._keys:
            return self._keys[key]
        support = np.flatnonzero(p)
        cum = np.cumsum(p[support])[:-1]
        self._items.append((support, cum))
        self._keys[key] = len(self._items) - 1
        W = max(s.size for s, _ in self._items)
        self.support = np.zeros((len(self._items), W), np.intp)
        self.thresholds = np.full((len(self._items), max(W - 1, 1)), 2.0)
        for j, (s, c) in enumerate(self._items):
            self.support[j, : s.size] = s
            self.support[j, s.size:] = s[-1]
            self.thresholds[j, : c.size] = c
        return len(self._items) - 1

    def draw(self, ids: np.ndarray, u: np.ndarray) -> np.ndarray:
        if self.support.shape[1] == 1:
            return self.support[ids, 0]
        k = (u[:, None] >= self.thresholds[ids]).sum(axis=1)
        return self.support[ids, k]


@dataclass
class _Layout:
    """Per-unit constants of one seating of the runner's units."""

    units: np.ndarray
    seat_strategies: np.ndarray
    full: bool
    players: np.ndarray
    plans: np.ndarray
    deal: np.ndarray
    all_deal: bool
    fb_rows: np.ndarray
    sec_rows: np.ndarray
    any_mixed: bool
    corr: np.ndarray
    corr_mask: np.ndarray
    any_corr: bool
    forgiveness: np.ndarray
    secure_ok: np.ndarray
    security_value: np.ndarray


class BargainerRunner(Runner):
    """State of play of every bargainer unit of a population, advanced with array code.

    Per unit: rounds of fallback left, whether it has switched to its security
    strategy, and its fallback payoff statistics.  Per round: the prescribed
    outcome of each unit's match (a gather from the agreed lottery), its action,
    and after the round one comparison of the joint action with the prescription.
    """

    wants_context: ClassVar[bool] = True
    observes_outcomes: ClassVar[bool] = True

    def __init__(self, game: NormalFormGame, strategies: list[Bargainer], unit_strategy: np.ndarray,
                 rng: np.random.Generator) -> None:
        self.game = game
        self.strategies = list(strategies)
        self.unit_strategy = np.asarray(unit_strategy, dtype=np.intp)
        self.rng = rng
        n, P = self.unit_strategy.size, game.n_players
        self.n_players = P
        self._outcome_actions = np.stack(np.unravel_index(np.arange(game.n_outcomes), game.n_actions), axis=1)
        # Flat outcome index of a joint action row: joint @ strides (C order).
        self._strides = np.array([int(np.prod(game.n_actions[p + 1:])) for p in range(P)], dtype=np.intp)
        self._scale = 1.0 + float(np.max(np.abs(game.payoffs)))
        self.lotteries = _Lotteries()
        sec, sec_val = security_strategies(game)
        self.security_value = np.asarray(sec_val)
        # Mixed strategies by row: per (strategy, seat) its fallback and its security strategy.
        A = max(game.n_actions)
        rows: list[np.ndarray] = []
        S = len(self.strategies)
        self._fallback_row = np.zeros((S, P), np.intp)
        self._security_row = np.zeros((S, P), np.intp)
        self._fallback_lottery = np.full(S, -1, np.intp)     # correlated fallback, or -1
        self.settlements = []
        for k, strat in enumerate(self.strategies):
            if not isinstance(strat, Bargainer):
                raise ValueError(f"strategies: {strat!r} is not a bargainer")
            self.settlements.append(strat.settlement(game))
            mixed, corr = strat.fallback(game)
            if corr is not None and np.count_nonzero(np.asarray(corr) > 1e-12) == 1:
                # A correlated fallback on one outcome needs no signal: each seat's part is pure.
                profile = np.unravel_index(int(np.argmax(corr)), game.n_actions)
                mixed = tuple(np.eye(game.n_actions[p])[profile[p]] for p in range(P))
                corr = None
            if corr is not None:
                self._fallback_lottery[k] = self.lotteries.add(corr)
            for p in range(P):
                self._security_row[k, p] = len(rows)
                rows.append(sec[p])
                self._fallback_row[k, p] = len(rows)
                rows.append(sec[p] if mixed is None else mixed[p])
        cdf = np.full((len(rows), max(A - 1, 1)), 2.0)
        pure = np.full(len(rows), -1, np.intp)
        for r, x in enumerate(rows):
            x = np.clip(np.asarray(x, dtype=float), 0.0, None)
            x = np.where(x < 1e-12, 0.0, x)
            x = x / x.sum()
            cdf[r, : x.size - 1] = np.cumsum(x)[:-1]
            if np.count_nonzero(x) == 1:
                pure[r] = int(np.argmax(x))
        self._cdf, self._pure = cdf, pure
        self._disagreement = np.array([np.asarray(s.disagreement, dtype=float) for s in self.settlements])
        self._forgiveness = np.array([_FOREVER if s.forgiveness is None else int(s.forgiveness)
                                      for s in self.strategies], dtype=np.int64)
        self._secure_ok = np.array([bool(s.secure) for s in self.strategies])
        # Per unit.
        self.left = np.zeros(n, np.int64)
        self.secured = np.zeros(n, bool)
        self.fallback_rounds = np.zeros(n, np.int64)
        self.fallback_sum = np.zeros(n)
        self.fallback_sumsq = np.zeros(n)
        self.deviations = np.zeros(n, np.int64)
        self._prescribed = np.full(n, -1, np.intp)
        # Agreement per match composition, and a cache for fixed matchings.
        self._plan_of_code: dict[int, int] = {}
        self._agreements: dict[int, Agreement] = {}
        self._cached_for = None
        self._cached_plans = None
        self._lay: _Layout | None = None
        self._known_for = None
        self._proposal_plan = [self.lotteries.add(st.joint) for st in self.settlements]
        self._since_check = 0

    # -- agreement ---------------------------------------------------------------
    def _plans(self, ctx: RoundContext) -> np.ndarray:
        """The agreed lottery (plan id) of each unit's match, :data:`NO_DEAL` if none."""
        ss = ctx.seat_strategies
        if ss is self._cached_for:
            return self._cached_plans
        strategies = ctx.strategies
        if self._known_for is not strategies:
            # Global strategy index -> this runner's proposal plan (-1: not one of ours).
            self._proposal_of = np.array([self._proposal_plan[self.strategies.index(st)]
                                          if st in self.strategies else -1 for st in strategies], dtype=np.intp)
            self._is_bargainer = np.array([isinstance(st, Bargainer) for st in strategies])
            self._known_for = strategies
        K = len(strategies)
        barg = self._is_bargainer[ss]
        hi = np.where(barg, ss, -1).max(axis=1)
        lo = np.where(barg, ss, K).min(axis=1)
        plans = self._proposal_of[np.maximum(hi, 0)]
        # Several bargaining strategies at one table (or one this runner does not know):
        # the agreement rule, once per distinct seating.
        hard = (hi != lo) | (plans < 0)
        if hard.any():
            rows = np.flatnonzero(hard)
            codes = ss[rows, 0].astype(np.int64)
            for p in range(1, ss.shape[1]):
                codes = codes * K + ss[rows, p]
            uniq, first, inv = np.unique(codes, return_index=True, return_inverse=True)
            table = np.array([self._plan(int(c), tuple(int(x) for x in ss[rows[i]]), strategies)
                              for c, i in zip(uniq.tolist(), first.tolist())], dtype=np.intp)
            plans[rows] = table[inv.reshape(-1)]
        self._cached_for, self._cached_plans = ss, plans
        return plans

    def _plan(self, code: int, combo: tuple[int, ...], strategies: tuple) -> int:
        plan = self._plan_of_code.get(code)
        if plan is None:
            a = agreement(self.game, [strategies[k] for k in combo])
            self._agreements[code] = a
            plan = NO_DEAL if a.joint is None else self.lotteries.add(a.joint)
            self._plan_of_code[code] = plan
        return plan

    def agreement_of(self, seat_strategies: Any, strategies: tuple) -> Agreement:
        """The :class:`Agreement` of a match with these seat strategy indices."""
        combo = tuple(int(k) for k in seat_strategies)
        code = 0
        for k in combo:
            code = code * len(strategies) + k
        self._plan(code, combo, strategies)
        return self._agreements[code]

    # -- play ----------------------------------------------------------------------
    def _layout(self, units: np.ndarray, players: np.ndarray, ctx: RoundContext) -> "_Layout":
        """Per-unit constants of this round's seating (reused while the seating is the same object)."""
        lay = self._lay
        if lay is not None and lay.units is units and lay.seat_strategies is ctx.seat_strategies:
            return lay
        n = self.unit_strategy.size
        full = units.size == n and bool(np.array_equal(units, np.arange(n)))
        plans = self._plans(ctx)
        s = self.unit_strategy[units]
        corr = self._fallback_lottery[s]
        fb_rows = self._fallback_row[s, players]
        sec_rows = self._security_row[s, players]
        lay = _Layout(
            units=units, seat_strategies=ctx.seat_strategies, full=full, players=players,
            plans=np.maximum(plans, 0), deal=plans >= 0, all_deal=bool((plans >= 0).all()),
            fb_rows=fb_rows, sec_rows=sec_rows,
            any_mixed=bool((self._pure[fb_rows] < 0).any() or (self._pure[sec_rows] < 0).any()),
            corr=corr, corr_mask=corr >= 0, any_corr=bool((corr >= 0).any()),
            forgiveness=self._forgiveness[s], secure_ok=self._secure_ok[s],
            security_value=self.security_value[players],
        )
        self._lay = lay
        return lay

    def _get(self, arr: np.ndarray, lay: "_Layout") -> np.ndarray:
        return arr if lay.full else arr[lay.units]

    def act(self, units: Any, players: np.ndarray, context: RoundContext | None = None) -> np.ndarray:
        if context is None:
            raise ValueError("context: bargainers need the round's public signal; play them in an Environment")
        units = np.arange(self.unit_strategy.size) if units is None else units
        lay = self._layout(units, players, context)
        u = context.signal
        follow = self._get(self.left, lay) == 0
        if not lay.all_deal:
            follow &= lay.deal
        outcome = self.lotteries.draw(lay.plans, u)
        actions = self._outcome_actions[outcome, players]
        if follow.all():
            prescribed = outcome
        else:
            actions = np.where(follow, actions, self._fallback_actions(lay, follow, u))
            prescribed = np.where(follow, outcome, -1)
        if lay.full:
            self._prescribed = prescribed
        else:
            self._prescribed[units] = prescribed
        return actions

    def _fallback_actions(self, lay: "_Layout", follow: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Every unit's fallback action this round (used where ``follow`` is False)."""
        secured = self._get(self.secured, lay)
        rows = np.where(secured, lay.sec_rows, lay.fb_rows)
        actions = self._pure[rows]
        corr = (lay.corr_mask & ~secured & ~follow) if lay.any_corr else None
        if lay.any_mixed:
            # Random draws only for the units that play a mixed (uncorrelated) fallback.
            mixed = (actions < 0) & ~follow
            if corr is not None:
                mixed &= ~corr
            if mixed.any():
                r = rows[mixed]
                draw = self.rng.random(r.size)
                actions[mixed] = (draw[:, None] >= self._cdf[r]).sum(axis=1)
        if corr is not None:
            if corr.any():
                outcome = self.lotteries.draw(lay.corr[corr], u[corr])
                actions[corr] = self._outcome_actions[outcome, lay.players[corr]]
        return actions

    def observe(self, units: Any, players: np.ndarray, joint: np.ndarray, payoffs: np.ndarray) -> None:
        self.observe_outcomes(units, players, np.asarray(joint) @ self._strides, payoffs)

    def observe_outcomes(self, units: Any, players: np.ndarray, code: np.ndarray, payoffs: np.ndarray) -> None:
        units = np.arange(self.unit_strategy.size) if units is None else units
        lay = self._lay
        if lay is None or lay.units is not units:
            raise ValueError("units: observe() must follow act() for the same units")
        prescribed = self._get(self._prescribed, lay)
        followed = prescribed >= 0
        if followed.all():
            deviated = code != prescribed
            if deviated.any():
                self._deviate(lay, deviated)
            return
        deviated = code != prescribed
        deviated &= followed
        fb = ~followed
        if lay.full:
            self.fallback_rounds += fb
            pay = payoffs * fb
            self.fallback_sum += pay
            pay *= payoffs
            self.fallback_sumsq += pay
            # Units without a deal sit at left == 0 and stay there.
            self.left -= fb if lay.all_deal else fb & lay.deal
        else:
            u = units[fb]
            pay = payoffs[fb]
            self.fallback_rounds[u] += 1
            self.fallback_sum[u] += pay
            self.fallback_sumsq[u] += pay * pay
            self.left[u] = np.maximum(self.left[u] - 1, 0)
        self._since_check += 1
        if self._since_check >= CHECK_EVERY:
            self._since_check = 0
            self._check_security(lay, fb)
        if deviated.any():
            self._deviate(lay, deviated)

    def _deviate(self, lay: "_Layout", deviated: np.ndarray) -> None:
        if lay.full:
            self.deviations += deviated
            np.copyto(self.left, lay.forgiveness, where=deviated)
        else:
            d = lay.units[deviated]
            self.deviations[d] += 1
            self.left[d] = lay.forgiveness[deviated]

    def _check_security(self, lay: "_Layout", fb: np.ndarray) -> None:
        """Switch to the security strategy where the fallback pays significantly less than it."""
        rounds = self._get(self.fallback_rounds, lay)
        ready = fb & (rounds >= PATIENCE) & ~self._get(self.secured, lay) & lay.secure_ok
        if not ready.any():
            return
        units = lay.units[ready]
        n = rounds[ready]
        mean = self.fallback_sum[units] / n
        var = np.maximum(self.fallback_sumsq[units] / n - mean * mean, 0.0)
        floor = lay.security_value[ready] - Z * np.sqrt(var / n) - 1e-9 * self._scale
        self.secured[units[mean < floor]] = True

    # -- inspection ------------------------------------------------------------------
    def in_fallback(self, units: Any = None) -> np.ndarray:
        """Whether each unit plays its fallback next round (deviation seen and not yet forgiven)."""
        units = slice(None) if units is None else units
        return self.left[units] > 0

    def fallback_mean(self, units: Any = None) -> np.ndarray:
        """Mean payoff of each unit's fallback rounds so far (NaN if none)."""
        units = slice(None) if units is None else units
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.fallback_sum[units] / self.fallback_rounds[units]
