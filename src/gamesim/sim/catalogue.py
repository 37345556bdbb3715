"""A catalogue of canonical games, with their sources.

Each function returns a fresh :class:`~gamesim.sim.games.NormalFormGame`.  The games
double as test fixtures: their equilibria are known in closed form.

References
----------
.. [notes] "Game theory course notes", ``shared/seeds/game-theory-course-notes.md``.
.. [T23] C. Treutlein, "Modeling evidential cooperation in large worlds", 2023,
   ``shared/seeds/modeling-ecl-treutlein.md``.
.. [S64] L. S. Shapley, "Some topics in two-person games", in *Advances in Game
   Theory*, Annals of Mathematics Studies 52, 1964.
.. [A84] R. Axelrod, *The Evolution of Cooperation*, 1984.
"""

from __future__ import annotations

import numpy as np

from .games import NormalFormGame

__all__ = [
    "prisoners_dilemma", "matching_pennies", "battle_of_the_sexes", "sidewalk",
    "chicken", "stag_hunt", "rock_paper_scissors", "shapley_game", "folk_theorem_game",
    "treutlein_example_60", "treutlein_example_7", "bargaining_game", "public_goods_game",
    "division_game",
    "with_threat_action", "CATALOGUE",
]


def prisoners_dilemma(R: float = 3, S: float = 0, T: float = 5, P: float = 1) -> NormalFormGame:
    """Prisoner's dilemma with reward R, sucker S, temptation T and punishment P.

    Axelrod's tournament values are the default [A84]_.  Requires ``T > R > P > S``;
    the repeated-game condition ``2R > T + S`` is not enforced (it only matters for
    whether alternating beats mutual cooperation).

    Examples
    --------
    >>> g = prisoners_dilemma()
    >>> g.payoffs[:, 0, 1]          # (C, D): the cooperator is the sucker
    array([0., 5.])
    """
    if not T > R > P > S:
        raise ValueError(f"prisoners_dilemma: need T > R > P > S, got T={T}, R={R}, P={P}, S={S}")
    A = np.array([[R, S], [T, P]], dtype=float)
    return NormalFormGame.symmetric(A, actions=["C", "D"], name=f"Prisoner's dilemma (R={R:g}, S={S:g}, T={T:g}, P={P:g})")


def matching_pennies() -> NormalFormGame:
    """Matching pennies [notes]_: the row player wins 1 on a match, the column player on a mismatch.

    Unique Nash equilibrium: both mix (1/2, 1/2); value 0.
    """
    A = np.array([[1, -1], [-1, 1]], dtype=float)
    return NormalFormGame.zero_sum(A, actions=["H", "T"], name="Matching pennies")


def battle_of_the_sexes(a: float = 2, b: float = 1) -> NormalFormGame:
    """Battle of the sexes [notes]_: (B,B) pays (a, b), (F,F) pays (b, a), a mismatch 0.

    Nash equilibria: (B, B), (F, F) and the mixed one where the row player plays B
    with probability a / (a + b).
    """
    if not a > b > 0:
        raise ValueError(f"battle_of_the_sexes: need a > b > 0, got a={a}, b={b}")
    A = np.array([[a, 0], [0, b]], dtype=float)
    B = np.array([[b, 0], [0, a]], dtype=float)
    return NormalFormGame.from_bimatrix(A, B, actions=["B", "F"], name="Battle of the sexes")


def sidewalk() -> NormalFormGame:
    """The sidewalk coordination game [notes]_: both Left or both Right pays (1, 1)."""
    A = np.eye(2)
    return NormalFormGame.symmetric(A, actions=["Left", "Right"], name="Sidewalk")


def chicken(win: float = 7, tie: float = 6, lose: float = 2, crash: float = 0) -> NormalFormGame:
    """Chicken (hawk-dove) with the payoffs of Aumann's correlated-equilibrium example.

    Actions: Dare (D) and Chicken (C).  (C, C) pays ``tie``; daring against a chicken
    pays ``win`` to the darer and ``lose`` to the chicken; (D, D) pays ``crash``.
    With the defaults (7, 6, 2, 0) the mixed equilibrium plays Dare with probability
    1/3 and pays 14/3 each, while Aumann's correlated equilibrium, 1/3 on each of
    (C, C), (C, D) and (D, C), pays 5 each [Aumann 1974, "Subjectivity and correlation
    in randomized strategies", J. Math. Econ. 1].
    """
    if not win > tie > lose > crash:
        raise ValueError("chicken: need win > tie > lose > crash")
    A = np.array([[crash, win], [lose, tie]], dtype=float)
    return NormalFormGame.symmetric(A, actions=["Dare", "Chicken"], name="Chicken")


def stag_hunt(stag: float = 4, hare: float = 3, alone: float = 0, hare_vs_stag: float | None = None) -> NormalFormGame:
    """Stag hunt (Rousseau; Skyrms 2004): hunting stag together pays ``stag``; hare is safe.

    (Stag, Stag) and (Hare, Hare) are strict equilibria; Stag is payoff dominant,
    Hare risk dominant with the defaults.
    """
    hvs = hare if hare_vs_stag is None else hare_vs_stag
    if not stag > hare > alone:
        raise ValueError("stag_hunt: need stag > hare > alone")
    A = np.array([[stag, alone], [hvs, hare]], dtype=float)
    return NormalFormGame.symmetric(A, actions=["Stag", "Hare"], name="Stag hunt")


def rock_paper_scissors() -> NormalFormGame:
    """Rock-paper-scissors: zero-sum, win 1, lose -1; unique equilibrium uniform."""
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
    return NormalFormGame.zero_sum(A, actions=["Rock", "Paper", "Scissors"], name="Rock-paper-scissors")


def shapley_game() -> NormalFormGame:
    """Shapley's 3x3 game [S64]_, on which fictitious play cycles without converging.

    Row payoffs ``A = [[1,0,0],[0,1,0],[0,0,1]]``, column payoffs
    ``B = [[0,1,0],[0,0,1],[1,0,0]]``; the unique Nash equilibrium is uniform mixing
    by both players, yet fictitious play from a pure start follows a cycle whose
    phases grow geometrically.
    """
    A = np.eye(3)
    B = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float)
    return NormalFormGame.from_bimatrix(A, B, actions=["a", "b", "c"], name="Shapley's game")


def folk_theorem_game() -> NormalFormGame:
    """The notes' folk-theorem example [notes]_: (2,0) (0,0) / (0,0) (0,2).

    (1, 1) is feasible and enforceable; (2, 2) is not feasible.
    """
    A = np.array([[2, 0], [0, 0]], dtype=float)
    B = np.array([[0, 0], [0, 2]], dtype=float)
    return NormalFormGame.from_bimatrix(A, B, name="Folk theorem example")


def treutlein_example_60() -> NormalFormGame:
    """Treutlein's Example 60 (Table 6a) [T23]_: rows b1, b2 (player 1), columns a1, a2, a3 (player 2).

    Nash equilibrium (b2, a2) pays (3, 3); the threat point is (b2, a3) = (-3, 2);
    the NBS from the threat point is (2.5, 4.75) in the game's payoffs.
    """
    A = np.array([[4, 2, -4], [5, 3, -3]], dtype=float)
    B = np.array([[4, 5, 2], [2, 3, 2]], dtype=float)
    return NormalFormGame.from_bimatrix(A, B, actions=[["b1", "b2"], ["a1", "a2", "a3"]],
                                        name="Treutlein example 60")


def treutlein_example_7() -> NormalFormGame:
    """Treutlein's Example 7 (Tables 1-2) [T23]_: variance normalization picks a dominated outcome.

    Rows a1, b1 (player 1), columns a2, b2 (player 2); utilities are additively
    separable.  (a1, a2) = (0, 0) is dominant; normalizing by the variance under the
    uniform distribution over outcomes selects (b1, a2), which gives player 1
    utility -1.
    """
    A = np.array([[0, -3], [-1, -4]], dtype=float)
    B = np.array([[0, -1], [3, 2]], dtype=float)
    return NormalFormGame.from_bimatrix(A, B, actions=[["a1", "b1"], ["a2", "b2"]],
                                        name="Treutlein example 7")


def bargaining_game(outcomes, disagreement, name: str | None = None) -> NormalFormGame:
    """A pure bargaining problem as a normal-form game (Nash 1950; Harsanyi 1963).

    Player 1 proposes one of the ``K`` outcomes or vetoes; every other player accepts
    or vetoes.  A proposal is carried out when everybody accepts it; any veto gives
    every player the disagreement payoff.  Every player can force the disagreement
    point, so the game's coalition-perfect Harsanyi (= CoCo) equilibrium is the Nash
    bargaining solution of ``conv(outcomes)`` from ``disagreement``.

    Parameters
    ----------
    outcomes : array_like, shape (K, n)
        Payoff vectors that can be proposed.
    disagreement : array_like, shape (n,)
        Payoffs after a veto.

    Returns
    -------
    NormalFormGame
        Player 1 has actions ``o0 .. o{K-1}, veto``; the others ``accept, veto``.

    Examples
    --------
    >>> g = bargaining_game([[4, 4], [2, 5]], [0, 0])
    >>> g.n_actions
    (3, 2)
    >>> g.payoffs[:, 1, 0], g.payoffs[:, 1, 1]
    (array([2., 5.]), array([0., 0.]))
    """
    try:
        P = np.array(outcomes, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"outcomes: expected a (K, n) array of numbers, got {outcomes!r}") from None
    try:
        d = np.array(disagreement, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"disagreement: expected n numbers, got {disagreement!r}") from None
    if P.ndim != 2 or P.shape[0] < 1 or P.shape[1] < 2:
        raise ValueError(f"outcomes: expected shape (K, n) with K >= 1 and n >= 2, got {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError("outcomes: contains NaN or infinite entries")
    K, n = P.shape
    if d.shape != (n,) or not np.all(np.isfinite(d)):
        raise ValueError(f"disagreement: expected {n} finite numbers, got {disagreement!r}")
    shape = (K + 1,) + (2,) * (n - 1)
    payoffs = np.broadcast_to(d.reshape((n,) + (1,) * n), (n,) + shape).copy()
    all_accept = (slice(None), slice(0, K)) + (0,) * (n - 1)
    payoffs[all_accept] = P.T
    actions = [[f"o{k}" for k in range(K)] + ["veto"]] + [["accept", "veto"]] * (n - 1)
    return NormalFormGame(payoffs, actions=actions, name=name or f"Bargaining over {K} outcomes")


def public_goods_game(n: int = 3, cost: float = 1.0, benefit: float = 2 / 3,
                      sabotage: dict | None = None) -> NormalFormGame:
    """A linear public-goods game: contributing costs ``cost`` and gives every player ``benefit``.

    Actions ``C`` (contribute) and ``D``.  ``sabotage`` optionally maps a player index
    to ``(own_cost, harm)``: that player gets a third action ``S`` which costs it
    ``own_cost`` and lowers every other player's payoff by ``harm``, whatever they
    do -- the threat used in the CoCo examples of gamesim's bargaining notes.

    Examples
    --------
    >>> g = public_goods_game(3)
    >>> g.payoff_vector((0, 0, 0)).round(12)
    array([1., 1., 1.])
    >>> public_goods_game(3, sabotage={2: (1, 2)}).payoff_vector((1, 1, 2))
    array([-2., -2., -1.])
    """
    if int(n) != n or n < 2:
        raise ValueError(f"n: need an integer >= 2, got {n!r}")
    n = int(n)
    for field, value in (("cost", cost), ("benefit", benefit)):
        if not np.isfinite(value):
            raise ValueError(f"{field}: must be a finite number, got {value!r}")
    sabotage = dict(sabotage or {})
    for i, spec in sabotage.items():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i not in range(n):
            raise ValueError(f"sabotage: player index {i!r} is not in 0..{n - 1}")
        if (not isinstance(spec, (tuple, list)) or len(spec) != 2
                or not all(isinstance(v, (int, float, np.number)) and np.isfinite(v) for v in spec)):
            raise ValueError(f"sabotage: player {i}'s entry must be (own_cost, harm), got {spec!r}")
    m = [3 if i in sabotage else 2 for i in range(n)]
    payoffs = np.zeros((n,) + tuple(m))
    for profile in np.ndindex(*m):
        contributors = sum(1 for a in profile if a == 0)
        u = np.full(n, benefit * contributors)
        for i, a in enumerate(profile):
            if a == 0:
                u[i] -= cost
            elif a == 2:
                own_cost, harm = sabotage[i]
                u -= harm
                u[i] += harm - own_cost
        payoffs[(slice(None),) + profile] = u
    actions = [["C", "D", "S"] if i in sabotage else ["C", "D"] for i in range(n)]
    return NormalFormGame(payoffs, actions=actions, name=f"Public goods (n={n})")


def division_game(total: float = 2000.0, n: int = 7) -> NormalFormGame:
    """Both players name one of ``n`` divisions of ``total``; the same one is carried out, else both get 0.

    Division ``k`` (k = 1..n) gives the row player ``k * total / (n + 1)`` and the
    column player the rest, so every division is strictly positive for both.  A
    coordination game along a Pareto frontier (battle of the sexes is ``n = 2`` up
    to the payoffs): symmetric, every matched division is a pure Nash equilibrium,
    the CoCo value is ``(total / 2, total / 2)``, and because every column pays the
    row player something in some row, an added action that pays its owner 0 whatever
    happens is never part of a correlated equilibrium -- the setting of the
    threat-resistant essay's "$1000 curse" example [D22]_.

    .. [D22] Diffractor, "Threat-resistant bargaining megapost", 2022.

    Examples
    --------
    >>> g = division_game(2000, 7)
    >>> g.payoff_vector((5, 5)).tolist(), g.payoff_vector((5, 4)).tolist()
    ([1500.0, 500.0], [0.0, 0.0])
    """
    if isinstance(total, bool) or not isinstance(total, (int, float, np.number)) or not total > 0 \
            or not np.isfinite(total):
        raise ValueError(f"total: must be a positive finite number, got {total!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n: must be an integer >= 2, got {n!r}")
    x = np.arange(1, n + 1) * float(total) / (n + 1)
    names = [f"{v:g}/{float(total) - v:g}" for v in x]
    return NormalFormGame.from_bimatrix(np.diag(x), np.diag(float(total) - x), actions=[names, names],
                                        name=f"Division of {float(total):g} ({n} ways)")


def with_threat_action(game: NormalFormGame, player: int, own_payoff: float = 0.0,
                       harm: float = 10.0, name: str = "threat") -> NormalFormGame:
    """``game`` plus one action for ``player`` that pays it ``own_payoff`` and every other player ``-harm``.

    The payoffs of the new action do not depend on what the others do.  When
    ``own_payoff`` is below everything ``player`` can get otherwise the action is
    strictly dominated: a "torturizer" threat in the sense of the threat-resistant
    bargaining essay.  CoCo values reward such an action; correlated-equilibrium
    fallbacks do not (no correlated equilibrium uses a strictly dominated action).

    Examples
    --------
    >>> g = with_threat_action(battle_of_the_sexes(3, 2), 0, own_payoff=-1, harm=10)
    >>> g.n_actions, g.payoff_vector((2, 1)).tolist()
    ((3, 2), [-1.0, -10.0])
    """
    if isinstance(player, bool) or not isinstance(player, (int, np.integer)) or player not in range(game.n_players):
        raise ValueError(f"player: must be an integer in 0..{game.n_players - 1}, got {player!r}")
    for field, value in (("own_payoff", own_payoff), ("harm", harm)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
            raise ValueError(f"{field}: must be a finite number, got {value!r}")
    n = game.n_players
    extra_shape = list(game.payoffs.shape)
    extra_shape[1 + player] = 1
    extra = np.full(extra_shape, -float(harm))
    extra[player] = own_payoff
    payoffs = np.concatenate([game.payoffs, extra], axis=1 + player)
    actions = [list(a) for a in game.actions]
    actions[player] = actions[player] + [name]
    return NormalFormGame(payoffs, players=game.players, actions=actions,
                          name=f"{game.name} + {name}" if game.name else None)


CATALOGUE = {
    "prisoners_dilemma": prisoners_dilemma,
    "matching_pennies": matching_pennies,
    "battle_of_the_sexes": battle_of_the_sexes,
    "sidewalk": sidewalk,
    "chicken": chicken,
    "stag_hunt": stag_hunt,
    "rock_paper_scissors": rock_paper_scissors,
    "shapley_game": shapley_game,
    "folk_theorem_game": folk_theorem_game,
    "treutlein_example_60": treutlein_example_60,
    "treutlein_example_7": treutlein_example_7,
    "division_game": division_game,
}
"""Name -> constructor, for scenario options such as ``--set game=chicken``."""
