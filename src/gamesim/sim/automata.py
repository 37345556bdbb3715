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
        sizes = np.array([a.n_states for a in automata])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        self.n_states = S = int(sizes.sum())
        coop = np.concatenate([a.cooperate_prob for a in automata])
        abstract_next = np.concatenate([a.transition + off for a, off in zip(automata, offsets)])

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
        self.deterministic = bool(np.all(np.isclose(dist.max(axis=2), 1.0)))
        self._out = dist.argmax(axis=2).reshape(-1)          # (S*2,) for deterministic play
        cdf = np.cumsum(dist, axis=2)[:, :, :-1]
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
        starts = offsets + np.array([a.initial for a in automata], dtype=np.intp)
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

    Row and column seats are kept in separate arrays so that a round is a few
    gathers over matches instead of seats; random draws are the same numbers, in
    the same order, as :meth:`AutomatonBank.act` would use, so results do not depend
    on which stepper ran.
    """

    def __init__(self, bank: AutomatonBank) -> None:
        S, O = bank.n_states, bank.n_outcomes
        self.bank = bank
        self.n_outcomes = O
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
