"""Variance normalization as a compromise rule (Treutlein 2023, section 3.3) -- a baseline.

Oesterheld (2017, sec. 2.8.5) suggests that cooperators maximise the sum of their
utility functions after normalising each to a common scale, and MacAskill,
Cotton-Barratt and Ord (2020) defend normalising by the variance under a distribution
over outcomes.  Treutlein's Example 7 shows the weakness this module exists to
exhibit: the normalised-sum maximiser can leave a player worse off than without any
compromise (negative gains from trade).  The bargaining solutions elsewhere in
:mod:`gamesim.bargaining` pick points on the Pareto frontier directly instead.

References
----------
.. [T23] J. Treutlein, "Modeling evidential cooperation in large worlds",
   arXiv:2307.04879, 2023, section 3.3 (Example 7, Tables 1-3).
.. [O17] C. Oesterheld, *Multiverse-wide cooperation via correlated decision
   making*, Center on Long-Term Risk, 2017, sec. 2.8.
.. [MCO20] W. MacAskill, O. Cotton-Barratt, T. Ord, "Statistical normalization
   methods in interpersonal and intertheoretic comparisons", Journal of
   Philosophy 117(2), 61-95, 2020.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gamesim.analysis.equilibria import pure_nash_equilibria
from gamesim.sim.separable import SeparableGame
from gamesim.sim.games import NormalFormGame
from .._arrays import frozen as _frozen

__all__ = ["NormalizedChoice", "variance_normalization"]




@dataclass(frozen=True, eq=False)
class NormalizedChoice:
    """The outcome chosen by maximising the sum of normalised utilities.

    Attributes
    ----------
    profile : tuple of int
        The chosen pure profile: a maximiser of the sum of normalised utilities
        (ties, up to a relative 1e-9, go to the first profile in C order).
    normalized_payoffs : ndarray, shape like ``game.payoffs``
        ``(u_i - means[i]) / scales[i]``.
    means : ndarray, shape (n,)
        Mean utility of each player under ``distribution``.
    scales : ndarray, shape (n,)
        The divisors used: the standard deviations for ``scale="std"``; for
        ``scale="variance"`` Treutlein's ``sum_x (u_i(x) - mean_i)^2``, computed as
        ``n_outcomes * variance`` (equal to it for the uniform distribution).
    stds : ndarray, shape (n,)
        Standard deviations under ``distribution``.
    payoffs : ndarray, shape (n,)
        The original payoffs at ``profile``.
    reference : ndarray or None
        The no-compromise payoffs that gains are measured against.
    gains : ndarray or None
        ``payoffs - reference``.
    individually_rational : bool or None
        Whether every gain is ``>= 0`` (up to 1e-9 relative); None without a reference.
    distribution : ndarray, shape ``game.n_actions``
        The distribution over outcomes used for the moments.
    scale : str
        ``"std"`` or ``"variance"``.
    method : str
    """

    profile: tuple
    normalized_payoffs: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    stds: np.ndarray
    payoffs: np.ndarray
    reference: np.ndarray | None
    gains: np.ndarray | None
    individually_rational: bool | None
    distribution: np.ndarray
    scale: str
    method: str


def variance_normalization(
    game: NormalFormGame | SeparableGame,
    distribution: Any = None,
    *,
    scale: str = "std",
    reference: Any = None,
) -> NormalizedChoice:
    """Pick the outcome maximising the sum of variance-normalised utilities.

    Each player's utility is shifted to mean 0 and divided by its spread under a
    distribution over outcomes (default uniform, as Treutlein assumes); the pure
    profile maximising the sum of the normalised utilities is chosen, and compared
    with a no-compromise reference point.

    Parameters
    ----------
    game : NormalFormGame or SeparableGame
        A separable game is converted with :meth:`SeparableGame.to_normal_form`.
    distribution : array_like, shape ``game.n_actions``, optional
        Probabilities of the outcomes (nonnegative, summing to 1); default uniform.
    scale : {"std", "variance"}
        ``"std"`` (default) divides by the standard deviation, i.e. normalises every
        utility to unit variance (MacAskill, Cotton-Barratt and Ord 2020); the choice
        is then invariant to positive affine transformations of each utility.
        ``"variance"`` follows Treutlein's Example 7 literally and divides by
        ``sum_x (u_i(x) - mean_i)^2`` (for a general distribution: ``n_outcomes``
        times the variance; the constant factor does not affect the choice).  That
        rule is *not* scale-invariant (doubling ``u_i`` halves its weight); with
        equal variances, as in Example 7, both rules choose the same outcome.
    reference : array_like, shape (n,), optional
        No-compromise payoffs for the gains.  Default: the payoffs of the game's
        pure Nash equilibrium if there is exactly one (in Example 7 the
        dominant-strategy outcome); otherwise no reference (gains None).

    Returns
    -------
    NormalizedChoice

    Raises
    ------
    ValueError
        ``game: ...`` when a player's utility is constant under the distribution
        (it cannot be normalised); ``distribution: ...``, ``scale: ...`` or
        ``reference: ...`` for malformed arguments.

    References
    ----------
    .. [1] J. Treutlein, arXiv:2307.04879, 2023, section 3.3, Example 7.
    .. [2] C. Oesterheld, *Multiverse-wide cooperation via correlated decision
       making*, 2017, sec. 2.8.5.
    .. [3] W. MacAskill, O. Cotton-Barratt, T. Ord, "Statistical normalization
       methods in interpersonal and intertheoretic comparisons", J. Phil. 117, 2020.

    Examples
    --------
    Treutlein's Example 7: normalising selects (b1, a2), which leaves player 1 with
    -1 < 0, its payoff at the dominant outcome (a1, a2).

    >>> from gamesim.sim.catalogue import treutlein_example_7
    >>> r = variance_normalization(treutlein_example_7(), scale="variance")
    >>> r.profile, r.means, r.scales
    ((1, 0), array([-2.,  1.]), array([10., 10.]))
    >>> r.normalized_payoffs[0].round(12) + 0.0
    array([[ 0.2, -0.1],
           [ 0.1, -0.2]])
    >>> r.payoffs, r.gains, r.individually_rational
    (array([-1.,  3.]), array([-1.,  3.]), False)
    """
    if isinstance(game, SeparableGame):
        game = game.to_normal_form()
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game: expected a NormalFormGame or SeparableGame, got {type(game).__name__}")
    if scale not in ("std", "variance"):
        raise ValueError(f"scale: expected 'std' or 'variance', got {scale!r}")
    U = game.payoffs
    n = game.n_players
    shape = game.n_actions
    if distribution is None:
        p = np.full(shape, 1.0 / game.n_outcomes)
    else:
        try:
            p = np.array(distribution, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"distribution: must be an array of probabilities ({exc})") from None
        if p.shape != shape:
            raise ValueError(f"distribution: expected shape {shape} (one probability per outcome), got {p.shape}")
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError("distribution: probabilities must be finite and nonnegative")
        if abs(p.sum() - 1.0) > 1e-9:
            raise ValueError(f"distribution: probabilities must sum to 1, got {p.sum()}")
    means = np.array([np.sum(p * U[i]) for i in range(n)])
    var = np.array([np.sum(p * (U[i] - means[i]) ** 2) for i in range(n)])
    spread = 1.0 + np.max(np.abs(U), axis=tuple(range(1, n + 1)))
    for i in range(n):
        if var[i] <= (1e-12 * spread[i]) ** 2:
            raise ValueError(
                f"game: player {game.players[i]}'s utility is constant under the distribution; "
                "it cannot be normalised"
            )
    stds = np.sqrt(var)
    scales = stds if scale == "std" else game.n_outcomes * var
    Z = (U - means.reshape((n,) + (1,) * n)) / scales.reshape((n,) + (1,) * n)
    total = Z.sum(axis=0)
    best = float(total.max())
    tie = 1e-9 * max(1.0, float(np.max(np.abs(total))))
    flat = int(np.flatnonzero(total.ravel() >= best - tie)[0])
    profile = tuple(int(a) for a in np.unravel_index(flat, shape))
    payoffs = game.payoff_vector(profile)

    ref_note = "given reference"
    if reference is None:
        eqs = pure_nash_equilibria(game)
        if len(eqs) == 1:
            ref = game.payoff_vector(eqs[0])
            ref_note = f"reference: unique pure Nash equilibrium {eqs[0]}"
        else:
            ref = None
            ref_note = f"no reference ({len(eqs)} pure Nash equilibria)"
    else:
        try:
            ref = np.array(reference, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"reference: must be a vector of payoffs ({exc})") from None
        if ref.shape != (n,) or not np.all(np.isfinite(ref)):
            raise ValueError(f"reference: expected {n} finite payoffs, got shape {ref.shape}")
    if ref is None:
        gains, ir = None, None
    else:
        gains = payoffs - ref
        ir = bool(np.all(gains >= -1e-9 * (1.0 + np.abs(ref))))
    return NormalizedChoice(
        profile=profile, normalized_payoffs=_frozen(Z), means=_frozen(means), scales=_frozen(scales),
        stds=_frozen(stds), payoffs=_frozen(payoffs), reference=None if ref is None else _frozen(ref),
        gains=None if gains is None else _frozen(gains), individually_rational=ir,
        distribution=_frozen(p), scale=scale,
        method=f"max sum of (u_i - mean_i) / {'std_i' if scale == 'std' else 'sum of squares_i'}; {ref_note}",
    )
