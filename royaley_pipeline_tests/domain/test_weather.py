import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.weather import weather_features, weather_impact

KICK_OFF = pd.Timestamp("2024-12-01 18:00", tz="UTC")


def _games(roofs):
    return pd.DataFrame({"game_id": range(len(roofs)), "start_time": KICK_OFF, "roof": roofs})


def _observation(game_id, minutes_from_kick_off, temperature, wind, rain=np.nan, indoor=False):
    return {"game_id": game_id, "observed_at": KICK_OFF + pd.Timedelta(minutes=minutes_from_kick_off),
            "temperature_f": temperature, "wind_mph": wind, "precipitation_probability": rain,
            "is_indoor": indoor}


def test_latest_observation_by_kick_off_is_used_and_later_ones_ignored():
    weather = pd.DataFrame([_observation(0, -180, 50, 5), _observation(0, 0, 28, 22, 0.8),
                            _observation(0, 120, -20, 60)])
    row = weather_features(_games(["outdoors"]), weather, outdoor_sport=True).iloc[0]
    assert (row["temperature_f"], row["wind_mph"], row["precipitation_probability"]) == (28, 22, 0.8)
    expected = 0.5 * (12 / 15) + 0.3 * (12 / 40) + 0.2 * 0.8
    assert row["weather_impact"] == pytest.approx(expected)
    assert row["weather_available"] == 1.0 and row["is_indoor"] == 0.0


def test_indoor_games_get_neutral_values_and_unknown_outdoor_games_stay_missing():
    weather = pd.DataFrame([_observation(1, 0, 10, 30), _observation(2, 0, 10, 30, indoor=True)])
    rows = weather_features(_games(["outdoors", "dome", "open", "outdoors"]), weather, outdoor_sport=True)
    assert rows.loc[0, ["temperature_f", "wind_mph", "weather_impact"]].isna().all()
    assert rows.loc[0, "weather_available"] == 0.0
    for indoor in (1, 2):  # a dome by roof, a closed roof reported by the observation
        assert rows.loc[indoor, ["temperature_f", "wind_mph", "precipitation_probability", "weather_impact"]
                        ].tolist() == [70.0, 0.0, 0.0, 0.0]
        assert rows.loc[indoor, "weather_available"] == 1.0 and rows.loc[indoor, "is_indoor"] == 1.0
    basketball = weather_features(_games([None]), None, outdoor_sport=False)
    assert basketball.loc[0, "weather_impact"] == 0.0 and basketball.loc[0, "is_indoor"] == 1.0


def test_impact_needs_wind_and_temperature_but_not_rain():
    impact = weather_impact(np.array([70.0, np.nan, 20.0]), np.array([5.0, 20.0, 40.0]),
                            np.array([np.nan, 0.5, np.nan]))
    assert impact[0] == 0.0 and np.isnan(impact[1]) and impact[2] == pytest.approx(0.5 + 0.3 * 0.5)
