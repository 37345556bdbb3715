"""``gamesim.games``: the game classes and the catalogue of canonical games in one namespace."""

from .sim.catalogue import *  # noqa: F401,F403
from .sim.catalogue import __all__ as _catalogue_all
from .sim.games import *  # noqa: F401,F403
from .sim.games import __all__ as _games_all

__all__ = list(_games_all) + list(_catalogue_all)
