"""Settlement on games and prices chosen by hand, and its rules on generated predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.market import market_lines
from royaley_pipeline.domain.odds import american_to_decimal
from royaley_pipeline.domain.settlement import (
    AFTER_KICK_OFF,
    BET,
    LOST,
    NO_STAKE,
    PUSH,
    REPREDICTION,
    VOID,
    WON,
    assign_roles,
    settle,
    side_margin,
)

KICK_OFF = pd.Timestamp("2024-12-22 18:00", tz="UTC")


def games(*rows) -> pd.DataFrame:
    """(game_id, status, home_score, away_score) per game, all kicking off at KICK_OFF."""
    frame = pd.DataFrame(rows, columns=["game_id", "status", "home_score", "away_score"])
    frame["start_time"] = KICK_OFF
    return frame


def prediction(game_id, bet_type, side, line, american, stake=0.02, hours_before=12.0) -> dict:
    return {
        "game_id": game_id, "bet_type": bet_type, "side": side, "line": line,
        "price_american": american, "decimal_odds": float(american_to_decimal(american)),
        "kelly_stake": stake, "predicted_at": KICK_OFF - pd.Timedelta(hours=hours_before),
        "tier": "A", "start_time": KICK_OFF,
    }


def no_closing() -> pd.DataFrame:
    return pd.DataFrame({"game_id": pd.Series(dtype="int64")})


def test_each_bet_type_is_graded_on_the_line_taken():
    played = games((1, "final", 24, 21), (2, "final", 20, 20), (3, "final", 27, 17))
    predictions = pd.DataFrame([
        prediction(1, "moneyline", "home", np.nan, -150),   # home won by 3
        prediction(1, "spread", "home", -3.0, -110),        # 24 − 3 = 21: push
        prediction(1, "spread", "away", 3.5, -110),         # 21 + 3.5 > 24: won
        prediction(1, "total", "over", 44.5, -110),         # 45 > 44.5: won
        prediction(2, "moneyline", "away", np.nan, 130),    # a tie on a two-way moneyline: push
        prediction(2, "total", "under", 41.0, -105),        # 40 < 41: won
        prediction(3, "spread", "home", -10.5, -110),       # 27 − 10.5 < 17 + 0: lost by 0.5
        prediction(3, "total", "over", np.nan, -110),       # no line to grade against: void
    ])
    settled = settle(predictions, played, no_closing())
    assert list(settled["result"]) == [WON, PUSH, WON, WON, PUSH, WON, LOST, VOID]
    assert settled["units"].tolist() == pytest.approx([100 / 150, 0, 10 / 11, 10 / 11, 0, 100 / 105, -1, 0])
    assert settled["kelly_return"].tolist() == pytest.approx(0.02 * settled["units"])


def test_pending_games_are_left_for_later_and_cancelled_games_are_void():
    schedule = games((1, "scheduled", np.nan, np.nan), (2, "postponed", np.nan, np.nan))
    predictions = pd.DataFrame([prediction(1, "moneyline", "home", np.nan, 110),
                                prediction(2, "moneyline", "home", np.nan, 110)])
    settled = settle(predictions, schedule, no_closing())
    assert list(settled["game_id"]) == [2]
    assert list(settled["result"]) == [VOID]
    assert settled["units"].tolist() == [0.0]


def test_the_first_prediction_with_a_stake_before_kick_off_is_the_bet():
    predictions = pd.DataFrame([
        prediction(1, "spread", "home", -3.0, -110, stake=0.0, hours_before=14),   # 04:00, no edge
        prediction(1, "spread", "home", -3.5, -105, stake=0.02, hours_before=12),  # 06:00: the bet
        prediction(1, "spread", "home", -4.0, -110, stake=0.04, hours_before=3),   # new odds: information
        prediction(1, "spread", "home", -4.5, -110, stake=0.05, hours_before=-1),  # after kick-off
        prediction(1, "total", "over", 44.0, -110, stake=0.0, hours_before=12),    # never staked
    ])
    roles = assign_roles(predictions, predictions["start_time"])
    assert list(roles) == [NO_STAKE, BET, REPREDICTION, AFTER_KICK_OFF, NO_STAKE]


def test_an_unpriced_prediction_is_never_the_bet():
    unpriced = prediction(1, "moneyline", "home", np.nan, 110, stake=0.03) | {"decimal_odds": np.nan}
    roles = assign_roles(pd.DataFrame([unpriced]), pd.Series([KICK_OFF]))
    assert list(roles) == [NO_STAKE]


def test_closing_line_value_by_hand():
    """Home −3 at −110 that closed −4.5 (−110 both sides): +1.5 line points, and −2.38 probability
    points (the fair close is 50 %, −110 implies 52.38 %). Moneyline home +150 against a close of
    +120 / −140: fair home 0.4545 / (0.4545 + 0.5833) = 0.43796, taken 0.40 → +3.80 points."""
    captured = KICK_OFF - pd.Timedelta(hours=1)
    snapshots = pd.DataFrame([
        (1, "book", "spread", "home", -4.5, -110.0, captured),
        (1, "book", "spread", "away", 4.5, -110.0, captured),
        (1, "book", "total", "over", 46.0, -110.0, captured),
        (1, "book", "total", "under", 46.0, -110.0, captured),
        (1, "book", "moneyline", "home", np.nan, 120.0, captured),
        (1, "book", "moneyline", "away", np.nan, -140.0, captured),
        (1, "book", "spread", "home", -7.0, -110.0, KICK_OFF),  # at kick-off: not the close
    ], columns=["game_id", "book", "market", "side", "line", "price", "captured_at"])
    played = games((1, "final", 30, 20))
    closing = market_lines(played, snapshots)
    predictions = pd.DataFrame([
        prediction(1, "spread", "home", -3.0, -110),
        prediction(1, "spread", "away", 3.0, -110),
        prediction(1, "total", "over", 44.5, -110),
        prediction(1, "total", "under", 44.5, -110),
        prediction(1, "moneyline", "home", np.nan, 150),
    ])
    settled = settle(predictions, played, closing)
    assert settled["closing_line"].tolist()[:4] == [-4.5, 4.5, 46.0, 46.0]
    assert settled["clv_line_points"].tolist()[:4] == [1.5, -1.5, 1.5, -1.5]
    assert np.isnan(settled["clv_line_points"].iloc[4])
    assert settled["clv_probability"].iloc[0] == pytest.approx(0.5 - 110 / 210)
    fair_home = (1 / 2.2) / (1 / 2.2 + 140 / 240)
    assert settled["closing_probability"].iloc[4] == pytest.approx(fair_home)
    assert settled["clv_probability"].iloc[4] == pytest.approx(fair_home - 0.4)
    assert settled["closing_price_american"].tolist() == pytest.approx([-110, -110, -110, -110, 120])


@settings(max_examples=60, deadline=None)
@given(
    home=st.integers(0, 60), away=st.integers(0, 60),
    line=st.sampled_from([-7.5, -7.0, -3.0, -1.5, 0.0, 2.5, 3.0, 10.0]),
    total=st.sampled_from([30.5, 41.0, 44.5, 51.0]),
)
def test_the_two_sides_of_a_market_settle_opposite(home, away, line, total):
    """Whatever the score, home and away (over and under) at mirrored lines never both win."""
    for bet_type, first, second, first_line, second_line in (
        ("spread", "home", "away", line, -line), ("total", "over", "under", total, total),
        ("moneyline", "home", "away", np.nan, np.nan),
    ):
        a = side_margin(bet_type, first, first_line, home, away)
        b = side_margin(bet_type, second, second_line, home, away)
        assert a == -b


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.floats(-5, 20), st.booleans()), min_size=1, max_size=12))
def test_at_most_one_bet_per_game_and_it_is_the_earliest_staked_before_kick_off(rows):
    predictions = pd.DataFrame([
        prediction(game, "moneyline", "home", np.nan, 120, stake=0.02 if staked else 0.0, hours_before=hours)
        for game, hours, staked in rows
    ])
    roles = assign_roles(predictions, predictions["start_time"])
    for _, group in predictions.assign(role=roles).groupby("game_id"):
        eligible = group.loc[(group["predicted_at"] < KICK_OFF) & (group["kelly_stake"] > 0)]
        bets = group.loc[group["role"] == BET]
        assert len(bets) == (1 if len(eligible) else 0)
        if len(bets):
            assert bets["predicted_at"].iloc[0] == eligible["predicted_at"].min()
        assert (group.loc[group["predicted_at"] >= KICK_OFF, "role"] == AFTER_KICK_OFF).all()
