"""Compile many automaton strategies into one table so one gather advances them all.

Every reactive strategy (tit-for-tat, grim trigger, win-stay lose-shift,
memory-one, ...) is a small automaton over the moves C and D.  The
:class:`AutomatonBank` concatenates the automata of all such strategies in a
population, maps C and D to concrete actions of the game (the agreed action and
the punishing strategy of each player), and precomputes

* ``cdf[(s, p)]``: the cumulative distribution of the action played in state ``s``
  from seat ``p`` (one-hot for deterministic states), and
* ``next_state[(s, p, o)]``: the next state after outcome ``o`` (a flat joint-action
  index of the game),

so a round for every unit of every automaton strategy is a handful of NumPy
calls.  For deterministic automata without noise the bank also builds the
product automaton of a match - its joint state ``(s_row, s_col)`` has exactly one
successor - so a whole round of all matches is a single gather (:meth:`product`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .games import NormalFormGame
from .protocol import Automaton, AutomatonStrategy, Conventions, Runner

__all__ = ["AutomatonBank", "ProductAutomaton"]

#: Largest number of bank states for which the product table (states squared) is built.
MAX_PRODUCT_STATES = 2048
#: Largest (sparse) next-state table of :meth:`MatchStepper.play`, in entries (258 x 2S).
MAX_INTERLEAVED_ENTRIES = 1 << 25


class ProductAutomaton:
    """Joint automaton of a two-seat match between deterministic automata.

    ``step[J]`` is the successor of the joint state ``J = s_row * S + s_col`` and
    ``outcome[J]`` the joint action (flat index) played in it.
    """

    def __init__(self, step: np.ndarray, outcome: np.ndarray, n_states: int) -> None:
        self.step = step
        self.outcome = outcome
        self.n_states = n_states

    def initial(self, row_states: np.ndarray, col_states: np.ndarray) -> np.ndarray:
        return row_states * self.n_states + col_states


class AutomatonBank:
    """All automaton strategies of a population, compiled for one two-player game.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    strategies : sequence of AutomatonStrategy
    unit_strategy : array of int
        For each unit of the bank, the index of its strategy in ``strategies``.
    rng : numpy.random.Generator
        Used only if some state plays a mixed action.
    conventions : Conventions
        The agreed action and punishing strategy of each player.
    """

    def __init__(self, game: NormalFormGame, strategies: Sequence[AutomatonStrategy],
                 unit_strategy: np.ndarray, rng: np.random.Generator,
                 conventions: Conventions | None) -> None:
        if game.n_players != 2:
            raise ValueError(
                f"game: automaton strategies ({', '.join(s.name for s in strategies)}) "
                f"need a two-player game, got {game.n_players} players"
            )
        if conventions is None:
            conventions = strategies[0].default_conventions(game)
        self.game = game
        self.rng = rng
        self.conventions = conventions
        automata: list[Automaton] = [s.compiled_automaton() for s in strategies]
        coops = [a.cooperate_prob for a in automata]
        sizes = np.fromiter(map(len, coops), dtype=np.intp, count=len(coops))
        offsets = np.zeros(len(coops), dtype=np.intp)
        np.cumsum(sizes[:-1], out=offsets[1:])
        self.n_states = S = int(sizes.sum())
        coop = np.concatenate(coops)
        # Each automaton's transitions, shifted to its block of bank states.
        abstract_next = np.concatenate([a.transition for a in automata])
        abstract_next += np.repeat(offsets, sizes)[:, None, None]

        m = game.n_actions
        M = max(m)
        O = game.n_outcomes
        self.n_outcomes = O
        # Distribution of the concrete action per (state, seat), padded to M actions.
        dist = np.zeros((S, 2, M))
        for p in range(2):
            c = conventions.cooperate[p]
            punish = np.asarray(conventions.punish[p], dtype=float)
            dist[:, p, :m[p]] = (1 - coop)[:, None] * punish[None, :]
            dist[:, p, c] += coop
        # np.isclose(max, 1) with its default tolerances, written out (it is much slower).
        self.deterministic = bool((np.abs(dist.max(axis=2) - 1.0) <= 1e-8 + 1e-5).all())
        self._out = dist.argmax(axis=2).reshape(-1)          # (S*2,) for deterministic play
        cdf = np.cumsum(dist, axis=2)[:, :, :-1]
        if min(m) < M:
            cdf[:, :, :] = np.where(np.arange(M - 1) >= np.array(m)[None, :, None] - 1, 1.0, cdf)
        self._cdf = cdf.reshape(S * 2, M - 1)
        # Concrete transition: next[(s, p, o)] from own and partner's defection at outcome o.
        outcome_actions = np.array(np.unravel_index(np.arange(O), m))  # (2, O)
        defected = [conventions.defected(p, m[p]) for p in range(2)]
        nxt = np.empty((S, 2, O), dtype=np.intp)
        for p in range(2):
            own_d = defected[p][outcome_actions[p]].astype(np.intp)
            partner_d = defected[1 - p][outcome_actions[1 - p]].astype(np.intp)
            nxt[:, p, :] = abstract_next[:, own_d, partner_d]
        self._next = nxt.reshape(-1)
        # Each unit starts in its own automaton's initial state.
        starts = offsets + np.fromiter((a.initial for a in automata), dtype=np.intp, count=len(automata))
        self.initial_states = starts[np.asarray(unit_strategy, dtype=np.intp)]
        self.state = self.initial_states.copy()

    # -- seat-level stepping (any automata, noise allowed) --------------------
    def act(self, units: np.ndarray | None, players: np.ndarray) -> np.ndarray:
        """Actions of the given units (all units if ``units`` is None) from seats ``players``."""
        st = self.state if units is None else self.state[units]
        sp = st * 2 + players
        if self.deterministic:
            return self._out[sp]
        u = self.rng.random(sp.shape[0])
        return (u[:, None] >= self._cdf[sp]).sum(axis=1)

    def observe_outcomes(self, units: np.ndarray | None, players: np.ndarray, outcomes: np.ndarray) -> None:
        """Advance units after their match's outcome (flat joint-action index)."""
        if units is None:
            self.state = self._next[(self.state * 2 + players) * self.n_outcomes + outcomes]
        else:
            self.state[units] = self._next[(self.state[units] * 2 + players) * self.n_outcomes + outcomes]

    # -- match-level stepping (deterministic, noise-free) ----------------------
    def product(self) -> ProductAutomaton | None:
        """The product automaton of a match, or None if some state is mixed or S is too large."""
        if not self.deterministic or self.n_states > MAX_PRODUCT_STATES:
            return None
        S, O, m1 = self.n_states, self.n_outcomes, self.game.n_actions[1]
        s_row, s_col = np.divmod(np.arange(S * S), S)
        outcome = self._out[s_row * 2] * m1 + self._out[s_col * 2 + 1]
        nxt_row = self._next[(s_row * 2) * O + outcome]
        nxt_col = self._next[(s_col * 2 + 1) * O + outcome]
        return ProductAutomaton(nxt_row * S + nxt_col, outcome, S)

    def match_stepper(self) -> "MatchStepper":
        """Match-level stepping when the bank's units are all seats of fixed two-player matches."""
        return MatchStepper(self)

    def as_runner(self) -> Runner:
        return _BankRunner(self)


class MatchStepper:
    """Steps every match of a bank whose units are the seats of fixed pairs, in seat order.

    Random draws are the same numbers, in the same order, as :meth:`AutomatonBank.act`
    would use (``2 * n_matches`` uniforms per round, seat order), so results do not
    depend on which stepper ran.

    Two ways of stepping:

    * :meth:`play` - games where both players have two actions.  Seats stay
      interleaved (row, column, row, ...) as in the bank, so a round is two gathers
      and three element-wise calls over all seats, with no allocation: the seat
      states are kept as ``sigma = state * 2 + player``, the two actions of a match,
      written side by side as bytes, are read as one ``uint16`` ``v`` per match and
      spread to both seats with one multiplication, and the next state is
      ``NEXT[v * 2S + sigma]``.  The uniforms (and noise draws) of a block of rounds
      are drawn with one call each; drawing a block or its rounds one by one gives
      the same numbers.
    * :meth:`actions` / :meth:`advance` - any two-player game, one round at a time.
    """

    #: Bytes of uniforms drawn per call in :meth:`play` (a block of rounds).
    BLOCK_BYTES = 1 << 18

    def __init__(self, bank: AutomatonBank) -> None:
        S, O = bank.n_states, bank.n_outcomes
        self.bank = bank
        self.n_outcomes = O
        self.n_matches = bank.state.size // 2
        self.row = bank.state[0::2].copy()
        self.col = bank.state[1::2].copy()
        out = bank._out.reshape(S, 2)
        self.row_out, self.col_out = out[:, 0].copy(), out[:, 1].copy()
        cdf = bank._cdf.reshape(S, 2, -1)
        self.two_action = cdf.shape[2] == 1
        self.row_cdf, self.col_cdf = cdf[:, 0, :].copy(), cdf[:, 1, :].copy()
        if self.two_action:
            self.row_cdf, self.col_cdf = self.row_cdf[:, 0].copy(), self.col_cdf[:, 0].copy()
        nxt = bank._next.reshape(S, 2, O)
        self.row_next, self.col_next = nxt[:, 0, :].reshape(-1).copy(), nxt[:, 1, :].reshape(-1).copy()
        # Seat-interleaved tables for play() (two actions for both players).  NEXT has a
        # row of 2S entries for every v up to 257, but only the rows of the four joint
        # actions are ever written or read (the others are never paged in).
        pairs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.uint8)
        v = pairs.view(np.uint16).reshape(-1).astype(np.intp)      # v of each (a_row, a_col)
        S2 = 2 * S
        self.interleaved = (tuple(bank.game.n_actions) == (2, 2)
                            and int(v.max() + 1) * S2 <= MAX_INTERLEAVED_ENTRIES)
        if self.interleaved:
            self._sigma = bank.state * 2 + np.tile(np.array([0, 1], np.intp), self.n_matches)
            self._thr = np.ascontiguousarray(bank._cdf[:, 0])           # act 1 iff u >= thr
            self._out_b = bank._out.astype(np.bool_)
            self._next = np.empty(int(v.max() + 1) * S2, np.intp)
            sigma = np.arange(S2)
            for (a0, a1), vk in zip(pairs.tolist(), v.tolist()):
                o = a0 * 2 + a1
                self._next[vk * S2: (vk + 1) * S2] = bank._next[sigma * O + o] * 2 + sigma % 2
            self._spread = np.uint64(S2 * ((1 << 32) + 1))             # v -> v*2S in both 32-bit halves
            n = 2 * self.n_matches
            self._thr_buf = np.empty(n)
            self._idx = np.empty(n, np.intp)
            self._w = np.empty(self.n_matches, np.uint64)
            self._block = max(1, min(512, self.BLOCK_BYTES // (8 * n)))
            self._u = None
            self._nu = None

    def play(self, acts: np.ndarray, noise: float = 0.0, noise_rng: np.random.Generator | None = None) -> None:
        """Play ``len(acts)`` rounds, writing the actions into ``acts`` (rounds, n_matches, 2) uint8.

        With ``noise`` each action is flipped with that probability, drawn from
        ``noise_rng`` (``2 * n_matches`` uniforms per round, seat order).
        """
        T = acts.shape[0]
        n = 2 * self.n_matches
        a_rows = acts.reshape(T, n).view(np.bool_)              # each seat's action, as bools
        v_rows = acts.reshape(T, n).view(np.uint16)             # each match's two actions, as one v
        sigma, thr, idx, w = self._sigma, self._thr_buf, self._idx, self._w
        w32 = w.view(np.uint32)
        spread = self._spread
        take_thr, take_out, take_next = self._thr.take, self._out_b.take, self._next.take
        ge, mul, add, xor = np.greater_equal, np.multiply, np.add, np.not_equal
        stochastic = not self.bank.deterministic
        B = min(self._block, T)
        if stochastic and (self._u is None or self._u.shape[0] < B):
            self._u = np.empty((B, n))
        if noise > 0 and (self._nu is None or self._nu.shape[0] < B):
            self._nu = np.empty((B, n))
            self._flip = np.empty((B, n), np.bool_)
        rng = self.bank.rng
        for b0 in range(0, T, B):
            nb = min(B, T - b0)
            a_block, v_block = a_rows[b0: b0 + nb], v_rows[b0: b0 + nb]
            if stochastic:
                u = self._u[:nb]
                rng.random(out=u)
            if noise > 0:
                flip = np.less(noise_rng.random(out=self._nu[:nb]), noise, out=self._flip[:nb])
            if stochastic and noise == 0:
                # The hot loop (stochastic automata, no noise): two gathers and three calls.
                for a, v, ur in zip(a_block, v_block, u):
                    take_thr(sigma, out=thr, mode="clip")
                    ge(ur, thr, out=a)
                    mul(v, spread, out=w)
                    add(sigma, w32, out=idx)
                    take_next(idx, out=sigma, mode="clip")
                continue
            for r in range(nb):
                a = a_block[r]
                if stochastic:
                    take_thr(sigma, out=thr, mode="clip")
                    ge(u[r], thr, out=a)
                else:
                    take_out(sigma, out=a, mode="clip")
                if noise > 0:
                    xor(a, flip[r], out=a)
                mul(v_block[r], spread, out=w)
                add(sigma, w32, out=idx)
                take_next(idx, out=sigma, mode="clip")

    def actions(self) -> tuple[np.ndarray, np.ndarray]:
        """This round's row and column actions, one per match."""
        if self.bank.deterministic:
            return self.row_out[self.row], self.col_out[self.col]
        u = self.bank.rng.random(2 * self.row.size)
        ur, uc = u[0::2], u[1::2]
        if self.two_action:
            return ((ur >= self.row_cdf[self.row]).view(np.int8).astype(np.intp),
                    (uc >= self.col_cdf[self.col]).view(np.int8).astype(np.intp))
        return ((ur[:, None] >= self.row_cdf[self.row]).sum(axis=1),
                (uc[:, None] >= self.col_cdf[self.col]).sum(axis=1))

    def advance(self, outcomes: np.ndarray) -> None:
        """Move every match on after its outcome (flat joint-action index)."""
        O = self.n_outcomes
        self.row = self.row_next[self.row * O + outcomes]
        self.col = self.col_next[self.col * O + outcomes]


class _BankRunner(Runner):
    """Adapter giving a bank the generic :class:`Runner` interface."""

    def __init__(self, bank: AutomatonBank) -> None:
        self.bank = bank

    def act(self, units: np.ndarray, players: np.ndarray) -> np.ndarray:
        return self.bank.act(units, players)

    def observe(self, units: np.ndarray, players: np.ndarray, joint: np.ndarray, payoffs: np.ndarray) -> None:
        outcomes = np.ravel_multi_index(tuple(np.asarray(joint).T), self.bank.game.n_actions)
        self.bank.observe_outcomes(units, players, outcomes)
