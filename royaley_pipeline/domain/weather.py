"""Weather at kick-off as features: neutral indoors, explicit when unknown outdoors.

A dome game is played in known conditions, so it gets the neutral values (70 °F, no wind, no
rain, impact 0) and counts as available; an outdoor game with no observation gets NaN and
`weather_available = 0`, because a missing forecast is not a calm day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import start_time_nanoseconds

WEATHER_COLUMNS = [
    "temperature_f", "wind_mph", "precipitation_probability", "weather_impact", "weather_available", "is_indoor",
]
INDOOR_ROOFS = frozenset({"dome", "closed", "indoor", "indoors"})
NEUTRAL_TEMPERATURE_F = 70.0

# Scoring suppression grows with wind above 10 mph (passing and kicking), with cold below 40 °F
# (ball handling) and with the chance of rain; each part is capped so the index stays in [0, 1].
WIND_FREE_MPH, WIND_FULL_MPH = 10.0, 25.0
COLD_FREE_F, COLD_FULL_F = 40.0, 0.0
IMPACT_WEIGHTS = {"wind": 0.5, "cold": 0.3, "precipitation": 0.2}


def weather_impact(temperature_f: np.ndarray, wind_mph: np.ndarray,
                   precipitation_probability: np.ndarray) -> np.ndarray:
    """Scoring-suppression index in [0, 1]; NaN unless wind and temperature are known.

    Precipitation adds its part only where a source reports it (nflverse does not): a missing
    chance of rain leaves the index on wind and cold alone rather than unknown altogether.
    """
    wind = np.clip((wind_mph - WIND_FREE_MPH) / (WIND_FULL_MPH - WIND_FREE_MPH), 0.0, 1.0)
    cold = np.clip((COLD_FREE_F - temperature_f) / (COLD_FREE_F - COLD_FULL_F), 0.0, 1.0)
    rain = np.nan_to_num(np.clip(precipitation_probability, 0.0, 1.0))
    return (IMPACT_WEIGHTS["wind"] * wind + IMPACT_WEIGHTS["cold"] * cold
            + IMPACT_WEIGHTS["precipitation"] * rain)


def weather_features(games: pd.DataFrame, weather: pd.DataFrame | None, outdoor_sport: bool) -> pd.DataFrame:
    """One row per game in input order, from the latest observation made at or before kick-off.

    An observation stamped at kick-off is the kick-off conditions (nflverse records them so);
    anything later is ignored, so a post-game report can never leak in.
    """
    game_count = len(games)
    values = {name: np.full(game_count, np.nan) for name in ("temperature_f", "wind_mph", "precipitation_probability")}
    observed_indoor = np.zeros(game_count, dtype=bool)
    if weather is not None and not weather.empty:
        position = pd.Index(games["game_id"].to_numpy()).get_indexer(weather["game_id"].to_numpy())
        observed = start_time_nanoseconds(weather["observed_at"])
        kick_off = start_time_nanoseconds(games["start_time"])
        usable = position >= 0
        usable[usable] &= observed[usable] <= kick_off[position[usable]]
        rows = np.flatnonzero(usable)
        rows = rows[np.lexsort((observed[rows], position[rows]))]
        latest = rows[np.append(position[rows][1:] != position[rows][:-1], True)] if len(rows) else rows
        for name in values:
            values[name][position[latest]] = weather[name].to_numpy(dtype="float64")[latest]
        observed_indoor[position[latest]] = weather["is_indoor"].fillna(False).to_numpy(dtype=bool)[latest]

    roof = games["roof"].str.lower() if "roof" in games else pd.Series(None, index=games.index, dtype=object)
    indoor = (not outdoor_sport) | roof.isin(INDOOR_ROOFS).to_numpy() | observed_indoor
    features = pd.DataFrame(values)
    features["weather_impact"] = weather_impact(
        features["temperature_f"].to_numpy(), features["wind_mph"].to_numpy(),
        features["precipitation_probability"].to_numpy(),
    )
    features.loc[indoor, ["temperature_f", "wind_mph", "precipitation_probability", "weather_impact"]] = [
        NEUTRAL_TEMPERATURE_F, 0.0, 0.0, 0.0,
    ]
    features["weather_available"] = (indoor | features["weather_impact"].notna().to_numpy()).astype("float64")
    features["is_indoor"] = indoor.astype("float64")
    return features
