"""NormalFormGame construction, validation and the catalogue."""

import numpy as np
import pytest

import gamesim as gs
from gamesim.sim import catalogue
from gamesim.sim.games import NormalFormGame


def test_from_bimatrix_layout():
    A = np.array([[1, 2, 3], [4, 5, 6]])
    B = -A
    g = NormalFormGame.from_bimatrix(A, B, actions=[["u", "d"], ["l", "m", "r"]])
    assert g.n_players == 2 and g.n_actions == (2, 3)
    assert g.payoff_vector((1, 2)).tolist() == [6, -6]
    assert g.is_zero_sum()
    assert g.action_index(1, "m") == 1


@pytest.mark.parametrize(
    "payoffs, field",
    [
        (np.zeros(3), "payoffs"),                       # too few dimensions
        (np.zeros((3, 2, 2)), "payoffs"),               # 3 players but 2 action axes
        (np.zeros((2, 0, 2)), "payoffs"),               # a player without actions
        (np.array([[[1, np.nan]], [[0, 0]]]), "payoffs"),
        (np.array([[[1, np.inf]], [[0, 0]]]), "payoffs"),
        ([["a", "b"]], "payoffs"),
    ],
)
def test_bad_payoffs_raise_naming_the_field(payoffs, field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        NormalFormGame(payoffs)


def test_names_must_match():
    P = np.zeros((2, 2, 3))
    with pytest.raises(ValueError, match=r"^players:"):
        NormalFormGame(P, players=["a"])
    with pytest.raises(ValueError, match=r"^players:"):
        NormalFormGame(P, players=["a", "a"])
    with pytest.raises(ValueError, match=r"^actions\[1\]:"):
        NormalFormGame(P, actions=[["x", "y"], ["x", "y"]])
    with pytest.raises(ValueError, match=r"^actions:"):
        NormalFormGame(P, actions="xy")
    with pytest.raises(ValueError, match=r"^B:"):
        NormalFormGame.from_bimatrix(np.zeros((2, 2)), np.zeros((2, 3)))


def test_payoffs_are_read_only_copies():
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    g = NormalFormGame.from_bimatrix(A, A.T)
    A[0, 0] = 99
    assert g.payoffs[0, 0, 0] == 3
    with pytest.raises(ValueError):
        g.payoffs[0, 0, 0] = 1


def test_symmetric_three_player():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(2, 2, 2))
    base = (base + base.transpose(0, 2, 1)) / 2          # own action first, others symmetric
    g = NormalFormGame.symmetric(base, n_players=3)
    assert g.is_symmetric()
    # Player 2's payoff with own action 1, others (0, 1) is base[1, 0, 1].
    assert g.payoffs[2, 0, 1, 1] == pytest.approx(base[1, 0, 1])
    with pytest.raises(ValueError, match=r"^A:"):
        NormalFormGame.symmetric(rng.normal(size=(2, 2, 2)), n_players=3)


def test_equality_and_hash():
    assert catalogue.prisoners_dilemma() == catalogue.prisoners_dilemma()
    assert hash(catalogue.prisoners_dilemma()) == hash(catalogue.prisoners_dilemma())
    assert catalogue.prisoners_dilemma() != catalogue.prisoners_dilemma(T=6)


def test_prisoners_dilemma_values_and_checks():
    g = gs.games.prisoners_dilemma(R=3, S=0, T=5, P=1)
    assert g.payoffs[0].tolist() == [[3, 0], [5, 1]]
    assert g.payoffs[1].tolist() == [[3, 5], [0, 1]]
    assert g.is_symmetric()
    with pytest.raises(ValueError, match="T > R > P > S"):
        gs.games.prisoners_dilemma(R=3, S=0, T=2, P=1)


@pytest.mark.parametrize("name", sorted(catalogue.CATALOGUE))
def test_catalogue_games_build(name):
    g = catalogue.CATALOGUE[name]()
    assert isinstance(g, NormalFormGame)
    assert g.n_players == 2
    assert str(g).startswith(g.name)


def test_catalogue_zero_sum_flags():
    assert catalogue.matching_pennies().is_zero_sum()
    assert catalogue.rock_paper_scissors().is_zero_sum()
    assert not catalogue.prisoners_dilemma().is_zero_sum()


def test_treutlein_example_7_outcomes():
    # Table 2 of the seed: (a1,a2)=(0,0), (a1,b2)=(-3,-1), (b1,a2)=(-1,3), (b1,b2)=(-4,2)
    g = catalogue.treutlein_example_7()
    assert g.outcome_payoffs().tolist() == [[0, 0], [-3, -1], [-1, 3], [-4, 2]]
