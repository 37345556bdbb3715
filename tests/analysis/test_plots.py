"""Plots return Figures with the expected axes, lines and labels."""

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure

import gamesim as gs
from gamesim.agents import Alternator, Cooperator, Defector, TitForTat
from gamesim.analysis import plots

PLAYERS = [TitForTat(), Cooperator(), Defector(), Alternator()]


@pytest.fixture(scope="module")
def result():
    env = gs.Environment(gs.games.prisoners_dilemma(), {s: 2 for s in PLAYERS}, rounds=60, seed=0)
    return env.run()


def ranked(result):
    return [name for name, _ in result.ranking()]


def test_score_distribution(result):
    fig = plots.score_distribution(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ranked(result)
    assert ax.get_ylabel() and ax.get_title()
    # the diamonds mark each strategy's score
    marks = [line for line in ax.lines if line.get_label() == "mean score per turn"]
    assert len(marks) == 1
    scores = result.strategy_scores()
    np.testing.assert_allclose(marks[0].get_ydata(), [scores[n] for n in ranked(result)])
    # one box per strategy: each box has a median line
    medians = [line for line in ax.lines if line.get_label().startswith("_") and len(line.get_xdata()) == 2]
    assert len(medians) >= len(PLAYERS)


def test_score_distribution_population_order_and_errors(result):
    fig = plots.score_distribution(result, order="population")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(result.strategy_names)
    with pytest.raises(ValueError, match="^order: unknown strategy"):
        plots.score_distribution(result, order=["Nope"])
    with pytest.raises(ValueError, match="^result: score_distribution needs"):
        plots.score_distribution(dataclasses.replace(result, pairwise_total=None, pairwise_turns=None))


def test_pairwise_heatmap(result):
    fig = plots.pairwise_heatmap(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 2            # heatmap + colorbar
    ax = fig.axes[0]
    K = len(PLAYERS)
    assert len(ax.images) == 1 and ax.images[0].get_array().shape == (K, K)
    assert [t.get_text() for t in ax.get_yticklabels()] == ranked(result)
    assert [t.get_text() for t in ax.get_xticklabels()] == ranked(result)
    assert len(ax.texts) == K * K
    # the annotation of (Defector, Cooperator) is 5.00
    order = ranked(result)
    r, c = order.index("Defector"), order.index("Cooperator")
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts[(r, c)] == "5.00"
    assert ax.get_xlabel() == "opponent" and ax.get_ylabel() == "strategy"
    assert len(plots.pairwise_heatmap(result, annotate=False).axes[0].texts) == 0


def test_cooperation_rate(result):
    fig = plots.cooperation_rate(result, window=1)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == len(PLAYERS)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(result.strategy_names)
    assert all(len(line.get_xdata()) == result.rounds_played for line in ax.lines)
    coop = dict(zip(result.strategy_names, ax.lines))
    np.testing.assert_allclose(coop["Cooperator"].get_ydata(), 1.0)
    np.testing.assert_allclose(coop["Defector"].get_ydata(), 0.0)
    assert "C" in ax.get_ylabel()


def test_cooperation_rate_smooths_long_runs(result):
    fig = plots.cooperation_rate(result)                 # 60 rounds: default window 2 * round(60 / 40) = 4
    line = dict(zip(result.strategy_names, fig.axes[0].lines))["Alternator"]
    assert len(line.get_xdata()) == result.rounds_played - 3
    assert "last 4 rounds" in fig.axes[0].get_ylabel()
    # Alternator against everyone alternates C, D: a mean over an even window is flat at 1/2
    np.testing.assert_allclose(line.get_ydata(), 0.5)
    with pytest.raises(ValueError, match="^window"):
        plots.cooperation_rate(result, window=0)
    assert len(plots.cooperation_rate(result, action=1).axes[0].lines) == len(PLAYERS)


def test_moving_average_ignores_nan():
    x, y = plots.moving_average(np.arange(5), np.array([1.0, np.nan, 0.0, 1.0, np.nan]), 2)
    np.testing.assert_array_equal(x, [1, 2, 3, 4])
    np.testing.assert_allclose(y, [1.0, 0.0, 0.5, 1.0])
    x, y = plots.moving_average(np.arange(2), np.array([np.nan, np.nan]), 2)
    assert np.isnan(y).all()


def test_discount_sweep():
    d = np.linspace(0.1, 0.9, 9)
    fig = plots.discount_sweep(d, np.full(9, 3.0), (1 - d) * 5 + d, delta_star=0.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == 3                            # two payoff curves and the threshold
    vline = ax.lines[2]
    np.testing.assert_allclose(vline.get_xdata(), [0.5, 0.5])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and labels[2] == "δ* = 0.5"
    assert "δ" in ax.get_xlabel() and ax.get_ylabel()
    assert len(plots.discount_sweep(d, d, d).axes[0].lines) == 2
    with pytest.raises(ValueError, match="^deltas, cooperate, deviate"):
        plots.discount_sweep(d, d[:3], d)


def test_save_figure(tmp_path, result):
    path = plots.save_figure(plots.pairwise_heatmap(result), tmp_path / "sub" / "heat.png")
    data = path.read_bytes()
    assert path == tmp_path / "sub" / "heat.png"
    assert data.startswith(b"\x89PNG") and len(data) > 1000


def _fp_like_trace():
    import gamesim as gs
    from gamesim.analysis.convergence import convergence_trace

    g = gs.games.matching_pennies()
    cycle = np.array([[0, 0], [1, 1], [0, 1], [1, 0]])
    h = np.tile(cycle, (50, 1))[:, None, :]
    return convergence_trace(g, h)


def test_convergence_plot_axes_and_lines():
    from gamesim.analysis import plots

    fig = plots.convergence(_fp_like_trace())
    top, bottom = fig.axes
    assert len(top.get_lines()) == 4            # 2 players x 2 actions
    assert len(bottom.get_lines()) == 3         # NashConv, CE violation, distance
    assert top.get_xscale() == "log" and bottom.get_yscale() == "log"
    with pytest.raises(ValueError, match="^run:"):
        plots.convergence(_fp_like_trace(), run=3)


def test_simplex_and_regret_plots():
    from gamesim.analysis import plots

    traj = np.array([[1.0, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    fig = plots.simplex_trajectory(traj, equilibrium=[1 / 3] * 3)
    # triangle + trajectory + start + end + equilibrium
    assert len(fig.axes[0].get_lines()) == 5
    with pytest.raises(ValueError, match="^points:"):
        plots.simplex_trajectory(np.zeros((4, 2)))
    fig = plots.regret_decay(_fp_like_trace())
    assert len(fig.axes[0].get_lines()) == 3
