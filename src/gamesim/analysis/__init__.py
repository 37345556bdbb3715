"""Analysis: equilibria, repeated-game thresholds, convergence metrics and plots.

Plotting lives in :mod:`gamesim.analysis.plots` (imported on demand, so importing
gamesim does not import matplotlib).
"""

from .equilibria import *  # noqa: F401,F403
from .equilibria import __all__ as _equilibria_all
from .repeated import *  # noqa: F401,F403
from .repeated import __all__ as _repeated_all

__all__ = list(_equilibria_all) + list(_repeated_all)
