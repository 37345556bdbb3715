"""Figures of two-player bargaining problems: boundary polygons, bargaining figures, threat sweeps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from gamesim.analysis.plots import save_figure
from gamesim.bargaining.feasible import PolytopeSet, from_points, quarter_disc
from gamesim.bargaining.oracle import Oracle
from gamesim.bargaining.plots import bargaining_figure, boundary_polygon, threat_sweep
from gamesim.sim import catalogue as cat

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXAMPLE = [[4, 4], [2, 5], [-4, 2], [5, 2], [3, 3], [-3, 2]]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------
# independent reference: Andrew's monotone chain, strict hull (no collinear points)
# ---------------------------------------------------------------------------
def hull_vertices(points):
    pts = sorted(set(map(tuple, np.asarray(points, dtype=float).tolist())))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def signed_area(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def as_set(points, decimals=9):
    return {tuple(np.round(p, decimals).tolist()) for p in np.asarray(points, dtype=float)}


# ---------------------------------------------------------------------------
# boundary_polygon
# ---------------------------------------------------------------------------
def test_boundary_polygon_of_points_is_the_convex_hull():
    poly = boundary_polygon(from_points(EXAMPLE))
    assert as_set(poly) == {(-4.0, 2.0), (5.0, 2.0), (4.0, 4.0), (2.0, 5.0)}
    assert as_set(poly) == as_set(hull_vertices(EXAMPLE))
    assert len(poly) == 4                     # (3, 3) is inside, (-3, 2) on an edge
    assert signed_area(poly) > 0              # counter-clockwise


@SETTINGS
@given(st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6)), min_size=1, max_size=12))
def test_boundary_polygon_matches_an_independent_hull(points):
    poly = boundary_polygon(from_points(points))
    expected = hull_vertices(points)
    if len(expected) >= 3:
        assert as_set(poly) == as_set(expected)
        assert len(poly) == len(expected)
        assert signed_area(poly) > 0
    else:  # a point or a segment: its (at most two) extreme points
        assert as_set(poly) == as_set(expected)


def test_boundary_polygon_degenerate_sets():
    np.testing.assert_array_equal(boundary_polygon(from_points([[1, 1]])), [[1.0, 1.0]])
    seg = boundary_polygon(from_points([[0, 0], [1, 1], [2, 2], [1, 1]]))
    assert as_set(seg) == {(0.0, 0.0), (2.0, 2.0)}


def test_boundary_polygon_of_a_quarter_disc():
    poly = boundary_polygon(quarter_disc(1))
    assert poly.ndim == 2 and poly.shape[1] == 2 and len(poly) > 20
    assert np.all(poly >= -1e-9)
    assert np.all(np.linalg.norm(poly, axis=1) <= 1 + 1e-6)
    for corner in ([1.0, 0.0], [0.0, 1.0], [0.0, 0.0]):
        assert np.min(np.linalg.norm(poly - corner, axis=1)) < 1e-6, corner
    # the arc points lie on the unit circle
    arc = poly[np.all(poly > 1e-6, axis=1)]
    assert len(arc) > 10
    np.testing.assert_allclose(np.linalg.norm(arc, axis=1), 1.0, atol=1e-6)
    assert signed_area(poly) == pytest.approx(np.pi / 4, abs=1e-3)


def test_boundary_polygon_of_a_constrained_polytope_is_traced():
    # the unit square's corners, with no weight allowed on (1, 1): the triangle (0,0) (1,0) (0,1)
    F = PolytopeSet([[0, 0], [1, 0], [0, 1], [1, 1]], A_ub=[[0, 0, 0, 1]], b_ub=[0])
    assert as_set(boundary_polygon(F)) == {(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)}
    assert as_set(boundary_polygon(F, directions=8)) == {(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)}


def test_boundary_polygon_rejects_three_players():
    with pytest.raises(ValueError, match=r"^F: only two-player feasible sets can be drawn, got 3 players"):
        boundary_polygon(from_points([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))


# ---------------------------------------------------------------------------
# bargaining_figure
# ---------------------------------------------------------------------------
def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def offsets(ax):
    return [np.asarray(c.get_offsets(), dtype=float) for c in ax.collections]


@pytest.fixture(scope="module")
def example_60_figure():
    g = cat.treutlein_example_60()
    harsanyi = Oracle("harsanyi").settle(g)           # a Settlement: drawn through its .point
    fig = bargaining_figure(g, disagreement=[-3, 2],
                            solutions={"NBS": [2.5, 4.75], "Harsanyi": harsanyi, "CoCo": (1.5, 6.5)},
                            points={"NE": [3, 3]}, title="Example 60", labels=("row", "column"))
    return fig


def test_bargaining_figure_is_a_figure_with_one_axes(example_60_figure):
    assert isinstance(example_60_figure, Figure)
    assert len(example_60_figure.axes) == 1
    ax = example_60_figure.axes[0]
    assert ax.get_title() == "Example 60"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("row", "column")


def test_bargaining_figure_legend(example_60_figure):
    ax = example_60_figure.axes[0]
    assert legend_texts(ax) == ["feasible set", "Pareto frontier", "disagreement point",
                                "NBS (2.5, 4.75)", "Harsanyi (2.5, 4.75)", "CoCo (1.5, 6.5)"]


def test_bargaining_figure_marks_the_points(example_60_figure):
    ax = example_60_figure.axes[0]
    marked = offsets(ax)
    # the six outcomes of the game
    assert as_set(marked[0]) == as_set(EXAMPLE)
    singles = np.array([m[0] for m in marked[1:]])
    np.testing.assert_allclose(singles, [[3, 3], [-3, 2], [2.5, 4.75], [2.5, 4.75], [1.5, 6.5]], atol=1e-7)
    labels = {c.get_label(): np.asarray(c.get_offsets(), dtype=float)[0].tolist() for c in ax.collections}
    assert labels["disagreement point"] == [-3.0, 2.0]
    assert labels["CoCo (1.5, 6.5)"] == [1.5, 6.5]
    assert [t.get_text() for t in ax.texts] == ["NE"]


def test_bargaining_figure_draws_the_frontier_and_dashed_threat_lines(example_60_figure):
    ax = example_60_figure.axes[0]
    frontier = [ln for ln in ax.lines if ln.get_label() == "Pareto frontier"]
    assert len(frontier) == 1
    np.testing.assert_allclose(np.column_stack(frontier[0].get_data()), [[2, 5], [4, 4], [5, 2]])
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 3
    ends = as_set([np.column_stack(ln.get_data())[1] for ln in dashed], decimals=7)
    assert ends == {(2.5, 4.75), (1.5, 6.5)}
    for ln in dashed:
        assert np.column_stack(ln.get_data())[0].tolist() == [-3.0, 2.0]
    # the filled feasible set is the hull of the outcomes
    fills = [p for p in ax.patches if p.get_label() == "feasible set"]
    assert len(fills) == 1
    assert as_set(fills[0].get_xy()) == {(-4.0, 2.0), (5.0, 2.0), (4.0, 4.0), (2.0, 5.0)}


def test_bargaining_figure_without_extras():
    fig = bargaining_figure(from_points(EXAMPLE), outcomes=False)
    ax = fig.axes[0]
    assert legend_texts(ax) == ["feasible set", "Pareto frontier"]
    assert ax.collections == [] or all(len(o) == 0 for o in offsets(ax))
    assert not [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert ax.get_title() == ""


def test_bargaining_figure_of_a_smooth_set():
    fig = bargaining_figure(quarter_disc(1), disagreement=[0.2, 0.1], solutions={"A": [0.7, 0.7]})
    ax = fig.axes[0]
    assert legend_texts(ax) == ["feasible set", "Pareto frontier", "disagreement point", "A (0.7, 0.7)"]
    # no outcomes to mark on a smooth set: the disagreement point and the solution only
    assert [o[0].tolist() for o in offsets(ax)] == [[0.2, 0.1], [0.7, 0.7]]
    frontier = np.column_stack([ln for ln in ax.lines if ln.get_label() == "Pareto frontier"][0].get_data())
    np.testing.assert_allclose(np.linalg.norm(frontier, axis=1), 1.0, atol=1e-6)


def test_bargaining_figure_of_a_segment():
    fig = bargaining_figure(from_points([[0, 2], [2, 0]]))
    assert "feasible set" in legend_texts(fig.axes[0])


@pytest.mark.parametrize("F", [from_points([[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
                               cat.public_goods_game(3)], ids=["points", "game"])
def test_bargaining_figure_rejects_three_players(F):
    with pytest.raises(ValueError, match=r"^F: ") as info:
        bargaining_figure(F)
    assert "3 players" in str(info.value)


# ---------------------------------------------------------------------------
# threat_sweep
# ---------------------------------------------------------------------------
def test_threat_sweep_draws_two_lines_per_series():
    harm = np.linspace(0, 4, 5)
    coco = np.column_stack([2.5 + harm / 2, 2.5 - harm / 2])
    flat = np.full((5, 2), 2.5)
    fig = threat_sweep(harm, {"CoCo": coco, "CE fallback": flat}, title="sweep")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "sweep"
    assert len(ax.lines) == 4
    assert [ln.get_label() for ln in ax.lines] == ["CoCo: threatener", "CoCo: victim",
                                                   "CE fallback: threatener", "CE fallback: victim"]
    assert [ln.get_linestyle() for ln in ax.lines] == ["-", "--", "-", "--"]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), harm)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), coco[:, 0])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), coco[:, 1])
    # one colour per series
    assert ax.lines[0].get_color() == ax.lines[1].get_color() != ax.lines[2].get_color()
    assert legend_texts(ax) == [ln.get_label() for ln in ax.lines]


def test_threat_sweep_for_player_two():
    harm = [0.0, 1.0]
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    ax = threat_sweep(harm, {"X": values}, player=1).axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), values[:, 1])    # threatener: player 2
    np.testing.assert_allclose(ax.lines[1].get_ydata(), values[:, 0])


@pytest.mark.parametrize("k", [1, 3])
def test_threat_sweep_line_count(k):
    harm = [0.0, 1.0, 2.0]
    ax = threat_sweep(harm, {f"s{i}": np.zeros((3, 2)) for i in range(k)}).axes[0]
    assert len(ax.lines) == 2 * k


# ---------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------
def test_figures_save_as_png(tmp_path, example_60_figure):
    p1 = save_figure(example_60_figure, tmp_path / "sub" / "example_60.png")
    p2 = save_figure(threat_sweep([0, 1], {"a": np.zeros((2, 2))}), tmp_path / "sweep.png")
    for p in (p1, p2):
        assert p.is_file()
        data = p.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000
