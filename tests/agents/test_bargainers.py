"""Bargainer agents: contract, settlement payoffs, enforcement, security, agreement rule.

The vectorized runner is checked against a per-unit Python reference on random
games, seatings, signals and partner actions (hypothesis).
"""

import copy
import inspect

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import gamesim as gs
from gamesim.agents import (Alternator, CoCoBargainer, Cooperator, CorrelatedFallbackBargainer, Defector,
                            FictitiousPlay, GrimTrigger, HarsanyiBargainer, NashBargainer, Random,
                            RegretMatching, TitForTat)
from gamesim.agents import bargainers as bmod
from gamesim.agents.bargainers import Agreement, agreement, security_strategies
from gamesim.sim import catalogue
from gamesim.sim.environment import Environment, play_match
from gamesim.sim.protocol import RoundContext

PD = catalogue.prisoners_dilemma()
GAMES = {
    "chicken": catalogue.chicken(),
    "battle_of_the_sexes": catalogue.battle_of_the_sexes(),
    "prisoners_dilemma": PD,
    "pd_threat": catalogue.with_threat_action(PD, 0, own_payoff=0.0, harm=10.0),
}
BARGAINERS = [CoCoBargainer(), HarsanyiBargainer(), NashBargainer("nash"), NashBargainer("minmax"),
              NashBargainer("threat"), CorrelatedFallbackBargainer()]
IDS = [b.name for b in BARGAINERS]


def moves(text):
    return [0 if ch == "C" else 1 for ch in text]


def seat_payoffs(game, history):
    """Per-round payoffs (T, M, P) of a kept history."""
    P = game.n_players
    flat = np.ravel_multi_index(tuple(history[..., p] for p in range(P)), game.n_actions)
    return np.moveaxis(game.payoffs.reshape(P, -1)[:, flat], 0, -1)


def lottery_sd(game, joint):
    """Per-round standard deviation of each player's payoff under a correlated lottery."""
    P = game.n_players
    U = game.payoffs.reshape(P, -1)
    p = np.asarray(joint).ravel()
    mean = U @ p
    return np.sqrt(np.maximum(((U - mean[:, None]) ** 2) @ p, 0.0))


# ---------------------------------------------------------------------------
# Contract, in the manner of Axelrod's TestPlayer
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", BARGAINERS, ids=IDS)
class TestBargainerContract:
    def test_metadata(self, strategy):
        cls = type(strategy)
        assert cls.memory_depth == float("inf")
        assert cls.stochastic is True
        assert cls.batch_key == "bargainer"
        assert not cls.two_player_only
        doc = inspect.getdoc(cls)
        assert doc and any(ch.isdigit() for ch in doc.splitlines()[0]), "first line names who proposed it, and when"

    def test_clone_is_equal_and_hashable(self, strategy):
        clone = copy.deepcopy(strategy)
        assert clone == strategy and hash(clone) == hash(strategy) and clone is not strategy
        with pytest.raises(Exception):
            strategy.forgiveness = 3

    @pytest.mark.parametrize("matching", ["round_robin", "random", "graph"])
    def test_reset_and_seeding_reproduce_play(self, strategy, matching):
        g = GAMES["chicken"]
        match = nx.cycle_graph(6) if matching == "graph" else matching
        pop = [strategy, Random(0.5), TitForTat(), FictitiousPlay(), RegretMatching(), strategy]
        env = Environment(g, pop, matching=match, rounds=60, seed=4, keep_history=True, noise=0.05)
        first = env.run().history
        second = env.run().history                      # run() resets
        again = Environment(g, pop, matching=match, rounds=60, seed=4, keep_history=True,
                            noise=0.05).run().history
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, again)

    def test_expected_sequences(self, strategy):
        # In the prisoner's dilemma every method settles on mutual cooperation and falls
        # back to defection (the equilibrium, the threat and the punishment coincide).
        expected = [(Cooperator(), "CCCCC"), (TitForTat(), "CCCCC"), (Defector(), "CDDDD"),
                    (Alternator(), "CCDDDD"), (GrimTrigger(), "CCCCC")]
        for opponent, text in expected:
            got = play_match(PD, strategy, opponent, len(text), seed=0)[:, 0]
            assert got.tolist() == moves(text), f"{strategy.name} vs {opponent.name}"
            got_col = play_match(PD, opponent, strategy, len(text), seed=0)[:, 1]
            assert got_col.tolist() == moves(text)

    def test_forgiveness_returns_to_the_settlement(self, strategy):
        forgiving = type(strategy)(**{**strategy.__dict__, "forgiveness": 2})
        got = play_match(PD, forgiving, Defector(), 10, seed=0)[:, 0]
        assert got.tolist() == moves("CDDCDDCDDC")
        got = play_match(PD, forgiving, Alternator(), 8, seed=0)[:, 0]
        # Alternator: C D C D ...; deviation seen in round 2, fallback in rounds 3-4.
        assert got.tolist() == moves("CCDDCCDD")


# ---------------------------------------------------------------------------
# Acceptance: same-method pairs reach the oracle's settlement payoffs
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("game_name", sorted(GAMES))
@pytest.mark.parametrize("strategy", BARGAINERS, ids=IDS)
def test_same_method_pair_reaches_the_settlement(strategy, game_name):
    g = GAMES[game_name]
    T = 2000
    s = strategy.settlement(g)
    env = Environment(g, {strategy: 2}, rounds=T, seed=11, self_play=False, keep_history=True)
    r = env.run()
    pay = seat_payoffs(g, r.history)[:, 0, :]          # the one match, (T, 2)
    se = lottery_sd(g, s.joint) / np.sqrt(T)
    # Four standard errors of the mean of T rounds (exact for a pure settlement).
    assert np.all(np.abs(pay.mean(axis=0) - s.achieved) <= 4 * se + 1e-9)
    assert env.runner(strategy).deviations.sum() == 0


@pytest.mark.parametrize("game_name", ["battle_of_the_sexes", "chicken"])
def test_rotation_signal_alternates_in_the_right_proportions(game_name):
    # BoS settles on the 50/50 lottery over (B, B) and (F, F) for the CoCo bargainers:
    # the rotation signal carries it out with a deterministic low-discrepancy schedule.
    g = GAMES[game_name]
    b = CoCoBargainer()
    s = b.settlement(g)
    T = 2000
    r = Environment(g, {b: 2}, rounds=T, seed=3, self_play=False, keep_history=True, signal="rotation").run()
    pay = seat_payoffs(g, r.history)[:, 0, :].mean(axis=0)
    span = float(np.ptp(g.payoffs))
    assert np.all(np.abs(pay - s.achieved) <= span * 5 * np.log(T) / T)


def test_coco_transfers_are_realized_by_alternating_outcomes():
    # In the division game with a 1000-harm threat for player 1, the CoCo value
    # (1500, 500) needs no side payment: the bargainers play the 1500/500 division.
    base = catalogue.division_game(2000, 7)
    g = catalogue.with_threat_action(base, 0, own_payoff=0.0, harm=1000.0)
    b = CoCoBargainer()
    s = b.settlement(g)
    np.testing.assert_allclose(s.point, [1500, 500], atol=1e-6)
    np.testing.assert_allclose(s.transfers, 0, atol=1e-6)
    r = Environment(g, {b: 2}, rounds=500, seed=1, self_play=False, keep_history=True).run()
    pay = seat_payoffs(g, r.history)[:, 0, :].mean(axis=0)
    se = lottery_sd(g, s.joint) / np.sqrt(500)
    assert np.all(np.abs(pay - [1500, 500]) <= 4 * se + 1e-6)


# ---------------------------------------------------------------------------
# Acceptance: against Defector, GrimTrigger and learners, never below the floor
# ---------------------------------------------------------------------------
MARGIN = 0.05   # of the game's payoff range, over 2000 rounds: the deviation round,
                # PATIENCE + CHECK_EVERY rounds before the security switch, sampling error


@pytest.mark.parametrize("opponent", [Defector(), GrimTrigger(), FictitiousPlay(), RegretMatching()],
                         ids=lambda o: o.name)
@pytest.mark.parametrize("game_name", sorted(GAMES))
@pytest.mark.parametrize("strategy", BARGAINERS, ids=IDS)
def test_never_below_disagreement_or_security(strategy, game_name, opponent):
    g = GAMES[game_name]
    s = strategy.settlement(g)
    security = security_strategies(g)[1]
    span = float(np.ptp(g.payoffs))
    for seat in (0, 1):
        pop = [strategy, opponent] if seat == 0 else [opponent, strategy]
        r = Environment(g, pop, rounds=2000, seed=7, self_play=False).run()
        mean = r.pairwise_total[seat, 1 - seat] / r.pairwise_turns[seat, 1 - seat]
        floor = min(s.disagreement[seat], security[seat])
        assert mean >= floor - MARGIN * span, (strategy.name, game_name, opponent.name, seat, mean, floor)


def test_defector_caps_any_bargainer_at_its_security_level():
    # Chicken's Nash-equilibrium disagreement point (14/3 each) lies above the security
    # level (2): against Defector (always Dare, the minmax punishment) nothing earns more
    # than 2.  The security switch gets there; a committed fallback (the mixed
    # equilibrium strategy, 1/3 Dare) earns only 2/3 * 2 = 4/3.
    g = GAMES["chicken"]
    assert NashBargainer().settlement(g).disagreement[0] == pytest.approx(14 / 3)
    T = 3000
    secure = Environment(g, [NashBargainer(), Defector()], rounds=T, seed=2, self_play=False).run()
    committed = Environment(g, [NashBargainer(secure=False), Defector()], rounds=T, seed=2,
                            self_play=False).run()
    mean = lambda r: r.pairwise_total[0, 1] / r.pairwise_turns[0, 1]  # noqa: E731
    assert 2 - 0.02 <= mean(secure) <= 2
    assert mean(committed) == pytest.approx(4 / 3, abs=0.06)


def test_forgiveness_margin_against_defector():
    # A k-forgiving bargainer is suckered once every k + 1 rounds: the mean is exactly
    # (k * P + S) / (k + 1) in the prisoner's dilemma.
    for k in (1, 3, 9):
        T = 10 * (k + 1)
        r = Environment(PD, [NashBargainer(forgiveness=k), Defector()], rounds=T, seed=0, self_play=False).run()
        assert r.pairwise_total[0, 1] / T == pytest.approx((k * 1 + 0) / (k + 1))


def test_no_per_agent_cost_from_many_bargainer_strategies():
    # All bargainer strategies share one runner (one batch) whatever their number.
    pop = [NashBargainer(forgiveness=k) for k in (1, 2, 3)] + [CoCoBargainer(), TitForTat()]
    env = Environment(PD, pop, rounds=5, seed=0)
    runners = {id(env.runner(b)) for b in pop[:4]}
    assert len(runners) == 1
    assert isinstance(env.runner(pop[0]), bmod.BargainerRunner)


# ---------------------------------------------------------------------------
# The agreement rule between different methods
# ---------------------------------------------------------------------------
def test_agreement_rule_picks_the_acceptable_proposal():
    bos = GAMES["battle_of_the_sexes"]
    nash, coco = NashBargainer("nash"), CoCoBargainer()
    # Nash's disagreement point (2, 1) is the pure equilibrium (B, B); CoCo's threat point
    # is (0, 0).  CoCo's 50/50 lottery gives the Nash bargainer 1.5 < 2: not acceptable.
    a = agreement(bos, [nash, coco])
    assert a.reason == "largest product of gains" and a.proposer == 0
    np.testing.assert_allclose(a.payoffs, [2, 1])
    b = agreement(bos, [coco, nash])                # seats swapped: Nash's d is (2, 1) in its seat
    assert b.reason in ("largest product of gains", "no proposal acceptable to all")
    r = Environment(bos, [nash, coco], rounds=200, seed=1, self_play=False, keep_history=True).run()
    pay = seat_payoffs(bos, r.history)[:, 0, :]
    np.testing.assert_allclose(pay.mean(axis=0), [2, 1])


def test_agreement_rule_same_proposal_and_no_deal():
    chicken = GAMES["chicken"]
    a = agreement(chicken, [CoCoBargainer(), NashBargainer("threat")])
    assert a.reason == "same proposal"                 # both settle on (Chicken, Chicken)
    bos = GAMES["battle_of_the_sexes"]
    # (2, 1) gives the correlated-fallback bargainer 1 < 1.5; (1.5, 1.5) gives the Nash
    # bargainer 1.5 < 2: no proposal is acceptable to both.
    nd = agreement(bos, [NashBargainer("nash"), CorrelatedFallbackBargainer()])
    assert nd.joint is None and nd.reason == "no proposal acceptable to all"
    env = Environment(bos, [NashBargainer("nash"), CorrelatedFallbackBargainer()], rounds=3, seed=0,
                      self_play=False, keep_history=True)
    h = env.run().history[:, 0, :]
    assert h[0, 0] == 0                                  # the Nash bargainer's fallback: its equilibrium part, B
    assert agreement(PD, [TitForTat(), Defector()]).reason == "no bargainer"


def test_bargainers_need_the_environment_context():
    runner = NashBargainer().runner(PD, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="context"):
        runner.act(np.arange(2), np.array([0, 1]))


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make, field", [
    (lambda: NashBargainer(forgiveness=0), "forgiveness"),
    (lambda: CoCoBargainer(forgiveness=-2), "forgiveness"),
    (lambda: HarsanyiBargainer(forgiveness=1.5), "forgiveness"),
    (lambda: CoCoBargainer(forgiveness=True), "forgiveness"),
    (lambda: NashBargainer("kalai"), "disagreement"),
    (lambda: NashBargainer(secure="yes"), "secure"),
    (lambda: CorrelatedFallbackBargainer(transferable=1), "transferable"),
])
def test_bad_parameters_name_the_field(make, field):
    with pytest.raises(ValueError, match=field):
        make()


def test_minmax_fallback_needs_two_players():
    g = catalogue.public_goods_game(3)
    with pytest.raises(ValueError, match="disagreement"):
        Environment(g, {NashBargainer("minmax"): 3}, matching="random", rounds=3, seed=0)


def test_three_player_bargainers_reach_their_settlement():
    g = catalogue.public_goods_game(3)
    b = NashBargainer("nash")
    s = b.settlement(g)
    T = 600
    r = Environment(g, {b: 3}, matching="random", rounds=T, seed=5, keep_history=True).run()
    pay = seat_payoffs(g, r.history).reshape(T, -1, 3).mean(axis=(0, 1))
    se = lottery_sd(g, s.joint) / np.sqrt(T)
    assert np.all(np.abs(pay - s.achieved) <= 4 * se + 1e-9)


def test_mixed_population_under_random_matching_and_graphs():
    pop = {CoCoBargainer(): 4, CorrelatedFallbackBargainer(): 4, TitForTat(): 4}
    for match in ("random", nx.cycle_graph(12)):
        r = Environment(PD, pop, matching=match, rounds=100, seed=2).run()
        scores = r.strategy_scores()
        # TitForTat and the bargainers all cooperate in the prisoner's dilemma.
        assert all(v == pytest.approx(3.0) for v in scores.values()), scores


def test_split_fast_path_matches_the_seat_level_path():
    # Deterministic automata and bargainers without noise: the split population (automata
    # matches on the fast path) plays exactly what the all-seat-level path plays.
    pop = [TitForTat(), GrimTrigger(), Defector(), Alternator(), NashBargainer("threat"), CoCoBargainer()]
    g = GAMES["chicken"]
    fast = Environment(g, pop, rounds=120, seed=3, keep_history=True).run()
    slow = Environment(g, pop, rounds=120, seed=3, keep_history=True, fast_path=False).run()
    assert fast.parameters["method"].startswith("split")
    np.testing.assert_allclose(fast.total_payoff, slow.total_payoff)
    np.testing.assert_allclose(fast.pairwise_total, slow.pairwise_total)


# ---------------------------------------------------------------------------
# The vectorized runner against a per-unit reference
# ---------------------------------------------------------------------------
class ReferenceBargainers:
    """One unit at a time, straight from the documented protocol."""

    def __init__(self, game, strategies, unit_strategy, seed):
        self.game = game
        self.strategies = strategies
        self.unit_strategy = list(unit_strategy)
        self.rng = np.random.default_rng(seed)
        self.sec, self.sec_val = security_strategies(game)
        self.fallback = [s.fallback(game) for s in strategies]
        n = len(unit_strategy)
        self.left = [0] * n
        self.secured = [False] * n
        self.stats = [[0, 0.0, 0.0] for _ in range(n)]
        self.deviations = [0] * n
        self.prescribed = [-1] * n
        self.since_check = 0
        self.scale = 1.0 + float(np.max(np.abs(game.payoffs)))

    @staticmethod
    def _draw(joint, u):
        p = np.asarray(joint, dtype=float).ravel().clip(0)
        p = np.where(p < 1e-12, 0.0, p)
        p = p / p.sum()
        support = np.flatnonzero(p)
        cum = np.cumsum(p[support])[:-1]
        return int(support[int(np.sum(u >= cum))])

    def _mixed_action(self, x, draw):
        x = np.asarray(x, dtype=float).clip(0)
        x = np.where(x < 1e-12, 0.0, x)
        x = x / x.sum()
        return int(np.sum(draw >= np.cumsum(x)[:-1]))

    def act(self, players, ctx):
        out, pending = [], []
        for k, unit in enumerate(range(len(players))):
            a = agreement(self.game, [ctx.strategies[c] for c in ctx.seat_strategies[k]])
            s = self.unit_strategy[unit]
            p = players[k]
            if self.left[unit] == 0 and a.joint is not None:
                o = self._draw(a.joint, ctx.signal[k])
                self.prescribed[unit] = o
                out.append(int(np.unravel_index(o, self.game.n_actions)[p]))
                continue
            self.prescribed[unit] = -1
            mixed, corr = self.fallback[s]
            if self.secured[unit]:
                x = self.sec[p]
            elif corr is not None:
                o = self._draw(corr, ctx.signal[k])
                out.append(int(np.unravel_index(o, self.game.n_actions)[p]))
                continue
            else:
                x = mixed[p]
            x = np.asarray(x)
            if np.count_nonzero(x > 1e-12) == 1:
                out.append(int(np.argmax(x)))
            else:
                out.append(None)
                pending.append((k, x))
        if pending:
            draws = self.rng.random(len(pending))
            for (k, x), d in zip(pending, draws):
                out[k] = self._mixed_action(x, d)
        return np.array(out)

    def observe(self, players, joint, payoffs):
        fallback_units = []
        for unit in range(len(players)):
            code = int(np.ravel_multi_index(tuple(joint[unit]), self.game.n_actions))
            s = self.strategies[self.unit_strategy[unit]]
            if self.prescribed[unit] >= 0:
                if code != self.prescribed[unit]:
                    self.deviations[unit] += 1
                    self.left[unit] = bmod._FOREVER if s.forgiveness is None else s.forgiveness
            else:
                st = self.stats[unit]
                st[0] += 1
                st[1] += payoffs[unit]
                st[2] += payoffs[unit] ** 2
                self.left[unit] = max(self.left[unit] - 1, 0)
                fallback_units.append(unit)
        if fallback_units:
            self.since_check += 1
            if self.since_check >= bmod.CHECK_EVERY:
                self.since_check = 0
                for unit in fallback_units:
                    s = self.strategies[self.unit_strategy[unit]]
                    n, tot, sq = self.stats[unit]
                    if n < bmod.PATIENCE or self.secured[unit] or not s.secure:
                        continue
                    mean = tot / n
                    var = max(sq / n - mean * mean, 0.0)
                    if mean < self.sec_val[players[unit]] - bmod.Z * np.sqrt(var / n) - 1e-9 * self.scale:
                        self.secured[unit] = True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_runner_matches_the_per_unit_reference(data):
    seed = data.draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    m = (data.draw(st.integers(2, 3)), data.draw(st.integers(2, 3)))
    A = rng.integers(-3, 6, size=m).astype(float)
    B = rng.integers(-3, 6, size=m).astype(float)
    game = gs.NormalFormGame.from_bimatrix(A, B)
    pool = [NashBargainer("nash"), NashBargainer("minmax", forgiveness=2), CoCoBargainer(forgiveness=1),
            CorrelatedFallbackBargainer(), NashBargainer("ce", secure=False), NashBargainer("threat")]
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=3, unique=True))
    strategies = [pool[i] for i in picks]
    everyone = tuple(strategies) + (Defector(),)          # one non-bargainer partner
    n = data.draw(st.integers(1, 8))
    unit_strategy = rng.integers(0, len(strategies), size=n)
    players = rng.integers(0, 2, size=n)
    partner = rng.integers(0, len(everyone), size=n)
    seat_strategies = np.empty((n, 2), np.intp)
    seat_strategies[np.arange(n), players] = unit_strategy
    seat_strategies[np.arange(n), 1 - players] = partner
    follow_prob = data.draw(st.sampled_from([0.0, 0.7, 0.95, 1.0]))

    runner = type(strategies[0]).batch_runner(game, strategies, unit_strategy, np.random.default_rng(seed + 1))
    ref = ReferenceBargainers(game, strategies, unit_strategy, seed + 1)
    units = np.arange(n)
    for t in range(40):
        ctx = RoundContext(rng.random(n), seat_strategies, everyone, t)
        got = runner.act(units, players, ctx)
        want = ref.act(players, ctx)
        np.testing.assert_array_equal(got, want)
        joint = np.empty((n, 2), np.intp)
        joint[units, players] = got
        prescribed = np.array(ref.prescribed)
        other = rng.integers(0, np.array(m)[1 - players])
        keep = (prescribed >= 0) & (rng.random(n) < follow_prob)
        presc_other = np.array([np.unravel_index(max(o, 0), m)[1 - p] for o, p in zip(prescribed, players)])
        joint[units, 1 - players] = np.where(keep, presc_other, other)
        payoffs = game.payoffs[players, joint[:, 0], joint[:, 1]]
        runner.observe(units, players, joint, payoffs)
        ref.observe(players, joint, payoffs)
        np.testing.assert_array_equal(runner.left, np.array(ref.left))
        np.testing.assert_array_equal(runner.secured, np.array(ref.secured))
        np.testing.assert_array_equal(runner.deviations, np.array(ref.deviations))
