"""Additively separable games (Treutlein 2023, definition 3).

In an additively separable game every player's utility is a sum of contributions,
one from each player: ``u_i(a) = sum_j u_{i,j}(a_j)``.  Player ``j``'s option ``k``
therefore produces one *utility vector* ``contributions[j][k]`` (an entry for every
player), and a pure profile ``a`` gives the payoff vector
``sum_j contributions[j][a_j]``.  This is the layout of Treutlein's Tables 7 and 8.

Mixed strategies act linearly, so player ``j``'s *individual feasible set*
``F_j = conv{contributions[j][k]}`` is the convex hull of its option vectors and the
feasible set of the whole game is the Minkowski sum ``F = F_1 + ... + F_n``
[T23]_ (section 3.2).  The game is a compact description of a normal-form game whose
payoff tensor :meth:`SeparableGame.to_normal_form` builds.

Players and options are numbered from 0 in the code (Treutlein numbers them from 1).

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023: definition 3 (additive separability), section 3.2
   (individual feasible sets ``F_i``), proposition 49 (equilibria of separable
   games), examples 64 and 66 (tables 7 and 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._arrays import as_matrix
from .games import NormalFormGame, as_game

__all__ = ["SeparableGame", "treutlein_example_64", "treutlein_example_66"]


def _as_contribution(value: Any, j: int) -> np.ndarray:
    arr = as_matrix(value, f"contributions[{j}]", "shape (n_options, n_players)")
    arr.setflags(write=False)
    return arr


class SeparableGame:
    """An additively separable n-player game given by its utility contributions.

    Parameters
    ----------
    contributions : sequence of array_like
        ``n`` arrays; ``contributions[j]`` has shape ``(k_j, n)`` and row ``k`` is the
        utility vector that player ``j``'s option ``k`` produces for every player
        (``contributions[j][k, i] = u_{i,j}(k)`` in Treutlein's notation).  Every
        player needs at least one option.
    players : sequence of str, optional
        Player names; default ``("P1", "P2", ...)``.
    actions : sequence of sequence of str, optional
        Option names per player; default ``("a0", "a1", ...)``.  When every player
        has the same number of options, one flat sequence of names is accepted.
    name : str, optional
        A label.

    Raises
    ------
    ValueError
        Naming the field: no players, an array that is not 2-D, whose second axis is
        not the number of players or that has no rows, NaN/inf entries, or names
        whose counts do not match.

    Notes
    -----
    The arrays are copied and made read-only, so a game can be shared.  Two games
    are equal when their names of players and options and their contributions are.

    The decomposition of a separable normal-form game into contributions is not
    unique: a constant may be moved from ``contributions[j][:, i]`` to
    ``contributions[l][:, i]`` without changing any payoff.  Nothing in
    :mod:`gamesim.bargaining.cores` depends on that choice.

    References
    ----------
    .. [1] J. Treutlein, "Modeling evidential cooperation in large worlds",
       arXiv:2307.04879, 2023, definition 3 and section 3.2.

    Examples
    --------
    Treutlein's Example 7 (Table 1): options a1, b1 of player 1 and a2, b2 of player 2.

    >>> g = SeparableGame([[[0, -3], [-1, 0]], [[0, 3], [-3, 2]]])
    >>> g.n_players, g.n_options
    (2, (2, 2))
    >>> g.payoff((1, 0))
    array([-1.,  3.])
    >>> g.to_normal_form().payoffs[0]
    array([[ 0., -3.],
           [-1., -4.]])
    >>> g.nash_equilibrium(), g.nash_point()
    ((0, 0), array([0., 0.]))
    """

    def __init__(
        self,
        contributions: Sequence[Any],
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        name: str | None = None,
    ) -> None:
        if isinstance(contributions, np.ndarray) and contributions.ndim == 3:
            contributions = list(contributions)
        try:
            items = list(contributions)
        except TypeError:
            raise ValueError("contributions: expected a sequence of n arrays of shape (k_j, n)") from None
        n = len(items)
        if n < 1:
            raise ValueError("contributions: at least one player is needed")
        arrays = tuple(_as_contribution(c, j) for j, c in enumerate(items))
        for j, arr in enumerate(arrays):
            if arr.shape[1] != n:
                raise ValueError(
                    f"contributions[{j}]: each option must give a utility to each of the "
                    f"{n} players, got shape {arr.shape}; expected (n_options, {n})"
                )
            if arr.shape[0] < 1:
                raise ValueError(f"contributions[{j}]: every player needs at least one option")
        self._contributions = arrays
        counts = tuple(a.shape[0] for a in arrays)
        # Reuse NormalFormGame's name checks (they name the fields players / actions).
        self.players: tuple[str, ...] = NormalFormGame._check_players(players, n)
        self.actions: tuple[tuple[str, ...], ...] = NormalFormGame._check_actions(actions, counts)
        self.name = name if name is not None else f"separable {'x'.join(map(str, counts))} game"

    @classmethod
    def from_normal_form(cls, game: NormalFormGame, tol: float = 1e-9) -> "SeparableGame":
        """Decompose an additively separable normal-form game into contributions.

        With the profile ``0 = (0, ..., 0)`` as base, ``contributions[j][k, i] =
        u_i(k, 0_{-j}) - u_i(0)`` for ``j != i`` and ``contributions[i][k, i] =
        u_i(k, 0_{-i})``; this reproduces every payoff exactly when the game is
        separable (the constants are one of many valid choices, see the class notes).

        Parameters
        ----------
        game : NormalFormGame
        tol : float
            Absolute tolerance, scaled by ``1 + max |payoff|``, for the separability check.

        Raises
        ------
        ValueError
            ``game: ...`` if the game is not additively separable.

        Examples
        --------
        >>> from gamesim.sim.catalogue import treutlein_example_7
        >>> s = SeparableGame.from_normal_form(treutlein_example_7())
        >>> s.to_normal_form() == treutlein_example_7()
        True
        """
        game = as_game(game)
        U = game.payoffs
        n = game.n_players
        base = U[(slice(None),) + (0,) * n]
        contributions = []
        for j in range(n):
            idx = [0] * n
            rows = []
            for k in range(game.n_actions[j]):
                idx[j] = k
                rows.append(U[(slice(None),) + tuple(idx)] - base)
            c = np.array(rows)
            c[:, j] += base[j]
            contributions.append(c)
        out = cls(contributions, players=game.players, actions=game.actions, name=game.name)
        scale = 1.0 + float(np.max(np.abs(U)))
        if not np.allclose(out._tensor(), U, rtol=0.0, atol=tol * scale):
            raise ValueError("game: payoffs are not additively separable (u_i(a) != sum_j u_ij(a_j))")
        return out

    # -- accessors ------------------------------------------------------------
    @property
    def contributions(self) -> tuple[np.ndarray, ...]:
        """The read-only contribution arrays, ``contributions[j]`` of shape ``(k_j, n)``."""
        return self._contributions

    @property
    def n_players(self) -> int:
        return len(self._contributions)

    @property
    def n_options(self) -> tuple[int, ...]:
        """Number of options of each player, ``(k_1, ..., k_n)``."""
        return tuple(c.shape[0] for c in self._contributions)

    def individual_sets(self) -> tuple[np.ndarray, ...]:
        """The points spanning each individual feasible set ``F_j``.

        ``F_j`` is the convex hull of the rows of ``individual_sets()[j]`` (player
        ``j``'s option vectors, duplicates kept); the feasible set of the game is
        ``F = F_1 + ... + F_n`` (Treutlein section 3.2).

        Returns
        -------
        tuple of ndarray
            Read-only arrays, the same as :attr:`contributions`.
        """
        return self._contributions

    def payoff(self, profile: Sequence[int]) -> np.ndarray:
        """Payoffs of all players at a pure profile: ``sum_j contributions[j][profile[j]]``."""
        profile = tuple(int(a) for a in profile)
        if len(profile) != self.n_players:
            raise ValueError(f"profile: {len(profile)} options given for {self.n_players} players")
        total = np.zeros(self.n_players)
        for j, (a, c) in enumerate(zip(profile, self._contributions)):
            if not 0 <= a < c.shape[0]:
                raise ValueError(f"profile[{j}]: option {a} out of range 0..{c.shape[0] - 1}")
            total += c[a]
        return total

    def expected_payoff(self, strategies: Sequence[Any]) -> np.ndarray:
        """Expected payoffs of independent mixed strategies (one probability vector each).

        By separability this is ``sum_j strategies[j] @ contributions[j]``; it equals
        the expected payoff of *any* joint distribution with these marginals.
        """
        strategies = list(strategies)
        if len(strategies) != self.n_players:
            raise ValueError(f"strategies: {len(strategies)} given for {self.n_players} players")
        total = np.zeros(self.n_players)
        for j, (s, c) in enumerate(zip(strategies, self._contributions)):
            s = np.asarray(s, dtype=float)
            if s.shape != (c.shape[0],) or np.any(s < -1e-12) or abs(s.sum() - 1.0) > 1e-9:
                raise ValueError(f"strategies[{j}]: expected a probability vector of length {c.shape[0]}")
            total += s @ c
        return total

    def _tensor(self) -> np.ndarray:
        n = self.n_players
        payoffs = np.zeros((n,) + self.n_options)
        for j, c in enumerate(self._contributions):
            shape = [1] * n
            shape[j] = c.shape[0]
            payoffs += c.T.reshape((n,) + tuple(shape))
        return payoffs

    def to_normal_form(self) -> NormalFormGame:
        """The normal-form game ``payoffs[i, a] = sum_j contributions[j][a_j, i]``."""
        return NormalFormGame(self._tensor(), players=self.players, actions=self.actions, name=self.name)

    def nash_equilibrium(self) -> tuple[int, ...]:
        """A pure Nash equilibrium: every player maximises its contribution to itself.

        In a separable game ``u_j(a) = u_{j,j}(a_j) + (terms not depending on a_j)``,
        so any option maximising ``contributions[j][:, j]`` is a dominant strategy and
        the Nash equilibria are exactly the profiles of such options (and mixtures of
        them) -- Treutlein's proposition 49.  Ties are broken towards the lowest
        option index; note that tied options may give the *other* players different
        utilities, so the Nash point is then not unique.

        Returns
        -------
        tuple of int
            One option per player.
        """
        return tuple(int(np.argmax(c[:, j])) for j, c in enumerate(self._contributions))

    def nash_point(self) -> np.ndarray:
        """Payoffs at :meth:`nash_equilibrium`."""
        return self.payoff(self.nash_equilibrium())

    # -- value semantics ------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SeparableGame):
            return NotImplemented
        return (self.players == other.players and self.actions == other.actions
                and self.n_options == other.n_options
                and all(np.array_equal(a, b) for a, b in zip(self._contributions, other._contributions)))

    def __hash__(self) -> int:
        return hash((self.players, self.actions, tuple(c.tobytes() for c in self._contributions)))

    def __repr__(self) -> str:
        return f"SeparableGame(name={self.name!r}, players={self.players}, n_options={self.n_options})"


def treutlein_example_64() -> SeparableGame:
    """Treutlein's Example 64 (Table 7): the NBS is not in the alpha-core.

    Three players with three options each; row ``k`` of ``contributions[j]`` is the
    utility vector player ``j``'s option ``k + 1`` produces.  The unique Nash
    equilibrium (everyone plays option 1) gives ``d = (3, 3, 3)``; players 1 and 2
    can guarantee each other 5 by both playing option 2.

    Examples
    --------
    >>> g = treutlein_example_64()
    >>> g.nash_equilibrium(), g.nash_point()
    ((0, 0, 0), array([3., 3., 3.]))
    >>> g.payoff((1, 1, 0))
    array([5., 5., 3.])
    """
    return SeparableGame(
        [
            [[3, 0, 0], [2.5, 2.5, 0], [2, 2, 2]],
            [[0, 3, 0], [2.5, 2.5, 0], [2, 2, 2]],
            [[0, 0, 3], [0.5, 0.5, 0], [0.5, 0.5, 0]],
        ],
        actions=["1", "2", "3"],
        name="Treutlein example 64",
    )


def treutlein_example_66() -> SeparableGame:
    """Treutlein's Example 66 (Table 8): the Nash-equilibrium core is empty.

    Examples
    --------
    >>> g = treutlein_example_66()
    >>> g.nash_equilibrium(), g.nash_point()
    ((0, 0, 0), array([ 5.,  5., 15.]))
    """
    return SeparableGame(
        [
            [[5, 0, 5], [4, 4, 0], [3, 3, 6]],
            [[0, 5, 5], [4, 4, 0], [3, 3, 6]],
            [[0, 0, 5], [0, 0, 0], [0, 0, 0]],
        ],
        actions=["1", "2", "3"],
        name="Treutlein example 66",
    )
