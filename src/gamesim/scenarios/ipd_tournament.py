"""Iterated prisoner's dilemma tournament, Axelrod-style.

Every strategy meets every other strategy and a copy of itself (round robin with
self-play) for ``turns`` rounds, as in Axelrod's tournaments [A84]_; a strategy's
score is its mean payoff per turn against the *other* players (self-play left out,
as in the Axelrod library's ``normalised_scores``).  Noise, a continuation
probability (matches of random length), random pairing each round and several
agents per strategy are options.

Writes ``summary.json`` (through the caller), the result data (``scores.csv``,
``series.csv``, ``arrays.npz``, ``parameters.json``) and three plots:
``score_distribution.png``, ``pairwise_heatmap.png`` and ``cooperation_rate.png``.

References
----------
.. [A84] R. Axelrod, *The Evolution of Cooperation*, Basic Books, 1984.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._base import (Parameter, Progress, choice, half_open_unit_interval, positive, probability,
                    run_environment, split_top_level)

NAME = "ipd_tournament"
DESCRIPTION = "Iterated prisoner's dilemma round-robin tournament with self-play (Axelrod 1984)"

DEFAULT_PLAYERS = ("TitForTat,GrimTrigger,Cooperator,Defector,WinStayLoseShift,TitForTwoTats,"
                   "SuspiciousTitForTat,Alternator")

PARAMETERS = (
    Parameter("turns", 200, int, "rounds per match (the cap on a match's length with continuation)", positive),
    Parameter("players", DEFAULT_PLAYERS, str,
              "comma-separated strategies from gamesim.agents, e.g. TitForTat,Grudger,Random(0.3),MemoryOne(1,0,0,1)"),
    Parameter("R", 3.0, float, "reward for mutual cooperation"),
    Parameter("S", 0.0, float, "sucker's payoff (C against D)"),
    Parameter("T", 5.0, float, "temptation (D against C)"),
    Parameter("P", 1.0, float, "punishment for mutual defection"),
    Parameter("noise", 0.0, float, "probability that a played move is flipped", probability),
    Parameter("continuation", None, float,
              "probability a match goes on after each round (none: fixed length)", half_open_unit_interval),
    Parameter("matching", "round_robin", str, "round_robin (every pair once, with self-play) or random (new pairs each round)",
              choice("round_robin", "random")),
    Parameter("copies", 1, int, "agents per strategy", positive),
)

_ALIASES = {"Grudger": "GrimTrigger", "TitFor2Tats": "TitForTwoTats"}
_SPEC = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$")


def strategy_classes() -> dict[str, type]:
    """Strategy names accepted in ``players`` (classes of ``REACTIVE_STRATEGIES`` and aliases)."""
    from ..agents import REACTIVE_STRATEGIES

    table = {cls.__name__: cls for cls in REACTIVE_STRATEGIES}
    for alias, target in _ALIASES.items():
        table[alias] = table[target]
    return table


def parse_player(spec: str) -> Any:
    """One strategy from text: ``"TitForTat"``, ``"Grudger"``, ``"Random(0.3)"``, ``"MemoryOne(1,0,0,1)"``.

    Arguments in parentheses are numbers, positional or ``field=value``.  Names are
    matched case-insensitively.

    Examples
    --------
    >>> parse_player("Random(0.3)")
    Random(p=0.3)
    >>> parse_player("memoryone(1, 0, 0, 1, initial=0)").p_dd
    1.0
    """
    m = _SPEC.match(spec)
    if not m:
        raise ValueError(f"players: cannot read strategy {spec!r} (expected Name or Name(arg, ...))")
    name, argtext = m.group(1), m.group(2)
    table = strategy_classes()
    lookup = {k.lower(): v for k, v in table.items()}
    cls = lookup.get(name.lower())
    if cls is None:
        raise ValueError(f"players: unknown strategy {name!r} (known: {', '.join(sorted(table))})")
    args: list[float] = []
    kwargs: dict[str, float] = {}
    if argtext is not None and argtext.strip():
        for part in argtext.split(","):
            key, eq, val = part.partition("=")
            text = val if eq else key
            try:
                num = float(text)
            except ValueError:
                raise ValueError(f"players: {spec.strip()}: expected numeric arguments, got {text.strip()!r}") from None
            if eq:
                kwargs[key.strip()] = num
            elif kwargs:
                raise ValueError(f"players: {spec.strip()}: positional argument after keyword argument")
            else:
                args.append(num)
    try:
        return cls(*args, **kwargs)
    except TypeError as e:
        raise ValueError(f"players: {spec.strip()}: {e}") from None
    except ValueError as e:
        raise ValueError(f"players: {spec.strip()}: {e}") from None


def parse_players(text: str) -> list[Any]:
    """Strategies from a comma-separated list (commas inside parentheses belong to arguments).

    Examples
    --------
    >>> [s.name for s in parse_players("TitForTat, Grudger, Random(0.3)")]
    ['TitForTat', 'GrimTrigger', 'Random(0.3)']
    """
    specs = split_top_level(text)
    if not any(specs):
        raise ValueError("players: no strategies given")
    strategies = []
    for spec in specs:
        if not spec:
            raise ValueError(f"players: empty name in {text!r}")
        s = parse_player(spec)
        if s in strategies:
            raise ValueError(f"players: {s.name} is listed twice (use copies=N for several agents per strategy)")
        if s.name in [t.name for t in strategies]:
            raise ValueError(f"players: two different strategies share the display name {s.name}")
        strategies.append(s)
    return strategies


def validate(params: Mapping[str, Any]) -> None:
    """Checks across parameters: the players parse, there are two agents or more, ``T > R > P > S``."""
    players = parse_players(params["players"])
    if len(players) * params["copies"] < 2:
        raise ValueError("players, copies: a tournament needs at least 2 agents (scores leave self-play out)")
    R, S, T, P = (params[k] for k in "RSTP")
    if not T > R > P > S:
        raise ValueError(f"R, S, T, P: a prisoner's dilemma needs T > R > P > S, got R={R:g}, S={S:g}, T={T:g}, P={P:g}")


def cooperation_rates(result: Any, action: int = 0) -> tuple[float, dict[str, float]]:
    """Overall and per-strategy frequency of ``action`` over all turns.

    A strategy's rate is the mean over the rounds it played of its per-round
    frequency; the overall rate weights strategies by their turns.  This is the exact
    fraction of turns whenever each strategy plays equally many turns in every round
    it plays (fixed matching without continuation; random matching of an even
    number of agents) and a close approximation otherwise.
    """
    series = result.cooperation_series(action)                       # (rounds, K)
    per: dict[str, float] = {}
    weights = np.array([result.turns[result.agent_strategy == k].sum() for k in range(len(result.strategy_names))])
    rates = np.full(len(result.strategy_names), np.nan)
    for k, name in enumerate(result.strategy_names):
        col = series[:, k]
        col = col[np.isfinite(col)]
        rates[k] = float(col.mean()) if col.size else np.nan
        per[name] = float(rates[k])
    ok = np.isfinite(rates) & (weights > 0)
    overall = float(np.sum(rates[ok] * weights[ok]) / np.sum(weights[ok])) if ok.any() else float("nan")
    return overall, per


def run(params: Mapping[str, Any], seed: Any, out_dir: Path | None, progress: Progress | None) -> dict[str, Any]:
    """Play the tournament; see the module docstring."""
    from ..sim.catalogue import prisoners_dilemma
    from ..sim.environment import Environment

    game = prisoners_dilemma(R=params["R"], S=params["S"], T=params["T"], P=params["P"])
    strategies = parse_players(params["players"])
    population = {s: params["copies"] for s in strategies}
    env = Environment(game, population, matching=params["matching"], rounds=params["turns"],
                      continuation=params["continuation"], noise=params["noise"], seed=seed)
    result = run_environment(env, progress, label="rounds")

    scores = result.strategy_scores()
    # best first; ties keep population order; a strategy that never met another (NaN) comes last
    ranking = sorted(scores, key=lambda n: (not np.isfinite(scores[n]), -np.nan_to_num(scores[n], nan=0.0)))
    c_index = game.actions[0].index("C")
    overall, per_strategy = cooperation_rates(result, c_index)
    headline = {
        "scores": scores,
        "ranking": ranking,
        "cooperation_rate": overall,
        "cooperation_by_strategy": per_strategy,
    }
    if out_dir is not None:
        from ..analysis import plots

        result.save(out_dir)
        plots.save_figure(plots.score_distribution(result), out_dir / "score_distribution.png")
        if result.pairwise_total is not None:
            plots.save_figure(plots.pairwise_heatmap(result), out_dir / "pairwise_heatmap.png")
        plots.save_figure(plots.cooperation_rate(result, action=c_index), out_dir / "cooperation_rate.png")
    return headline


def format_summary(headline: Mapping[str, Any]) -> str:
    """Ranked score table: rank, strategy, mean score per turn; then the cooperation rate."""
    scores = headline["scores"]
    ranking = headline["ranking"]
    width = max([len("strategy")] + [len(n) for n in ranking])
    lines = [f"{'rank':>4}  {'strategy':<{width}}  {'score/turn':>10}"]
    for i, name in enumerate(ranking, 1):
        s = scores[name]
        lines.append(f"{i:>4}  {name:<{width}}  {'nan' if s is None else format(s, '10.4f'):>10}")
    rate = headline.get("cooperation_rate")
    if rate is not None:
        lines.append(f"cooperation rate: {rate:.4f}")
    return "\n".join(lines)
