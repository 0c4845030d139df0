"""Loopback HTTP servers serving the documented-format fixtures, and collectors pointed at them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from royaley_pipeline.collectors.http import RetrySettings
from royaley_pipeline.collectors.settings import CollectorsResource, collectors_from_settings
from royaley_pipeline.config import load_settings

FIXTURES = Path(__file__).parent / "fixtures"
ODDS_KEY = "odds-key-SECRET-0123456789"
SPORTSDB_KEY = "sportsdb-SECRET-987"
PINNACLE_PASSWORD = "pinn-SECRET-pw"

# Waits stay tiny through configuration; nothing in the retry path is patched.
FAST = dict(attempts=3, backoff_initial=0.01, backoff_max=0.05, jitter=0.01, connect_timeout=1.0, read_timeout=0.5)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def fixture_json(name: str):
    return json.loads(fixture_text(name))


@pytest.fixture
def fast_retry() -> RetrySettings:
    return RetrySettings(**FAST)


@pytest.fixture
def collectors(httpserver, monkeypatch) -> CollectorsResource:
    monkeypatch.setenv("ODDS_API_KEY", ODDS_KEY)
    monkeypatch.setenv("THESPORTSDB_API_KEY", SPORTSDB_KEY)
    monkeypatch.setenv("PINNACLE_USERNAME", "royaley")
    monkeypatch.setenv("PINNACLE_PASSWORD", PINNACLE_PASSWORD)
    return make_collectors(httpserver)


def make_collectors(httpserver, **overrides) -> CollectorsResource:
    base = httpserver.url_for("").rstrip("/")
    return collectors_from_settings(
        load_settings(),  # the secrets set above reach the resource as EnvVars, as in production
        espn_base_url=f"{base}/espn",
        odds_api_base_url=f"{base}/oddsapi",
        pinnacle_base_url=f"{base}/pinnacle",
        open_meteo_forecast_url=f"{base}/meteo",
        open_meteo_archive_url=f"{base}/archive",
        sportsdb_base_url=f"{base}/sportsdb",
        forecast_days_back=100000,  # fixtures are in the past: keep using the forecast host
        retry=RetrySettings(**FAST),
        **overrides,
    )


def month_features(database_url: str, instance: DagsterInstance, folder: Path, sport: str, month: date
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Materialise the features of one sport × month partition (a real run, files under
    ``folder``) and read back the sport's stored games and current feature rows."""
    from royaley_pipeline.assets.features import game_features
    from royaley_pipeline.domain.features import FEATURE_SET_VERSION
    from royaley_pipeline.partitions import sport_month_key
    from royaley_pipeline.resources import DatabaseResource, PathsResource
    from royaley_pipeline.storage.features import load_features
    from royaley_pipeline.storage.games import load_games

    paths = PathsResource(features_path=str(folder / "features"), datasets_path=str(folder / "datasets"),
                          predictions_path=str(folder / "predictions"), source_data_path=str(folder / "src"))
    result = materialize([game_features], partition_key=sport_month_key(sport, month), instance=instance, raise_on_error=False,
                         resources={"database": DatabaseResource(url=database_url), "paths": paths})
    assert result.success
    engine = DatabaseResource(url=database_url).engine()
    return load_games(engine, sport), load_features(engine, sport, FEATURE_SET_VERSION)
