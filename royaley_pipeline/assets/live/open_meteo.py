"""Open-Meteo: kick-off weather at the outdoor venues of the games already stored (indoor flagged)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from royaley_pipeline.assets.live.contracts import weather_problems
from royaley_pipeline.assets.live.espn import SOURCE as ESPN
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors import open_meteo
from royaley_pipeline.run_clock import run_time
from royaley_pipeline.storage.collected import store_weather, weather_targets


def collect(run: SportDay) -> None:
    """Forecast (recent days) or archive (older days) at each outdoor venue's coordinates."""
    # "Today" is the run's own time: a replayed run in the past still uses the forecast host then.
    archive = run.day < run_time(run.context).date() - timedelta(days=int(run.collectors.value("forecast_days_back")))
    rows, without_coordinates = [], []
    for game in weather_targets(run.engine, run.sport, run.day).itertuples(index=False):
        row = {"game_id": game.game_id, "source": open_meteo.SOURCE, "observed_at": game.start_time,
               "is_indoor": bool(game.is_indoor), "temperature_f": np.nan, "wind_mph": np.nan,
               "precipitation_probability": np.nan}
        if not game.is_indoor:
            if pd.isna(game.latitude) or pd.isna(game.longitude):
                without_coordinates.append(f"{game.venue or 'unknown venue'} ({game.source_game_id})")
                continue
            fetched = run.client.fetch_hourly(game.latitude, game.longitude, run.day, archive=archive)
            row.update(open_meteo.parse_kickoff_weather(fetched, game.start_time))
        rows.append(row)
    if without_coordinates:
        run.context.log.warning(f"outdoor venues without coordinates: {without_coordinates}")
    run.note("venues_without_coordinates", without_coordinates)
    run.written.update(weather=store_weather(run.engine, pd.DataFrame(rows)) if rows else 0)


SOURCE = LiveSource(
    name="open_meteo",
    tables=(Table("weather", "Open-Meteo: kick-off weather at outdoor venues (indoor games flagged)."),),
    collector=open_meteo,
    collect=collect,
    contract=Contract("open_meteo_collection_contract", "Weather rows present and plausible.", weather_problems),
    deps=ESPN.keys[:1],
    notes=("venues_without_coordinates",),
)
