"""The bargaining oracle: feasible sets, bargaining solutions, disagreement points,
CoCo / Shapley / Harsanyi values, cores -- and :class:`Oracle`, the one entry point
bargaining agents use.

Modules
-------
:mod:`~gamesim.bargaining.feasible`
    Feasible sets: game hulls, finite point sets, smooth convex sets, Minkowski sums.
:mod:`~gamesim.bargaining.solutions`
    Nash (symmetric and weighted), Kalai-Smorodinsky, egalitarian, utilitarian.
:mod:`~gamesim.bargaining.disagreement`
    Nash-equilibrium, minmax, Nash (1953) threat and correlated-equilibrium points.
:mod:`~gamesim.bargaining.values`
    Shapley values, CoCo values (2 and n players), Harsanyi dividends and fallbacks.
:mod:`~gamesim.bargaining.harsanyi`
    Coalition-perfect Harsanyi (= CoCo) equilibria.
:mod:`~gamesim.bargaining.cores`
    Alpha-, A- and Nash-equilibrium cores of additively separable games.
:mod:`~gamesim.bargaining.ecl`
    ECL Bayesian bargaining games: Bayesian Nash equilibrium, NBS with prior weights,
    threat point, dependency-equilibrium checks (exported with an ``ecl_`` prefix).
:mod:`~gamesim.bargaining.normalization`
    Variance normalization (the baseline Treutlein argues against).
:mod:`~gamesim.bargaining.oracle`
    :class:`Oracle` and :class:`Settlement`.
:mod:`~gamesim.bargaining.plots`
    Two-player bargaining figures (imported on demand: it needs matplotlib).

Examples
--------
>>> from gamesim import bargaining as bg
>>> from gamesim.sim.catalogue import treutlein_example_60
>>> g = treutlein_example_60()
>>> bg.threat_point(g).point, bg.coco_value(g).values
(array([2.5 , 4.75]), array([1.5, 6.5]))
"""

from .cores import *  # noqa: F401,F403
from .cores import __all__ as _cores
from .disagreement import *  # noqa: F401,F403
from .disagreement import __all__ as _disagreement
from .feasible import *  # noqa: F401,F403
from .feasible import __all__ as _feasible
from .harsanyi import *  # noqa: F401,F403
from .harsanyi import __all__ as _harsanyi
from .normalization import *  # noqa: F401,F403
from .normalization import __all__ as _normalization
from .oracle import *  # noqa: F401,F403
from .oracle import __all__ as _oracle
from .solutions import *  # noqa: F401,F403
from .solutions import __all__ as _solutions
from .values import *  # noqa: F401,F403
from .values import __all__ as _values
from .zerosum import small_zero_sum_value, zero_sum_value_fast, zero_sum_values  # noqa: F401
from . import ecl  # noqa: F401
from .ecl import (  # noqa: F401
    ECLBargainingOutcome,
    ECLBayesianNash,
    ECLDependencyCheck,
    ECLThreatPoint,
    nbs_is_dependency_equilibrium,
)
from .ecl import bayesian_nash as ecl_bayesian_nash  # noqa: F401
from .ecl import dependency_check as ecl_dependency_check  # noqa: F401
from .ecl import nash_bargaining as ecl_nash_bargaining  # noqa: F401
from .ecl import threat_point as ecl_threat_point  # noqa: F401

__all__ = (list(_feasible) + list(_solutions) + list(_disagreement) + list(_values) + list(_harsanyi)
           + list(_cores) + list(_normalization) + list(_oracle)
           + ["small_zero_sum_value", "zero_sum_value_fast", "zero_sum_values"]
           + ["ECLBargainingOutcome", "ECLBayesianNash", "ECLDependencyCheck", "ECLThreatPoint",
              "ecl_bayesian_nash", "ecl_nash_bargaining", "ecl_threat_point", "ecl_dependency_check",
              "nbs_is_dependency_equilibrium"])
