"""Array helpers shared by result types and input validation (imports only NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np


def frozen(a: Any) -> np.ndarray | None:
    """A read-only float copy of ``a`` (``None`` stays ``None``): result fields cannot be mutated."""
    if a is None:
        return None
    arr = np.array(a, dtype=float)
    arr.setflags(write=False)
    return arr


def as_matrix(value: Any, field: str, shape_hint: str = "a 2-D array") -> np.ndarray:
    """``value`` as a finite 2-D float array; ``ValueError`` naming ``field`` otherwise."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be a matrix of numbers ({exc})") from None
    if arr.ndim != 2:
        raise ValueError(f"{field}: expected {shape_hint}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field}: contains NaN or infinite entries")
    return arr


def as_number(value: Any, field: str, *, low: float = -np.inf, high: float = np.inf,
              low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in the interval; ``ValueError`` naming ``field`` otherwise.

    Examples
    --------
    >>> as_number("0.5", "epsilon", low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: epsilon: expected a number, got '0.5'
    >>> as_number(2, "tol", low=0, low_open=True)
    2.0
    """
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{field}: expected a number, got {value!r}")
    v = float(value)
    below = v <= low if low_open else v < low
    above = v >= high if high_open else v > high
    if not np.isfinite(v) or below or above:
        if np.isinf(high):
            need = f"be finite and {'>' if low_open else '>='} {low:g}"
        elif np.isinf(low):
            need = f"be finite and {'<' if high_open else '<='} {high:g}"
        else:
            need = f"lie in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{field}: must {need}, got {value!r}")
    return v


def as_count(value: Any, field: str, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum`` (bools refused); ``ValueError`` naming ``field`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{field}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def as_vector(value: Any, field: str, size: int, *, allow_inf: bool = False) -> np.ndarray:
    """``value`` as a float vector of shape ``(size,)`` without NaN (and, unless ``allow_inf``, finite).

    ``ValueError`` naming ``field`` otherwise.
    """
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be a vector of numbers ({exc})") from None
    if arr.shape != (size,):
        raise ValueError(f"{field}: expected shape ({size},), got {arr.shape}")
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if np.any(bad):
        raise ValueError(f"{field}: contains NaN" + ("" if allow_inf else " or infinite entries"))
    return arr


def as_weights(value: Any, field: str, size: int) -> np.ndarray:
    """Non-negative weights with a positive sum, normalised to sum 1 (no overflow for huge ones).

    Examples
    --------
    >>> as_weights([1e308, 1e308], "weights", 2)
    array([0.5, 0.5])
    >>> as_weights([1, -1], "weights", 2)
    Traceback (most recent call last):
    ...
    ValueError: weights: must be non-negative with a positive sum, got [1.0, -1.0]
    """
    w = as_vector(value, field, size)
    if np.any(w < 0) or not w.max() > 0:
        raise ValueError(f"{field}: must be non-negative with a positive sum, got {w.tolist()}")
    w = w / w.max()               # first, so that the sum cannot overflow
    return w / w.sum()
