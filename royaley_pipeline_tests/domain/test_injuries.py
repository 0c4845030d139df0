import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.injuries import injury_features

WEEK_ONE = pd.Timestamp("2024-09-08 17:00", tz="UTC")


def _games():
    return pd.DataFrame({
        "game_id": [1, 2, 3],
        "start_time": [WEEK_ONE, WEEK_ONE, WEEK_ONE + pd.Timedelta(days=7)],
        "home_team": ["KC", "BUF", "KC"], "away_team": ["BAL", "ARI", "BUF"],
    })


def _report(team, player, status, days_before_week_one, position=None):
    return {"team": team, "player_name": player, "position": position, "status": status,
            "observed_at": WEEK_ONE - pd.Timedelta(days=days_before_week_one)}


def test_reports_weighted_by_status_and_position_attach_to_the_next_game():
    injuries = pd.DataFrame([
        _report("KC", "Mahomes", "questionable", 3, "QB"),
        _report("KC", "Kelce", "out", 2, "TE"),
        _report("KC", "Kelce", "active", 1, "TE"),          # cleared later: his latest status wins
        _report("BAL", "Andrews", "doubtful", 1, "TE"),
        _report("KC", "Rice", "out", -1, "WR"),             # after week one: belongs to game 3
        _report("BUF", "Allen", "out", 30, "QB"),           # older than the look-back
    ])
    features = injury_features(_games(), injuries, "NFL").set_index(pd.Index([1, 2, 3]))
    assert features.loc[1, "home_injury_count"] == 1
    assert features.loc[1, "home_injury_impact"] == pytest.approx(0.4 * 3.0)
    assert features.loc[1, "away_injury_impact"] == pytest.approx(0.75)
    assert features.loc[1, "injury_impact_difference"] == pytest.approx(1.2 - 0.75)
    assert features.loc[2, "home_injury_count"] == 0 and features.loc[2, "injuries_available"] == 1.0
    assert features.loc[3, "home_injury_count"] == 1 and features.loc[3, "home_injury_impact"] == 1.0


def test_no_report_in_the_look_back_means_unknown_not_healthy():
    features = injury_features(_games(), pd.DataFrame([_report("KC", "Kelce", "out", 20)]), "NFL")
    assert features[["home_injury_count", "away_injury_impact"]].isna().all(axis=None)
    assert (features["injuries_available"] == 0).all()
    assert (injury_features(_games(), None, "NFL")["injuries_available"] == 0).all()
    assert np.isnan(injury_features(_games(), None, "NFL").loc[0, "home_injury_count"])
