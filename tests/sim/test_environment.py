"""The environment: Axelrod's tournament numbers, fast path vs seat path, matching rules,
noise, continuation, discounting, the Mesa adapter and input validation."""

import networkx as nx
import numpy as np
import pytest

import gamesim as gs
from gamesim.agents import (
    Alternator, Cooperator, Defector, GrimTrigger, MemoryOne, Random, SuspiciousTitForTat,
    TitForTat, TitForTwoTats, WinStayLoseShift,
)
from gamesim.sim import Environment, GameModel
from reference_values import AXELROD_RANKING, AXELROD_SCORES

PD = gs.games.prisoners_dilemma(R=3, S=0, T=5, P=1)
AXELROD_EIGHT = [TitForTat(), GrimTrigger(), Cooperator(), Defector(), WinStayLoseShift(),
                 TitForTwoTats(), SuspiciousTitForTat(), Alternator()]


@pytest.mark.parametrize("fast_path", [True, False])
def test_axelrod_tournament_scores(fast_path):
    result = Environment(PD, AXELROD_EIGHT, rounds=200, seed=0, fast_path=fast_path).run()
    assert result.parameters["method"] == ("product-automaton" if fast_path else "seat-level")
    scores = result.strategy_scores()
    assert scores.keys() == AXELROD_SCORES.keys()
    for name, want in AXELROD_SCORES.items():
        assert scores[name] == pytest.approx(want, abs=1e-12), name
    assert [name for name, _ in result.ranking()] == AXELROD_RANKING
    # 28 pairs + 8 self-matches, 200 turns, each agent in 9 matches (self-match twice).
    assert result.turns.tolist() == [9 * 200] * 8


def test_fast_path_equals_seat_path_on_random_deterministic_populations():
    rng = np.random.default_rng(7)
    pool = [TitForTat(), GrimTrigger(), Cooperator(), Defector(), WinStayLoseShift(),
            TitForTwoTats(), SuspiciousTitForTat(), Alternator(), MemoryOne(1, 0, 0, 1), MemoryOne(0, 1, 1, 0, 0)]
    for game in (PD, gs.games.chicken(), gs.games.treutlein_example_60()):
        for _ in range(3):
            pick = rng.choice(len(pool), size=5, replace=False)
            pop = {pool[k]: int(rng.integers(1, 3)) for k in pick}
            a = Environment(game, pop, rounds=37, seed=1, keep_history=True).run()
            b = Environment(game, pop, rounds=37, seed=1, keep_history=True, fast_path=False).run()
            assert a.parameters["method"] == "product-automaton"
            np.testing.assert_array_equal(a.history, b.history)
            np.testing.assert_allclose(a.total_payoff, b.total_payoff)
            np.testing.assert_allclose(a.series_actions, b.series_actions)
            np.testing.assert_allclose(a.pairwise_total, b.pairwise_total)


def test_pairwise_table_by_hand():
    r = Environment(PD, [TitForTat(), Defector()], rounds=10).run()
    pw = r.pairwise_payoff
    # TFT vs D: TFT gets 0 then 1 x 9; D gets 5 then 1 x 9.  Self-play: TFT 3, D 1.
    np.testing.assert_allclose(pw, [[3.0, 0.9], [1.4, 1.0]])
    np.testing.assert_allclose(r.strategy_pairwise_payoff(), pw)
    # With self-play counted, both seats of the self-match are the agent's turns:
    # TFT earns 2 x 10 x 3 + 9 over 30 turns, D earns 2 x 10 x 1 + 14 over 30 turns.
    assert r.strategy_scores(include_self_play=True) == pytest.approx({"TitForTat": 69 / 30, "Defector": 34 / 30})


def test_noise_one_flips_every_action():
    r = Environment(PD, {Cooperator(): 2}, rounds=50, noise=1.0, seed=3).run()
    assert r.strategy_scores(include_self_play=True)["Cooperator"] == pytest.approx(1.0)   # always (D, D)


def test_noise_rate_and_three_action_noise():
    r = Environment(PD, {Cooperator(): 4}, rounds=2000, noise=0.1, seed=3).run()
    freq_d = np.nanmean(r.series_actions[:, 0, 1])
    assert abs(freq_d - 0.1) < 0.01
    # Three actions: a noisy action is one of the two others, uniformly.
    rps = gs.games.rock_paper_scissors()
    r = Environment(rps, {Cooperator(): 4}, rounds=3000, noise=0.3, seed=4).run()
    freq = np.nanmean(r.series_actions[:, 0, :], axis=0)
    np.testing.assert_allclose(freq, [0.7, 0.15, 0.15], atol=0.01)


def test_random_matching_scores_and_sitting_out():
    # 6 cooperators, 3 defectors, random pairs each round: one agent sits out each round.
    env = Environment(PD, {Cooperator(): 6, Defector(): 3}, matching="random", rounds=4000, seed=2)
    r = env.run()
    assert r.turns.sum() == 4000 * 8
    assert r.turns.min() > 0.8 * 4000 * 8 / 9
    # A cooperator meets another cooperator with probability 5/8: expected 3*5/8 + 0*3/8.
    coop = r.strategy_scores(include_self_play=True)
    assert coop["Cooperator"] == pytest.approx(3 * 5 / 8, abs=0.05)
    assert coop["Defector"] == pytest.approx(5 * 6 / 8 + 1 * 2 / 8, abs=0.08)
    # Units are agents: a grim trigger meeting a defector once punishes everybody after.
    r = Environment(PD, {GrimTrigger(): 2, Defector(): 2}, matching="random", rounds=50, seed=0,
                    keep_history=True).run()
    assert r.history.shape == (50, 2, 2)


def test_graph_matching_by_hand():
    g = nx.cycle_graph(4)
    r = Environment(PD, [TitForTat(), Defector(), TitForTat(), Defector()], matching=g, rounds=200).run()
    # Every TFT meets two defectors: 0 + 199 x 1 per match.
    assert r.mean_score.tolist() == pytest.approx([199 / 200, 204 / 200, 199 / 200, 204 / 200])
    with pytest.raises(ValueError, match="^matching: the graph has 3 nodes"):
        Environment(PD, [TitForTat()] * 4, matching=nx.path_graph(3))


def test_continuation_lengths_and_scores():
    delta = 0.9
    r = Environment(PD, {Cooperator(): 30}, rounds=10_000, continuation=delta, seed=5, self_play=False).run()
    # Match lengths are geometric with mean 1 / (1 - delta) = 10.
    matches = 30 * 29 / 2
    mean_length = r.turns.sum() / 2 / matches
    assert abs(mean_length - 10) < 4 * np.sqrt(90 / matches)
    assert r.strategy_scores()["Cooperator"] == pytest.approx(3.0)
    # Series count only matches still running.
    assert np.all(np.isfinite(r.series_payoff[: r.rounds_played]))


def test_discounted_payoff_closed_form():
    delta, T = 0.9, 300
    r = Environment(PD, [GrimTrigger(), Defector()], rounds=T, discount=delta, self_play=False).run()
    geometric = (1 - delta**T) / (1 - delta)
    # Grim trigger vs defector: S first, then P forever; the defector gets T then P.
    assert r.discounted_payoff[0] == pytest.approx(0 + 1 * (geometric - 1))
    assert r.discounted_payoff[1] == pytest.approx(5 + 1 * (geometric - 1))


def test_same_seed_same_numbers_and_different_seeds_differ():
    pop = {Random(0.5): 3, MemoryOne(0.9, 0.1, 0.8, 0.2): 3, TitForTat(): 2}
    a = Environment(PD, pop, matching="random", rounds=100, noise=0.05, seed=42).run()
    b = Environment(PD, pop, matching="random", rounds=100, noise=0.05, seed=42).run()
    c = Environment(PD, pop, matching="random", rounds=100, noise=0.05, seed=43).run()
    np.testing.assert_array_equal(a.total_payoff, b.total_payoff)
    assert not np.array_equal(a.total_payoff, c.total_payoff)


@pytest.mark.parametrize("matching", ["round_robin", "random"])
def test_mesa_model_matches_environment(matching):
    kwargs = dict(game=PD, population={Random(0.4): 2, MemoryOne(0.9, 0.1, 0.7, 0.3): 2, GrimTrigger(): 1,
                                       TitForTat(): 1},
                  matching=matching, rounds=60, noise=0.02, seed=9)
    direct = Environment(**kwargs).run()
    model = GameModel(**kwargs)
    model.run(60)
    stepped = model.result()
    np.testing.assert_allclose(stepped.total_payoff, direct.total_payoff)
    np.testing.assert_allclose(stepped.series_payoff, direct.series_payoff, equal_nan=True)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 60
    np.testing.assert_allclose(frame["mean_payoff[GrimTrigger]"].to_numpy(), direct.series_payoff[:, 2])
    views = model.make_agents()
    assert [v.agent_name for v in views] == list(direct.agent_names)
    assert views[0].score == pytest.approx(direct.mean_score[0])


def test_results_export(tmp_path):
    r = Environment(PD, AXELROD_EIGHT, rounds=20).run()
    df = r.to_frame()
    assert list(df.columns) == ["rank", "strategy", "agents", "mean_score", "total_payoff", "turns"]
    assert df["strategy"].iloc[0] == max(r.strategy_scores(), key=r.strategy_scores().get)
    series = r.series_frame()
    assert len(series) == 20 * 8 and {"freq_C", "freq_D"} <= set(series.columns)
    out = r.save(tmp_path / "res")
    assert {p.name for p in out.iterdir()} == {"scores.csv", "series.csv", "arrays.npz", "parameters.json"}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(rounds=-5), r"^rounds: must be a positive integer"),
        (dict(rounds=0), r"^rounds:"),
        (dict(rounds=2.5), r"^rounds:"),
        (dict(noise=1.5), r"^noise: must lie in \[0, 1\]"),
        (dict(noise=-0.1), r"^noise:"),
        (dict(noise="lots"), r"^noise: expected a number"),
        (dict(continuation=1.0), r"^continuation: must lie in \[0, 1\)"),
        (dict(discount=0), r"^discount:"),
        (dict(matching="swiss"), r"^matching: unknown rule"),
        (dict(population={}), r"^population: no strategies"),
        (dict(population={TitForTat(): 0}), r"^population: count for TitForTat"),
        (dict(population=[object()]), r"^population: .* is not a gamesim strategy"),
        (dict(population=[TitForTat()], self_play=False), r"^population: 1 agent"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, match):
    args = dict(game=PD, population=AXELROD_EIGHT)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        Environment(**args)


def test_two_player_strategies_reject_n_player_games():
    g3 = gs.NormalFormGame(np.zeros((3, 2, 2, 2)))
    with pytest.raises(ValueError, match=r"^population: TitForTat plays two-player games only"):
        Environment(g3, [TitForTat()] * 3)


def test_step_past_horizon_raises():
    env = Environment(PD, [TitForTat(), Defector()], rounds=2)
    env.step()
    env.step()
    with pytest.raises(ValueError, match="^rounds: the run is over"):
        env.step()


def test_fixed_pairs_run_independent_matches():
    # Agents (0, 1), (2, 3), ...: each pair is its own match for the whole run.
    pop = [TitForTat(), Defector(), Cooperator(), Cooperator(), GrimTrigger(), Alternator()]
    r = Environment(PD, pop, matching="pairs", rounds=10).run()
    # Grim trigger vs alternator: CC, then C vs D, then D forever against C, D, C, D, ...
    # GT earns 3 + 0 + 4 x 5 + 4 x 1 = 27; the alternator 3 + 5 + 4 x 0 + 4 x 1 = 12.
    np.testing.assert_allclose(r.mean_score, [0.9, 1.4, 3.0, 3.0, 2.7, 1.2])
    assert r.pairwise_turns[0, 1] == 10 and r.pairwise_turns[0, 2] == 0
    with pytest.raises(ValueError, match="^population: 3 agents cannot be split"):
        Environment(PD, pop[:3], matching="pairs")


@pytest.mark.parametrize("game", [PD, gs.games.rock_paper_scissors(), gs.games.treutlein_example_60()])
def test_match_level_stepping_equals_seat_level(game):
    # Stochastic automata with noise: both steppers draw the same numbers in the same order.
    pop = {MemoryOne(0.9, 0.2, 0.7, 0.1): 2, Random(0.4): 1, TitForTat(): 2, GrimTrigger(): 1}
    a = Environment(game, pop, rounds=80, noise=0.05, seed=11, keep_history=True).run()
    b = Environment(game, pop, rounds=80, noise=0.05, seed=11, keep_history=True, fast_path=False).run()
    assert a.parameters["method"] == "match-level automata" and b.parameters["method"] == "seat-level"
    np.testing.assert_array_equal(a.history, b.history)
    np.testing.assert_allclose(a.total_payoff, b.total_payoff)


@pytest.mark.parametrize("matching", ["round_robin", "random"])
def test_strategy_pairwise_table_aggregates_agent_table(matching):
    pop = {TitForTat(): 3, Defector(): 2, MemoryOne(0.8, 0.1, 0.6, 0.2): 2}
    r = Environment(PD, pop, matching=matching, rounds=30, seed=1).run()
    K = len(r.strategy_names)
    onehot = np.eye(K)[r.agent_strategy]
    np.testing.assert_allclose(r.strategy_pairwise_total, onehot.T @ r.pairwise_total @ onehot)
    np.testing.assert_allclose(r.strategy_pairwise_turns, onehot.T @ r.pairwise_turns @ onehot)


def test_large_populations_keep_only_the_strategy_pairwise_table():
    from gamesim.sim.environment import MAX_PAIRWISE_AGENTS

    n = MAX_PAIRWISE_AGENTS + 2
    r = Environment(PD, {Cooperator(): n // 2, Defector(): n // 2}, matching="pairs", rounds=3).run()
    assert r.pairwise_total is None and r.pairwise_payoff is None
    # pairs (0,1), (2,3), ... are all cooperator-cooperator except the one straddling the halves
    table = r.strategy_pairwise_payoff()
    assert table[0, 0] == 3.0 and table[1, 1] == 1.0


def test_runner_accessor():
    from gamesim.sim.automata import AutomatonBank

    env = Environment(PD, [TitForTat(), Defector()], rounds=5)
    assert isinstance(env.runner(TitForTat()), AutomatonBank)
    assert env.runner(Defector) is env.runner(TitForTat())
    with pytest.raises(ValueError, match="^strategy: 'Cooperator' is not in this population"):
        env.runner(Cooperator())


def test_seed_sequence_seed_reproduces_across_resets_and_environments():
    # A SeedSequence seed is not consumed: resets and new environments replay the same numbers,
    # also for a mixed population (automata split from a bargainer, which uses the signal stream).
    import numpy as np

    import gamesim as gs
    from gamesim.agents import CoCoBargainer, Random, TitForTat

    ss = np.random.SeedSequence(5)
    pop = [TitForTat(), CoCoBargainer(), Random(0.5), Random(0.3)]
    env = gs.Environment(gs.games.chicken(), pop, rounds=50, seed=ss, keep_history=True)
    first = env.run().history
    np.testing.assert_array_equal(first, env.run().history)
    again = gs.Environment(gs.games.chicken(), pop, rounds=50, seed=np.random.SeedSequence(5),
                           keep_history=True).run().history
    np.testing.assert_array_equal(first, again)
    assert ss.n_children_spawned == 0
