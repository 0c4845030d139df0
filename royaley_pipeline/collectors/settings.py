"""Where each service lives and how hard to try: the fields of the collectors resource.

Base URLs are configurable (env var or resource field) so tests point every client at a loopback
server. Secrets are never fields: the resource holds the *names* of the environment variables and
reads the values only when a client is built, so no key appears in run config, UI or metadata.
"""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from royaley_pipeline.collectors import espn, odds_api, open_meteo, pinnacle, sportsdb
from royaley_pipeline.collectors.files import DEFAULT_TENNIS_URL, NFLVERSE_SOURCE, TENNIS_SOURCE, FileClient
from royaley_pipeline.collectors.http import RetrySettings
from royaley_pipeline.sources.nflverse import NFLVERSE_GAMES_URL

ENVIRONMENT_DEFAULTS = {
    "espn_base_url": ("ROYALEY_ESPN_BASE_URL", espn.DEFAULT_BASE_URL),
    "odds_api_base_url": ("ROYALEY_ODDS_API_BASE_URL", odds_api.DEFAULT_BASE_URL),
    "pinnacle_base_url": ("ROYALEY_PINNACLE_BASE_URL", pinnacle.DEFAULT_BASE_URL),
    "open_meteo_forecast_url": ("ROYALEY_OPEN_METEO_FORECAST_URL", open_meteo.DEFAULT_FORECAST_URL),
    "open_meteo_archive_url": ("ROYALEY_OPEN_METEO_ARCHIVE_URL", open_meteo.DEFAULT_ARCHIVE_URL),
    "sportsdb_base_url": ("ROYALEY_SPORTSDB_BASE_URL", sportsdb.DEFAULT_BASE_URL),
    "nflverse_location": ("ROYALEY_NFLVERSE_LOCATION", NFLVERSE_GAMES_URL),
    "tennis_location": ("ROYALEY_TENNIS_LOCATION", DEFAULT_TENNIS_URL),
}


class CollectorsResource(ConfigurableResource):
    """Base URLs, secret variable names and retry settings of every live collector."""

    espn_base_url: str = espn.DEFAULT_BASE_URL
    odds_api_base_url: str = odds_api.DEFAULT_BASE_URL
    odds_api_key_env: str = "ODDS_API_KEY"
    odds_api_regions: str = "us"
    odds_api_quota_reserve: int = 10
    pinnacle_base_url: str = pinnacle.DEFAULT_BASE_URL
    pinnacle_username_env: str = "PINNACLE_USERNAME"
    pinnacle_password_env: str = "PINNACLE_PASSWORD"
    open_meteo_forecast_url: str = open_meteo.DEFAULT_FORECAST_URL
    open_meteo_archive_url: str = open_meteo.DEFAULT_ARCHIVE_URL
    forecast_days_back: int = 5  # older days come from the archive host
    sportsdb_base_url: str = sportsdb.DEFAULT_BASE_URL
    sportsdb_api_key_env: str = "THESPORTSDB_API_KEY"
    nflverse_location: str = NFLVERSE_GAMES_URL
    tennis_location: str = DEFAULT_TENNIS_URL  # URL or path; "{year}" is filled in
    retry: RetrySettings = RetrySettings()

    def secret(self, variable: str) -> str:
        return os.environ.get(variable, "")

    def espn(self) -> espn.EspnClient:
        return espn.EspnClient(self.espn_base_url, retry=self.retry)

    def odds_api(self, known_remaining: int | None = None) -> odds_api.OddsApiClient | None:
        key = self.secret(self.odds_api_key_env)
        if not key:
            return None
        return odds_api.OddsApiClient(
            key, self.odds_api_base_url, regions=self.odds_api_regions,
            quota_reserve=self.odds_api_quota_reserve, known_remaining=known_remaining, retry=self.retry,
        )

    def pinnacle(self) -> pinnacle.PinnacleClient | None:
        username, password = self.secret(self.pinnacle_username_env), self.secret(self.pinnacle_password_env)
        if not username or not password:
            return None
        return pinnacle.PinnacleClient(username, password, self.pinnacle_base_url, retry=self.retry)

    def open_meteo(self) -> open_meteo.OpenMeteoClient:
        return open_meteo.OpenMeteoClient(self.open_meteo_forecast_url, self.open_meteo_archive_url, retry=self.retry)

    def sportsdb(self) -> sportsdb.SportsDbClient | None:
        key = self.secret(self.sportsdb_api_key_env)
        return sportsdb.SportsDbClient(key, self.sportsdb_base_url, retry=self.retry) if key else None

    def nflverse_files(self) -> FileClient:
        return FileClient(source=NFLVERSE_SOURCE, base_url="file:", retry=self.retry)

    def tennis_files(self) -> FileClient:
        return FileClient(source=TENNIS_SOURCE, base_url="file:", retry=self.retry)


def collectors_from_environment(environ: dict[str, str] | None = None) -> CollectorsResource:
    env = os.environ if environ is None else environ
    return CollectorsResource(
        **{field: env.get(variable, default) for field, (variable, default) in ENVIRONMENT_DEFAULTS.items()}
    )
