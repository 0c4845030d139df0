"""Report building: the betting frame each bet type is backtested on, and the PNG plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.reports import betting_frame, comparison_on_same_games, reliability_png


def out_of_fold(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({
        "game_id": [f"g{i}" for i in range(n)],
        "season": 2020,
        "start_time": pd.date_range("2020-09-10", periods=n, freq="D", tz="UTC"),
        "probability": np.linspace(0.4, 0.6, n),
        "market_probability": [0.5, np.nan, 0.55][:n],
        "baseline_probability": np.full(n, 0.52),
        "label": [1, 0, 1][:n],
    })


def test_spread_bets_use_closing_prices_and_sign_the_line_move_toward_the_home_side():
    features = pd.DataFrame({
        "game_id": ["g0", "g1", "g2"],
        "opening_spread_home": [-3.0, 2.5, np.nan],
        "closing_spread_home": [-4.5, 3.0, -1.0],
        "closing_spread_home_price": [-105.0, np.nan, -110.0],
        "closing_spread_away_price": [-115.0, np.nan, -110.0],
    })
    games = betting_frame("spread", out_of_fold(), features)
    assert games["event_decimal_odds"].tolist() == pytest.approx([1 + 100 / 105, 1 + 100 / 110, 1 + 100 / 110])
    # Home went from -3 to -4.5: the market moved 1.5 points toward the home side.
    assert games["line_move_toward_event"].iloc[0] == pytest.approx(1.5)
    assert games["line_move_toward_event"].iloc[1] == pytest.approx(-0.5)
    assert np.isnan(games["line_move_toward_event"].iloc[2])


def test_moneyline_bets_without_a_price_are_not_priced():
    features = pd.DataFrame({
        "game_id": ["g0", "g1", "g2"],
        "closing_moneyline_home": [-150.0, np.nan, 120.0],
        "closing_moneyline_away": [130.0, np.nan, -140.0],
        "opening_moneyline_home": [-140.0, np.nan, 110.0],
    })
    games = betting_frame("moneyline", out_of_fold(), features)
    assert games["event_decimal_odds"].tolist()[0] == pytest.approx(1 + 100 / 150)
    assert np.isnan(games["event_decimal_odds"].iloc[1])
    assert games["line_move_toward_event"].iloc[0] > 0  # -140 → -150: home shortened


def test_model_market_and_baseline_are_scored_on_the_same_games():
    table = comparison_on_same_games(out_of_fold())
    assert list(table["forecast"]) == ["model", "market", "Elo baseline"]
    assert set(table["n"]) == {2}  # the game without a market price is left out for all three


def test_the_reliability_diagram_is_a_png():
    assert reliability_png(out_of_fold()).startswith(b"\x89PNG")


def test_the_season_chart_and_the_champions_table():
    from royaley_pipeline.domain.model_names import ModelName
    from royaley_pipeline.registry import VersionSummary
    from royaley_pipeline.reports import champions_table, season_png

    seasons = pd.DataFrame({"season": [2022, 2023], "n": [270, 272], "market_n": [270, 260],
                            "model_log_loss": [0.66, 0.65], "model_log_loss_on_market_games": [0.66, 0.64],
                            "market_log_loss": [0.65, 0.64], "baseline_log_loss": [0.67, 0.66]})
    assert season_png(seasons).startswith(b"\x89PNG")
    champion = VersionSummary(
        model=ModelName("NFL", "total"), version=3, aliases=["champion"], run_id="r", framework="sklearn",
        feature_set_version="v2", data_window={}, promotion_decision="promoted", created_at="2026-11-27", mock=False,
        walk_forward_seasons="2015–2024",
        metrics={"overall_n": 2700.0, "overall_model_log_loss": 0.69, "overall_model_log_loss_on_market_games": 0.6921,
                 "overall_market_log_loss": 0.6901, "overall_model_brier": 0.249, "overall_market_brier": 0.248},
    )
    (row,) = champions_table([champion]).to_dict("records")
    assert (row["model"], row["version"], row["walk-forward seasons"], row["games"]) == (
        "royaley-nfl-total", 3, "2015–2024", 2700)
    assert row["Δ vs market"] == pytest.approx(0.002) and row["ECE"] is None
