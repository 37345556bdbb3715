"""The stochastic-game scenarios: known values and outputs."""

import numpy as np
import pytest

import gamesim.scenarios.stochastic_zero_sum as szs


def params(**kw):
    out = {p.name: p.default for p in szs.PARAMETERS}
    out.update(kw)
    return out


def test_stochastic_zero_sum(tmp_path):
    h = szs.run(params(rounds=3000, matches=10), 0, tmp_path, None)
    np.testing.assert_allclose(h["shapley_values"], [6.459904809, 10, -10], atol=1e-8)
    assert h["minimax_q_error_state0"] < 0.15            # ALGORITHMS 7: minimax-Q approaches V*
    assert h["fp_brackets_value"] and h["fp_bracket_width"] < 1.0
    assert (tmp_path / "value_error.csv").exists() and (tmp_path / "value_error.png").exists()
    text = szs.format_summary(h)
    assert "6.4599" in text


def test_stochastic_zero_sum_is_seeded(tmp_path):
    a = szs.run(params(rounds=300, matches=3), 5, None, None)
    b = szs.run(params(rounds=300, matches=3), 5, None, None)
    assert a == b


def test_commons(tmp_path):
    import gamesim.scenarios.commons as commons

    p = {q.name: q.default for q in commons.PARAMETERS}
    p.update(rounds=300, pairs=4)
    h = commons.run(p, 0, tmp_path, None)
    assert h["cooperators_keep_stock"] and h["myopic_deplete"]
    # Team value iteration's policy sustains the stock at 3, two restrained takes of 1 each.
    assert h["last_quarter"]["grim trigger"]["stock"] == pytest.approx(3.0)
    assert h["last_quarter"]["grim trigger"]["payoff"] == pytest.approx(1.0)
    assert h["last_quarter"]["myopic fictitious play"]["stock"] < 0.5
    for name in ("commons.csv", "scores.csv", "commons.png"):
        assert (tmp_path / name).exists()
