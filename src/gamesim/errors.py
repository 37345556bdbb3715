"""Warnings gamesim issues.

Kept in one small module so that users can filter them by class::

    import warnings, gamesim
    warnings.simplefilter("error", gamesim.errors.ConvergenceWarning)
"""

from __future__ import annotations

__all__ = ["ConvergenceWarning"]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before meeting its tolerance.

    The result it returns carries a ``converged`` flag and the residuals reached, so
    a caller can decide whether the answer is usable.
    """
