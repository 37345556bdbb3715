"""The ``gamesim`` command: list, run and sweep scenarios.

Usage::

    gamesim list [-v] [SCENARIO ...]
    gamesim run SCENARIO [--set key=value ...] [--seed N] [--out DIR]
    gamesim sweep SCENARIO --grid key=v1,v2 [--grid ...] [--set key=value ...]
                  [--seeds N] [--seed BASE] [--out DIR] [--scheduler ADDRESS]

``run`` prints a short summary and writes ``summary.json``, the data and PNG plots
to ``--out`` (default ``results/<scenario>``).  ``sweep`` runs every grid point for
seeds ``BASE .. BASE+N-1`` and writes ``sweep.csv`` (one row per run) and
``summary.json`` (default ``--out``: ``results/<scenario>_sweep``); with
``--scheduler`` the runs are Dask tasks on that cluster (needs ``distributed``).

Every error is one line ``gamesim: error: ...`` on stderr and exit code 2.  Set the
environment variable ``GAMESIM_DEBUG=1`` to get the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["main", "build_parser", "ProgressBar", "CommandError"]

PROG = "gamesim"


class CommandError(Exception):
    """A user error: reported as one line ``gamesim: error: ...`` with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors become :class:`CommandError` (one line, no usage dump)."""

    def error(self, message: str):  # type: ignore[override]
        sub = self.prog[len(PROG):].strip() if self.prog.startswith(PROG) else ""
        hint = f" (see '{PROG} {sub + ' ' if sub else ''}--help')"
        raise CommandError(message + hint)


# -- progress -----------------------------------------------------------------------
class ProgressBar:
    """A one-line textual progress bar on a stream (stderr by default).

    Called as ``bar(done, total, label)``.  Nothing is drawn during the first
    ``delay`` seconds of a task, so short runs stay silent; afterwards the line is
    redrawn at most every ``interval`` seconds and ended with a newline when
    ``done == total``.

    Examples
    --------
    >>> import io
    >>> s = io.StringIO()
    >>> bar = ProgressBar(s, enabled=True, delay=0, interval=0, width=10)
    >>> bar(5, 10, "rounds"); bar(10, 10, "rounds")
    >>> s.getvalue().splitlines()[-1].split("\\r")[-1]
    'rounds [##########] 100% 10/10'
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, *, width: int = 30,
                 delay: float = 0.5, interval: float = 0.1) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.width, self.delay, self.interval = width, delay, interval
        self._start: float | None = None
        self._last = -float("inf")
        self._shown = False

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self._start is None:
            self._start = now
        finished = done >= total
        if not self._shown and now - self._start < self.delay:
            if finished:
                self._reset()
            return
        if not finished and now - self._last < self.interval:
            return
        frac = 1.0 if total <= 0 else min(1.0, done / total)
        filled = int(round(self.width * frac))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{label} [{bar}] {frac:4.0%} {done}/{total}")
        self._shown = True
        self._last = now
        if finished:
            self.stream.write("\n")
            self._reset()
        self.stream.flush()

    def _reset(self) -> None:
        self._start, self._last, self._shown = None, -float("inf"), False


# -- argument helpers -----------------------------------------------------------------
def _key_value(text: str, option: str) -> tuple[str, str]:
    key, eq, value = text.partition("=")
    if not eq:
        raise CommandError(f"{option}: expected key=value, got {text!r}")
    if not key.strip():
        raise CommandError(f"{option}: missing parameter name in {text!r}")
    return key.strip(), value


def _overrides(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        k, v = _key_value(item, "--set")
        out[k] = v              # the last --set of a key wins
    return out


def _grid(items: Sequence[str] | None) -> dict[str, list[str]]:
    from .scenarios._base import split_top_level

    grid: dict[str, list[str]] = {}
    for item in items or ():
        key, values = _key_value(item, "--grid")
        if key in grid:
            raise CommandError(f"--grid: {key} is given twice")
        parts = [v.strip() for v in values.split(";")] if ";" in values else split_top_level(values)
        if not values.strip() or any(p == "" for p in parts):
            raise CommandError(f"--grid: empty value in {item!r} (expected key=v1,v2,...; use ';' between values that contain commas)")
        grid[key] = parts
    return grid


def _int_at_least(lowest: int, what: str):
    """An argparse type: an integer >= ``lowest``, with a one-line error otherwise."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            v = None
        if v is None or v < lowest:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}")
        return v
    return parse


_seed = _int_at_least(0, "non-negative")
_positive = _int_at_least(1, "positive")


def _prepare_out(path: str | Path) -> Path:
    """Create ``path`` and check that files can be written there."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".gamesim-write-test-"):
            pass
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise CommandError(f"--out: cannot write to {str(out)!r}: {reason}") from None
    return out


def _progress(args: argparse.Namespace) -> ProgressBar | None:
    bar = ProgressBar(sys.stderr, enabled=args.progress)
    return bar if bar.enabled else None


# -- commands ---------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from . import scenarios

    names = args.scenarios or scenarios.available()
    loaded = [scenarios.get_scenario(n) for n in names]
    verbose = args.verbose or bool(args.scenarios)
    width = max(len(s.name) for s in loaded)
    for i, sc in enumerate(loaded):
        print(f"{sc.name:<{width}}  {sc.description}")
        if verbose:
            for p in sc.parameters:
                typ = p.type.__name__ + (" or none" if p.optional else "")
                print(f"    {p.name}={p.default!s}  ({typ})  {p.help}")
            if i < len(loaded) - 1:
                print()
    if not verbose:
        print(f"\nParameters and defaults: {PROG} list -v   (or {PROG} list SCENARIO)")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from . import scenarios

    scenario = scenarios.get_scenario(args.scenario)
    params = scenario.resolve(_overrides(args.set))           # fail before touching the disk
    out = _prepare_out(args.out or Path("results") / scenario.name)
    summary = scenarios.run_scenario(scenario.name, params, args.seed, out, _progress(args))
    headline = {k: v for k, v in summary.items() if k not in ("scenario", "parameters", "seed", "version")}
    print(f"{scenario.name} (seed {args.seed})")
    text = scenario.format_summary(headline)
    if text:
        print(text)
    print(f"results written to {out}/ (summary.json, data, plots)")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from . import scenarios
    from .scenarios._sweep import expand_grid, sweep

    scenario = scenarios.get_scenario(args.scenario)
    overrides = _overrides(args.set)
    grid = _grid(args.grid)
    points = expand_grid(scenario.name, grid, overrides)       # all checks before any run
    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise CommandError("--scheduler needs Dask's distributed package: pip install distributed") from None
        try:
            client = Client(args.scheduler)
        except Exception as e:  # connection refused, timeout, bad address
            raise CommandError(f"--scheduler: cannot connect to {args.scheduler!r}: {_one_line(e)}") from None
    out = _prepare_out(args.out or Path("results") / f"{scenario.name}_sweep")
    seeds = list(range(args.seed, args.seed + args.seeds))
    try:
        rows, _ = sweep(scenario.name, grid, seeds, overrides, out, client=client,
                        progress=_progress(args), save_runs=args.save_runs)
    finally:
        if client is not None:
            client.close()
    where = f"on {args.scheduler}" if client is not None else "locally"
    print(f"{scenario.name}: {len(points)} grid point(s) x {len(seeds)} seed(s) = {len(rows)} run(s) {where}")
    print(f"results written to {out}/ (sweep.csv, summary.json)")
    return 0


# -- parser -------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gamesim`` command."""
    from . import __version__

    parser = _Parser(prog=PROG, description="Agent-based simulation of repeated and stochastic games: run scenarios.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)

    p = sub.add_parser("list", help="list the scenarios", description="List the scenarios (with -v: their parameters).")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="show only these (with their parameters)")
    p.add_argument("-v", "--verbose", action="store_true", help="show each scenario's parameters and defaults")
    p.set_defaults(func=_cmd_list)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("scenario", metavar="SCENARIO", help="scenario name (see 'gamesim list')")
        q.add_argument("--set", action="append", metavar="KEY=VALUE", default=[],
                       help="set a parameter (repeatable); 'gamesim list -v' shows them")
        q.add_argument("--seed", type=_seed, default=0, help="root seed of all randomness (default 0)")
        q.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar on stderr (default: when stderr is a terminal)")

    p = sub.add_parser("run", help="run a scenario", description="Run a scenario; print a summary and write summary.json, data and plots.")
    common(p)
    p.add_argument("--out", metavar="DIR", help="output folder (default results/SCENARIO)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("sweep", help="run a scenario over a parameter grid and seeds",
                       description="Run a scenario at every grid point for several seeds; write sweep.csv and summary.json.")
    common(p)
    p.add_argument("--grid", action="append", metavar="KEY=V1,V2", default=[],
                   help="a swept parameter and its values (repeatable; ';' separates values containing commas)")
    p.add_argument("--seeds", type=_positive, default=1, metavar="N", help="runs per grid point, seeds SEED..SEED+N-1 (default 1)")
    p.add_argument("--out", metavar="DIR", help="output folder (default results/SCENARIO_sweep)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786 (needs distributed)")
    p.add_argument("--save-runs", action="store_true", help="also keep each run's data and plots under DIR/runs/")
    p.set_defaults(func=_cmd_sweep)
    return parser


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


def _use_agg() -> None:
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gamesim`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    debug = bool(os.environ.get("GAMESIM_DEBUG"))
    try:
        args = build_parser().parse_args(argv)
        _use_agg()
        return args.func(args)
    except SystemExit as e:               # --help, --version
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, OSError) as e:
        if debug:
            raise
        print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug: still one line unless debugging
        if debug:
            raise
        print(f"{PROG}: error: internal error, {type(e).__name__}: {_one_line(e)} (set GAMESIM_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
