"""Building blocks of scenarios: typed parameters, checks, progress and output helpers.

A scenario is one module in :mod:`gamesim.scenarios` that defines

``NAME`` : str
    The name the command line uses (the module's name).
``DESCRIPTION`` : str
    One line for ``gamesim list``.
``PARAMETERS`` : tuple of :class:`Parameter`
    Every parameter with its type, default, help text and range check.
``run(params, seed, out_dir, progress) -> dict``
    Runs the scenario with the resolved parameters (a dict holding every parameter),
    writes its data and PNG plots into ``out_dir`` (a :class:`~pathlib.Path`, or
    ``None`` to write nothing) and returns the headline figures (JSON-able).
    ``progress`` is ``None`` or a callable ``progress(done, total, label)``.

and optionally

``validate(params) -> None``
    Checks that involve several parameters; raises ``ValueError`` naming them.
``format_summary(headline) -> str``
    The short text ``gamesim run`` prints (default: the scalar headline figures).

:class:`Scenario` wraps such a module; :mod:`gamesim.scenarios` keeps the registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "Parameter", "Scenario", "Progress", "positive", "non_negative", "probability",
    "open_unit_interval", "half_open_unit_interval", "choice", "split_top_level", "run_environment", "jsonable", "delta_key",
]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called as work advances; ``done == total`` at the end."""

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NONE = {"none", "null", ""}


# -- range checks: value -> error message or None --------------------------------------
def positive(value: float) -> str | None:
    """Check: ``value > 0``."""
    return None if value > 0 else "must be positive"


def non_negative(value: float) -> str | None:
    """Check: ``value >= 0``."""
    return None if value >= 0 else "must be non-negative"


def probability(value: float) -> str | None:
    """Check: ``0 <= value <= 1``."""
    return None if 0 <= value <= 1 else "must lie in [0, 1]"


def open_unit_interval(value: float) -> str | None:
    """Check: ``0 < value < 1``."""
    return None if 0 < value < 1 else "must lie in (0, 1)"


def half_open_unit_interval(value: float) -> str | None:
    """Check: ``0 <= value < 1``."""
    return None if 0 <= value < 1 else "must lie in [0, 1)"


def choice(*options: Any) -> Callable[[Any], str | None]:
    """Check: ``value`` is one of ``options``."""
    def check(value: Any) -> str | None:
        return None if value in options else f"must be one of {', '.join(map(str, options))}"
    check.__doc__ = f"one of {options}"
    return check


@dataclass(frozen=True)
class Parameter:
    """One typed scenario parameter.

    Parameters
    ----------
    name : str
        The key used in ``--set name=value``.
    default : object
        The value used when the parameter is not set; ``None`` makes the parameter
        optional (``none`` / ``null`` on the command line set it back to ``None``).
    type : {int, float, str, bool}
        The type values are parsed to.  An ``int`` is accepted for a ``float``.
    help : str
        One line for ``gamesim list -v``.
    check : callable, optional
        ``check(value)`` returns ``None`` if the value is acceptable, else a short
        message such as ``"must lie in [0, 1]"``.
    """

    name: str
    default: Any
    type: type
    help: str
    check: Callable[[Any], str | None] | None = None

    @property
    def optional(self) -> bool:
        """Whether ``None`` is an acceptable value (the default is ``None``)."""
        return self.default is None

    def parse(self, value: Any) -> Any:
        """Convert ``value`` (a string from the command line, or a Python value) and check it.

        Raises
        ------
        ValueError
            One line naming the parameter: wrong type or out of range.
        """
        v = self._convert(value)
        if v is not None and self.check is not None:
            msg = self.check(v)
            if msg:
                raise ValueError(f"{self.name}: {msg}, got {value!r}")
        return v

    def _convert(self, value: Any) -> Any:
        t, name = self.type, self.name
        if value is None or (isinstance(value, str) and self.optional and value.strip().lower() in _NONE):
            if self.optional:
                return None
            raise ValueError(f"{name}: a value is required ({t.__name__})")
        if isinstance(value, str):
            s = value.strip()
            if t is bool:
                if s.lower() in _TRUE:
                    return True
                if s.lower() in _FALSE:
                    return False
                raise ValueError(f"{name}: expected true or false, got {value!r}")
            if t is int:
                try:
                    return int(s)
                except ValueError:
                    raise ValueError(f"{name}: expected an integer, got {value!r}") from None
            if t is float:
                try:
                    v = float(s)
                except ValueError:
                    raise ValueError(f"{name}: expected a number, got {value!r}") from None
                if not math.isfinite(v):
                    raise ValueError(f"{name}: expected a finite number, got {value!r}")
                return v
            return value
        # Python values
        if t is bool:
            if isinstance(value, bool):
                return value
            raise ValueError(f"{name}: expected true or false, got {value!r}")
        if t is int:
            if isinstance(value, bool) or not _is_integral(value):
                raise ValueError(f"{name}: expected an integer, got {value!r}")
            return int(value)
        if t is float:
            if isinstance(value, bool) or not _is_real(value):
                raise ValueError(f"{name}: expected a number, got {value!r}")
            v = float(value)
            if not math.isfinite(v):
                raise ValueError(f"{name}: expected a finite number, got {value!r}")
            return v
        if t is str:
            if isinstance(value, str):
                return value
            raise ValueError(f"{name}: expected a string, got {value!r}")
        return t(value)

    def describe(self) -> str:
        """``name (type, default X): help`` for listings."""
        typ = self.type.__name__ + (" or none" if self.optional else "")
        return f"{self.name} ({typ}, default {self.default!r}): {self.help}"


def _is_integral(value: Any) -> bool:
    import numbers
    return isinstance(value, numbers.Integral)


def _is_real(value: Any) -> bool:
    import numbers
    return isinstance(value, numbers.Real)


@dataclass(frozen=True)
class Scenario:
    """A scenario module seen through one interface (see the module docstring)."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    module: ModuleType = field(repr=False, compare=False)

    @classmethod
    def from_module(cls, module: ModuleType) -> Scenario:
        for attr in ("NAME", "DESCRIPTION", "PARAMETERS", "run"):
            if not hasattr(module, attr):
                raise TypeError(f"scenario module {module.__name__} lacks {attr}")
        names = [p.name for p in module.PARAMETERS]
        if len(set(names)) != len(names):
            raise TypeError(f"scenario module {module.__name__}: duplicate parameter names {names}")
        return cls(module.NAME, module.DESCRIPTION, tuple(module.PARAMETERS), module)

    @property
    def defaults(self) -> dict[str, Any]:
        """Every parameter with its default value."""
        return {p.name: p.default for p in self.parameters}

    def parameter(self, key: str) -> Parameter:
        """The parameter called ``key``; ``ValueError`` naming the scenario if there is none."""
        for p in self.parameters:
            if p.name == key:
                return p
        known = ", ".join(p.name for p in self.parameters)
        raise ValueError(f"unknown parameter {key!r} for scenario {self.name} (known: {known})")

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The full parameter dict: defaults updated by ``overrides`` (strings or values), checked.

        Raises
        ------
        ValueError
            Unknown key, wrong type or out-of-range value (one line naming the field).
        """
        params = self.defaults
        for key, value in (overrides or {}).items():
            params[key] = self.parameter(key).parse(value)
        validate = getattr(self.module, "validate", None)
        if validate is not None:
            validate(params)
        return params

    def run(self, params: Mapping[str, Any] | None = None, seed: int | None = 0,
            out_dir: str | Path | None = None, progress: Progress | None = None) -> dict[str, Any]:
        """Resolve ``params`` and run; returns the headline figures (see the module docstring)."""
        resolved = self.resolve(params)
        out = None
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
        return self.module.run(resolved, seed, out, progress)

    def format_summary(self, headline: Mapping[str, Any]) -> str:
        """Short text for the terminal."""
        fmt = getattr(self.module, "format_summary", None)
        if fmt is not None:
            return fmt(headline)
        lines = []
        for k, v in headline.items():
            if isinstance(v, (int, float, str, bool)) or v is None:
                lines.append(f"{k}: {v:.6g}" if isinstance(v, float) else f"{k}: {v}")
        return "\n".join(lines)


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses: ``"A,B(1,2)"`` -> ``["A", "B(1,2)"]``.

    Examples
    --------
    >>> split_top_level("TitForTat, MemoryOne(1,0,1,0) ,Random(0.3)")
    ['TitForTat', 'MemoryOne(1,0,1,0)', 'Random(0.3)']
    """
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def run_environment(env: Any, progress: Progress | None = None, label: str = "rounds",
                    updates: int = 100) -> Any:
    """Play every round of ``env`` and return its result, reporting progress in chunks of rounds.

    Without ``progress`` this is ``env.run()``.  With it, the rounds are played with
    ``env.step()`` and ``progress(round, horizon, label)`` is called about ``updates``
    times; the result is the same.
    """
    if progress is None:
        return env.run()
    if env.round > 0:
        env.reset()
    total = env.horizon
    every = max(1, total // max(1, updates))
    progress(0, total, label)
    while env.round < total:
        env.step()
        if env.round % every == 0 or env.round == total:
            progress(env.round, total, label)
    return env.result()


def jsonable(obj: Any) -> Any:
    """``obj`` with NumPy scalars and arrays turned into Python ones, NaN/inf into ``None``."""
    import numpy as np

    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def delta_key(delta: float) -> str:
    """A stable text key for a discount factor: ``0.15000000000000002`` -> ``"0.15"``."""
    return f"{float(delta):.10g}"
