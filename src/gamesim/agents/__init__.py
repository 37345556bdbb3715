"""Agents: one small class per strategy family, each vectorized over all its units."""

from .reactive import *  # noqa: F401,F403
from .reactive import __all__ as _reactive_all

__all__ = list(_reactive_all)
