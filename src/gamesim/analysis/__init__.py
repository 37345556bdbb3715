"""Analysis: equilibria (Nash, correlated, dependency), repeated-game thresholds, convergence metrics and plots.

Plotting lives in :mod:`gamesim.analysis.plots` (imported on demand, so importing
gamesim does not import matplotlib).
"""

from .dependency import *  # noqa: F401,F403
from .dependency import __all__ as _dependency_all
from .equilibria import *  # noqa: F401,F403
from .equilibria import __all__ as _equilibria_all
from .repeated import *  # noqa: F401,F403
from .repeated import __all__ as _repeated_all

__all__ = list(_equilibria_all) + list(_dependency_all) + list(_repeated_all)
