"""Agents: one small class per strategy family, each vectorized over all its units."""

from . import bargainers, dynamics, ecl, fast_fp, learners, stochastic  # noqa: F401
from .bargainers import (BARGAINERS, Bargainer, CoCoBargainer, CorrelatedFallbackBargainer,  # noqa: F401
                         HarsanyiBargainer, NashBargainer)
from .ecl import (CausalDecisionTheorist, ECLCooperator, ECLPlan, ECLPolicy,  # noqa: F401
                  ECLSimulationResult, Superrational, simulate_ecl)
from .stochastic import (CoCoQ, IndependentQ, MinimaxQ, StateFictitiousPlay, StateRegretMatching,  # noqa: F401
                         StationaryPolicy, StochasticCoCoBargainer, StochasticGrimTrigger, play_stochastic)
from .dynamics import replicator_dynamics, two_population_replicator  # noqa: F401
from .fast_fp import FictitiousPlayResult, fictitious_play  # noqa: F401
from .learners import *  # noqa: F401,F403
from .learners import __all__ as _learners_all
from .reactive import *  # noqa: F401,F403
from .reactive import __all__ as _reactive_all

__all__ = list(_reactive_all) + list(_learners_all) + [
    "fictitious_play", "FictitiousPlayResult", "replicator_dynamics", "two_population_replicator",
    "dynamics", "fast_fp", "learners", "bargainers",
    "Bargainer", "CoCoBargainer", "HarsanyiBargainer", "NashBargainer", "CorrelatedFallbackBargainer",
    "BARGAINERS",
    "ecl", "ECLPolicy", "ECLCooperator", "ECLPlan", "CausalDecisionTheorist", "Superrational",
    "ECLSimulationResult", "simulate_ecl",
    "stochastic", "MinimaxQ", "IndependentQ", "StateFictitiousPlay", "StateRegretMatching", "CoCoQ",
    "StationaryPolicy", "StochasticGrimTrigger",
    "StochasticCoCoBargainer", "play_stochastic",
]
