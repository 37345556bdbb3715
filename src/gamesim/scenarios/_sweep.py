"""Parameter sweeps and seed ensembles over a scenario, run locally or on a Dask cluster."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._base import Progress, jsonable

__all__ = ["expand_grid", "flatten", "sweep_task", "sweep"]


def expand_grid(name: str, grid: Mapping[str, Sequence[Any]], overrides: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """All grid points as override dicts (parsed and checked now, before anything runs).

    Parameters
    ----------
    name : str
        Scenario name.
    grid : dict
        ``{parameter: [values]}`` (values as strings or Python values); points are the
        Cartesian product in the given order.
    overrides : dict, optional
        Fixed parameter values for every point.

    Raises
    ------
    ValueError
        Unknown parameter, bad value, empty value list, a key both fixed and swept, or a
        grid point failing the scenario's cross-parameter checks.
    """
    from . import get_scenario

    scenario = get_scenario(name)
    overrides = dict(overrides or {})
    parsed: dict[str, list[Any]] = {}
    for key, values in grid.items():
        p = scenario.parameter(key)
        if key in overrides:
            raise ValueError(f"{key}: set both as a fixed value and as a grid axis")
        if not values:
            raise ValueError(f"{key}: the grid axis has no values")
        parsed[key] = [p.parse(v) for v in values]
    fixed = {k: scenario.parameter(k).parse(v) for k, v in overrides.items()}
    points = []
    for combo in itertools.product(*parsed.values()):
        point = dict(zip(parsed, combo))
        scenario.resolve({**fixed, **point})            # cross-parameter checks, early
        points.append(point)
    return points


def flatten(headline: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of columns from nested headline figures.

    Dicts become ``key.subkey`` columns; lists of scalars become ``;``-joined text.

    Examples
    --------
    >>> flatten({"scores": {"A": 1.5, "B": 2.0}, "ranking": ["B", "A"], "rate": 0.5})
    {'scores.A': 1.5, 'scores.B': 2.0, 'ranking': 'B;A', 'rate': 0.5}
    """
    out: dict[str, Any] = {}
    for k, v in headline.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, prefix=f"{key}."))
        elif isinstance(v, (list, tuple)):
            out[key] = ";".join("" if x is None else str(x) for x in v)
        else:
            out[key] = v
    return out


def sweep_task(name: str, overrides: Mapping[str, Any], seed: int, out_dir: str | None = None) -> dict[str, Any]:
    """Run one sweep point (a module-level function, so Dask workers can unpickle it)."""
    from . import run_scenario

    return run_scenario(name, overrides, seed, out_dir)


def _headline_of(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("scenario", "parameters", "seed", "version")}


def sweep(name: str, grid: Mapping[str, Sequence[Any]], seeds: Sequence[int], overrides: Mapping[str, Any] | None = None,
          out_dir: str | Path | None = None, client: Any = None, progress: Progress | None = None,
          save_runs: bool = False) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run ``name`` at every grid point for every seed; rows and a summary.

    Parameters
    ----------
    name : str
        Scenario name.
    grid : dict
        ``{parameter: [values]}``.
    seeds : sequence of int
        Seeds; each grid point runs once per seed.
    overrides : dict, optional
        Fixed parameter values.
    out_dir : path, optional
        Writes ``sweep.csv`` and ``summary.json`` there (and each run's files under
        ``runs/NNNN`` if ``save_runs``).
    client : distributed.Client, optional
        Runs the points as Dask tasks (``client.map``); serially in this process if ``None``.
    progress : callable, optional
        ``progress(done, total, "runs")``.
    save_runs : bool
        Keep each run's data and plots (on a cluster: on the workers' file systems).

    Returns
    -------
    rows : list of dict
        One per run: ``run``, the resolved parameters, ``seed``, the flattened headline.
    summary : dict
        Scenario, grid, seeds, base parameters, version, and per grid point the mean and
        standard deviation over seeds of each numeric headline column.
    """
    from .. import __version__
    from . import get_scenario

    scenario = get_scenario(name)
    overrides = dict(overrides or {})
    points = expand_grid(name, grid, overrides)
    base = scenario.resolve(overrides)
    tasks = [(i * len(seeds) + j, point, int(seed)) for i, point in enumerate(points) for j, seed in enumerate(seeds)]
    out = None if out_dir is None else Path(out_dir)
    run_dirs = [str(out / "runs" / f"{t[0]:04d}") if (save_runs and out is not None) else None for t in tasks]
    all_overrides = [{**overrides, **point} for _, point, _ in tasks]

    total = len(tasks)
    if progress is not None:
        progress(0, total, "runs")
    summaries: list[dict[str, Any]] = []
    if client is None:
        for k, ((_, _, seed), ov, d) in enumerate(zip(tasks, all_overrides, run_dirs)):
            summaries.append(sweep_task(name, ov, seed, d))
            if progress is not None:
                progress(k + 1, total, "runs")
    else:
        futures = client.map(sweep_task, [name] * total, all_overrides, [t[2] for t in tasks], run_dirs, pure=False)
        for k, f in enumerate(futures):
            summaries.append(f.result())
            if progress is not None:
                progress(k + 1, total, "runs")

    reserved = {"run", "seed", *base}
    rows = []
    for (run_id, _, seed), s in zip(tasks, summaries):
        row: dict[str, Any] = {"run": run_id, **s["parameters"], "seed": seed}
        for k, v in flatten(_headline_of(s)).items():
            row[f"headline.{k}" if k in reserved else k] = v
        rows.append(row)

    headline_cols: list[str] = []
    for r in rows:
        headline_cols += [c for c in r if c not in reserved and c not in headline_cols]
    grid_keys = list(grid)
    points_out = []
    for i, point in enumerate(points):
        mine = rows[i * len(seeds): (i + 1) * len(seeds)]
        mean, std = {}, {}
        for c in headline_cols:
            vals = [r[c] for r in mine if c in r]
            if vals and all(isinstance(v, (bool, int, float)) for v in vals):
                xs = [float(v) for v in vals if math.isfinite(float(v))]
                if xs:
                    m = sum(xs) / len(xs)
                    mean[c] = m
                    std[c] = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
        points_out.append({"parameters": {k: point[k] for k in grid_keys}, "runs": len(mine), "mean": mean, "std": std})

    summary = jsonable({
        "scenario": name, "parameters": {k: v for k, v in base.items() if k not in grid}, "grid": {k: _unique([p[k] for p in points]) for k in grid_keys},
        "seeds": [int(s) for s in seeds], "version": __version__, "runs": len(rows),
        "scheduler": None if client is None else str(getattr(client, "scheduler_address", "") or client),
        "points": points_out,
    })
    if out is not None:
        import pandas as pd

        from . import write_summary

        out.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(out / "sweep.csv", index=False)
        write_summary(summary, out)
    return rows, summary


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen
