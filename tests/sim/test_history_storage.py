"""Compact history, lazily computed series and the match-level stepper's blocks.

Under a fixed matching the environment keeps the run's joint actions (one byte per
seat) and computes the per-round series from them on first read; when that history
would be large it accumulates the series chunk by chunk instead.  Both must give the
same numbers, and neither may change what a seed produces.
"""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

import gamesim as gs
import gamesim.sim.automata as automata
import gamesim.sim.environment as environment
from gamesim.agents import (Alternator, Cooperator, Defector, GrimTrigger, MemoryOne, Random,
                            TitForTat, WinStayLoseShift)
from gamesim.sim import Environment
from gamesim.sim.automata import MatchStepper
from gamesim.sim.results import DeferredSeries

PD = gs.games.prisoners_dilemma(R=3, S=0, T=5, P=1)
MEMORY_ONE = [MemoryOne(*map(float, v)) for v in np.random.default_rng(3).random((12, 4))]
MIXED = {MemoryOne(0.9, 0.2, 0.7, 0.1): 2, Random(0.4): 1, TitForTat(): 2, GrimTrigger(): 1}
DETERMINISTIC = [TitForTat(), GrimTrigger(), Cooperator(), Defector(), WinStayLoseShift(), Alternator()]
SERIES = ("series_payoff", "series_actions", "series_turns")
TOTALS = ("total_payoff", "turns", "self_payoff", "self_turns", "pairwise_total", "pairwise_turns")

CASES = {
    "memory-one": dict(game=PD, population=MEMORY_ONE, rounds=60, seed=1),
    "noise": dict(game=PD, population=MEMORY_ONE, rounds=60, seed=2, noise=0.05),
    "continuation+discount": dict(game=PD, population=MIXED, rounds=150, seed=3, continuation=0.97, discount=0.98),
    "product": dict(game=PD, population=DETERMINISTIC, rounds=40, seed=4),
    "product+continuation": dict(game=PD, population=DETERMINISTIC, rounds=80, seed=5, continuation=0.9),
    "seat-level": dict(game=PD, population=MIXED, rounds=50, seed=6, fast_path=False, noise=0.02),
    "three actions": dict(game=gs.games.rock_paper_scissors(), population=MIXED, rounds=50, seed=7, noise=0.05),
}


def _assert_same(a, b, fields):
    for f in fields:
        x, y = getattr(a, f), getattr(b, f)
        if x is None:
            assert y is None, f
        else:
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-12, equal_nan=True, err_msg=f)


@pytest.mark.parametrize("name", list(CASES))
def test_lazy_and_eager_series_agree(name, monkeypatch):
    kwargs = CASES[name]
    lazy = Environment(keep_history=True, **kwargs).run()
    assert all(isinstance(lazy.__dict__[f], DeferredSeries) for f in SERIES)
    monkeypatch.setattr(environment, "LAZY_SERIES_BYTES", 0)          # force chunk-by-chunk series
    env = Environment(keep_history=True, **kwargs)
    eager = env.run()
    assert not any(isinstance(eager.__dict__[f], DeferredSeries) for f in SERIES)
    _assert_same(lazy, eager, SERIES + TOTALS + ("discounted_payoff", "history", "history_agents"))
    assert lazy.series_payoff.shape == (lazy.rounds_played, len(lazy.strategy_names))
    assert lazy.series_turns.dtype == np.float64


@pytest.mark.parametrize("name", ["noise", "continuation+discount", "product+continuation"])
def test_small_buffers_and_many_chunks_change_nothing(name, monkeypatch):
    kwargs = CASES[name]
    want = Environment(keep_history=True, **kwargs).run()
    # One row per buffer, one round per block of uniforms: every boundary is crossed.
    monkeypatch.setattr(environment, "_BUFFER_BYTES", 1)
    monkeypatch.setattr(MatchStepper, "BLOCK_BYTES", 1)
    for lazy_bytes in (0, environment.LAZY_SERIES_BYTES):
        monkeypatch.setattr(environment, "LAZY_SERIES_BYTES", lazy_bytes)
        got = Environment(keep_history=True, **kwargs).run()
        _assert_same(want, got, SERIES + TOTALS + ("discounted_payoff", "history"))


def test_eager_mode_keeps_no_history(monkeypatch):
    monkeypatch.setattr(environment, "LAZY_SERIES_BYTES", 0)
    monkeypatch.setattr(environment, "_BUFFER_BYTES", 1000)
    env = Environment(PD, MEMORY_ONE, rounds=300, seed=8)
    env.run()
    assert env._chunks == [] and env._buffer.shape[0] < 300     # one small buffer, reused
    # The lazy mode keeps exactly the run's rounds, one byte per seat.
    monkeypatch.undo()
    env = Environment(PD, MEMORY_ONE, rounds=300, seed=8)
    env.run()
    kept = sum(c.nbytes for c in env._chunks)
    assert kept == 300 * env._n_matches * 2
    assert all(c.dtype == np.uint8 for c in env._chunks)


def test_totals_follow_from_the_history():
    # Scores come from per-match outcome counts; check them against the kept history.
    r = Environment(PD, MIXED, rounds=90, seed=9, continuation=0.95, keep_history=True).run()
    T = r.history.shape[0]
    env = Environment(PD, MIXED, rounds=90, seed=9, continuation=0.95)    # same seed, same lengths
    active = np.arange(T)[:, None] < env._lengths[None, :]
    pay = PD.payoffs[:, r.history[..., 0], r.history[..., 1]]                 # (2, T, M)
    total = np.zeros(len(r.agent_names))
    turns = np.zeros(len(r.agent_names))
    for p in range(2):
        np.add.at(total, r.history_agents[..., p][active], pay[p][active])
        np.add.at(turns, r.history_agents[..., p][active], 1)
    np.testing.assert_allclose(r.total_payoff, total, atol=1e-9)
    np.testing.assert_array_equal(r.turns, turns)


@pytest.mark.parametrize("lazy_bytes", [0, None])
def test_step_with_results_in_between_equals_run(lazy_bytes, monkeypatch):
    if lazy_bytes is not None:
        monkeypatch.setattr(environment, "LAZY_SERIES_BYTES", lazy_bytes)
    kwargs = dict(game=PD, population=MEMORY_ONE[:6], rounds=45, seed=10, noise=0.03)
    direct = Environment(**kwargs).run()
    env = Environment(**kwargs)
    for k in range(45):
        env.step()
        if k % 4 == 0:
            partial = env.result()
            assert partial.rounds_played == k + 1
            assert partial.series_payoff.shape[0] == k + 1
    _assert_same(env.result(), direct, SERIES + TOTALS)


def test_deferred_series_survive_copy_pickle_and_replace():
    r = Environment(PD, MEMORY_ONE[:5], rounds=30, seed=11).run()
    clone = copy.copy(r)
    restored = pickle.loads(pickle.dumps(r))
    want = r.series_payoff                          # computed once, on first read
    assert not isinstance(r.__dict__["series_actions"], DeferredSeries)
    np.testing.assert_array_equal(clone.series_payoff, want)
    np.testing.assert_array_equal(restored.series_actions, r.series_actions)
    replaced = dataclasses.replace(r, rounds_played=r.rounds_played)
    np.testing.assert_array_equal(replaced.series_turns, r.series_turns)
    # A result built from plain arrays is untouched by the descriptor.
    assert dataclasses.replace(r, series_payoff=np.zeros(1)).series_payoff.tolist() == [0.0]


def test_deterministic_population_through_the_match_stepper(monkeypatch):
    # Too many states for the product table: deterministic automata take the stepper.
    kwargs = dict(game=PD, population=DETERMINISTIC, rounds=70, seed=12, keep_history=True)
    product = Environment(**kwargs).run()
    monkeypatch.setattr(automata, "MAX_PRODUCT_STATES", 0)
    stepped = Environment(**kwargs).run()
    assert (product.parameters["method"], stepped.parameters["method"]) == ("product-automaton",
                                                                              "match-level automata")
    _assert_same(product, stepped, SERIES + TOTALS + ("history",))
