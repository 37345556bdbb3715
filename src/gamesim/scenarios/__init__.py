"""Runnable scenarios, one module each, listed and run by the ``gamesim`` command.

The registry is the tuple :data:`SCENARIO_MODULES` of module names; a module is
imported only when its scenario is asked for.  To add a scenario, write a module
``gamesim/scenarios/<name>.py`` following :mod:`gamesim.scenarios._base` and add
``<name>`` to the tuple.

Examples
--------
>>> from gamesim import scenarios
>>> scenarios.available()  # doctest: +NORMALIZE_WHITESPACE
['ipd_tournament', 'grim_trigger_threshold', 'fp_matching_pennies', 'fp_zero_sum',
 'fp_shapley_cycle', 'regret_matching_chicken', 'learning_showdown', 'bargaining_examples',
 'coco_threats', 'bargainers_tournament', 'threat_incentive', 'ecl_bayesian_pd',
 'ecl_similarity', 'stochastic_zero_sum', 'commons', 'ecl_feasible_sets', 'ecl_prior_weights',
 'ecl_double_decrease', 'ecl_paretotopia']
>>> sc = scenarios.get_scenario("grim_trigger_threshold")
>>> sc.resolve({"T": "10"})["T"]
10.0
>>> sc.resolve({"noise": "0.1"})
Traceback (most recent call last):
...
ValueError: unknown parameter 'noise' for scenario grim_trigger_threshold (known: R, S, T, P, delta_min, delta_max, n, max_rounds)
"""

from __future__ import annotations

import difflib
import importlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ._base import Parameter, Progress, Scenario, jsonable

__all__ = ["SCENARIO_MODULES", "Parameter", "Scenario", "available", "get_scenario",
           "run_scenario", "build_summary", "write_summary"]

SCENARIO_MODULES: tuple[str, ...] = (
    "ipd_tournament",
    "grim_trigger_threshold",
    "fp_matching_pennies",
    "fp_zero_sum",
    "fp_shapley_cycle",
    "regret_matching_chicken",
    "learning_showdown",
    "bargaining_examples",
    "coco_threats",
    "bargainers_tournament",
    "threat_incentive",
    "ecl_bayesian_pd",
    "ecl_similarity",
    "stochastic_zero_sum",
    "commons",
    "ecl_feasible_sets",
    "ecl_prior_weights",
    "ecl_double_decrease",
    "ecl_paretotopia",
)
"""Module names (= scenario names) under :mod:`gamesim.scenarios`, in listing order."""


def available() -> list[str]:
    """Names of all registered scenarios, in listing order."""
    return list(SCENARIO_MODULES)


@cache
def get_scenario(name: str) -> Scenario:
    """The scenario called ``name`` (its module is imported now).

    Raises
    ------
    ValueError
        If there is no such scenario (with a suggestion when one is close).
    """
    if name not in SCENARIO_MODULES:
        close = difflib.get_close_matches(name, SCENARIO_MODULES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown scenario {name!r} (available: {', '.join(SCENARIO_MODULES)}){hint}")
    module = importlib.import_module(f"{__name__}.{name}")
    return Scenario.from_module(module)


def build_summary(scenario: Scenario, params: Mapping[str, Any], seed: Any,
                  headline: Mapping[str, Any]) -> dict[str, Any]:
    """The ``summary.json`` content: scenario, parameters, seed, version, then the headline figures."""
    from .. import __version__

    summary = {"scenario": scenario.name, "parameters": dict(params), "seed": seed, "version": __version__}
    for k, v in headline.items():
        if k in summary:
            raise ValueError(f"scenario {scenario.name}: headline key {k!r} clashes with a summary field")
        summary[k] = v
    return jsonable(summary)


def write_summary(summary: Mapping[str, Any], out_dir: str | Path, filename: str = "summary.json") -> Path:
    """Write ``summary`` as strict JSON (NaN as ``null``) to ``out_dir/filename``."""
    path = Path(out_dir) / filename
    path.write_text(json.dumps(jsonable(summary), indent=2, allow_nan=False) + "\n")
    return path


def run_scenario(name: str, params: Mapping[str, Any] | None = None, seed: int | None = 0,
                 out_dir: str | Path | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Run a scenario by name and return its summary (written to ``out_dir/summary.json`` too).

    Parameters
    ----------
    name : str
        A name from :func:`available`.
    params : dict, optional
        Parameter overrides, as values or as strings (``{"turns": "50"}``).
    seed : int, optional
        Root seed of all randomness.
    out_dir : path, optional
        Where the data, plots and ``summary.json`` go; ``None`` writes nothing.
    progress : callable, optional
        ``progress(done, total, label)``.
    """
    scenario = get_scenario(name)
    resolved = scenario.resolve(params)
    out = None
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
    headline = scenario.module.run(resolved, seed, out, progress)
    summary = build_summary(scenario, resolved, seed, headline)
    if out is not None:
        write_summary(summary, out)
    return summary
