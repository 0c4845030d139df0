"""Where each service lives and how hard to try: the fields of the collectors resource.

Base URLs are configurable (settings or resource field) so tests point every client at a loopback
server. Secrets are fields given as Dagster ``EnvVar``s (``Settings.collector_secret_values``): Dagster
reads them when a run starts, so no key appears in the definitions, run config, UI or metadata.
"""

from __future__ import annotations

from dagster import ConfigurableResource

from royaley_pipeline.collectors import espn, odds_api, open_meteo, pinnacle, sportsdb
from royaley_pipeline.collectors.files import DEFAULT_TENNIS_URL, NFLVERSE_SOURCE, TENNIS_SOURCE, FileClient
from royaley_pipeline.collectors.http import RetrySettings
from royaley_pipeline.config import Settings
from royaley_pipeline.sources.nflverse import NFLVERSE_GAMES_URL


class CollectorsResource(ConfigurableResource):
    """Base URLs, secrets and retry settings of every live collector (empty secret: source off)."""

    espn_base_url: str = espn.DEFAULT_BASE_URL
    odds_api_base_url: str = odds_api.DEFAULT_BASE_URL
    odds_api_key: str = ""
    odds_api_regions: str = "us"
    odds_api_quota_reserve: int = 10
    pinnacle_base_url: str = pinnacle.DEFAULT_BASE_URL
    pinnacle_username: str = ""
    pinnacle_password: str = ""
    open_meteo_forecast_url: str = open_meteo.DEFAULT_FORECAST_URL
    open_meteo_archive_url: str = open_meteo.DEFAULT_ARCHIVE_URL
    forecast_days_back: int = 5  # older days come from the archive host
    sportsdb_base_url: str = sportsdb.DEFAULT_BASE_URL
    sportsdb_api_key: str = ""
    nflverse_location: str = NFLVERSE_GAMES_URL
    tennis_location: str = DEFAULT_TENNIS_URL  # URL or path; "{year}" is filled in
    retry: RetrySettings = RetrySettings()

    def espn(self) -> espn.EspnClient:
        return espn.EspnClient(self.espn_base_url, retry=self.retry)

    def odds_api(self, known_remaining: int | None = None) -> odds_api.OddsApiClient | None:
        key = self.odds_api_key
        if not key:
            return None
        return odds_api.OddsApiClient(
            key, self.odds_api_base_url, regions=self.odds_api_regions,
            quota_reserve=self.odds_api_quota_reserve, known_remaining=known_remaining, retry=self.retry,
        )

    def pinnacle(self) -> pinnacle.PinnacleClient | None:
        username, password = self.pinnacle_username, self.pinnacle_password
        if not username or not password:
            return None
        return pinnacle.PinnacleClient(username, password, self.pinnacle_base_url, retry=self.retry)

    def open_meteo(self) -> open_meteo.OpenMeteoClient:
        return open_meteo.OpenMeteoClient(self.open_meteo_forecast_url, self.open_meteo_archive_url, retry=self.retry)

    def sportsdb(self) -> sportsdb.SportsDbClient | None:
        key = self.sportsdb_api_key
        return sportsdb.SportsDbClient(key, self.sportsdb_base_url, retry=self.retry) if key else None

    def nflverse_files(self) -> FileClient:
        return FileClient(source=NFLVERSE_SOURCE, base_url="file:", retry=self.retry)

    def tennis_files(self) -> FileClient:
        return FileClient(source=TENNIS_SOURCE, base_url="file:", retry=self.retry)


def collectors_from_settings(settings: Settings, **fields) -> CollectorsResource:
    """The resource with the settings' service locations and secrets (``fields`` override them)."""
    return CollectorsResource(**{**settings.collector_locations, **settings.collector_secret_values(), **fields})
