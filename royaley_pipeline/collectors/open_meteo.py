"""Open-Meteo: temperature, wind and precipitation probability at a venue at kick-off.

No key. ``/v1/forecast`` (``api.open-meteo.com``) covers recent and coming days and offers
``precipitation_probability``; ``/v1/archive`` (``archive-api.open-meteo.com``) covers the past
(a few days behind) without it. Both answer ``hourly.time`` plus one array per requested variable,
aligned by index; units are asked for in Fahrenheit and mph, times in UTC.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from royaley_pipeline.collectors.http import Fetched, ServiceClient
from royaley_pipeline.collectors.payloads import Payload, fail, validate
from royaley_pipeline.config import SourceSetting

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

SOURCE = "open_meteo"
DEFAULT_FORECAST_URL = "https://api.open-meteo.com"
DEFAULT_ARCHIVE_URL = "https://archive-api.open-meteo.com"
SETTINGS = (SourceSetting("open_meteo_forecast_url", "ROYALEY_OPEN_METEO_FORECAST_URL", DEFAULT_FORECAST_URL),
            SourceSetting("open_meteo_archive_url", "ROYALEY_OPEN_METEO_ARCHIVE_URL", DEFAULT_ARCHIVE_URL),
            SourceSetting("forecast_days_back", default="5"))  # older days come from the archive host
FORECAST_VARIABLES = ("temperature_2m", "wind_speed_10m", "precipitation_probability")
ARCHIVE_VARIABLES = ("temperature_2m", "wind_speed_10m")


class OpenMeteoClient(ServiceClient):
    """One session for both hosts; the archive host is used for days the forecast no longer holds."""

    def __init__(
        self, base_url: str = DEFAULT_FORECAST_URL, archive_url: str = DEFAULT_ARCHIVE_URL, **options
    ) -> None:
        super().__init__(source=SOURCE, base_url=base_url, **options)
        self.archive_url = archive_url.rstrip("/")

    def fetch_hourly(self, latitude: float, longitude: float, day: date, *, archive: bool) -> Fetched:
        variables = ARCHIVE_VARIABLES if archive else FORECAST_VARIABLES
        params = {
            "latitude": f"{latitude:.4f}",
            "longitude": f"{longitude:.4f}",
            "hourly": ",".join(variables),
            "temperature_unit": "fahrenheit",
            "wind_speed_unit": "mph",
            "timezone": "UTC",
            "start_date": day.isoformat(),
            "end_date": (day + timedelta(days=1)).isoformat(),
        }
        if archive:
            return self.get("v1/archive", params, base_url=self.archive_url)
        return self.get("v1/forecast", params)


def client(collectors: CollectorsResource) -> OpenMeteoClient:
    return OpenMeteoClient(collectors.value("open_meteo_forecast_url"), collectors.value("open_meteo_archive_url"),
                           retry=collectors.retry)


class _Hourly(Payload):
    time: list[str]
    temperature_2m: list[float | None]
    wind_speed_10m: list[float | None]
    precipitation_probability: list[float | None] | None = None


class _Answer(Payload):
    hourly: _Hourly


def parse_kickoff_weather(fetched: Fetched, kickoff: pd.Timestamp) -> dict[str, float]:
    """The hour of kick-off (UTC, rounded down): temperature °F, wind mph, rain chance 0–1."""
    hourly = validate(_Answer, fetched.json(expect_type=dict), fetched).hourly
    for name in ("temperature_2m", "wind_speed_10m", "precipitation_probability"):
        values = getattr(hourly, name)
        if values is not None and len(values) != len(hourly.time):
            raise fail(fetched, f"hourly.{name}", f"{len(values)} values for {len(hourly.time)} hours")
    hour = pd.Timestamp(kickoff).tz_convert("UTC").floor("h").strftime("%Y-%m-%dT%H:%M")
    if hour not in hourly.time:
        raise fail(fetched, "hourly.time", f"no value for the kick-off hour {hour}")
    index = hourly.time.index(hour)
    rain = hourly.precipitation_probability[index] if hourly.precipitation_probability else None
    values = {
        "temperature_f": hourly.temperature_2m[index],
        "wind_mph": hourly.wind_speed_10m[index],
        "precipitation_probability": None if rain is None else rain / 100.0,
    }
    for name, value in (("temperature_2m", values["temperature_f"]), ("wind_speed_10m", values["wind_mph"])):
        if value is None or math.isnan(value):
            raise fail(fetched, f"hourly.{name}", f"no value for the kick-off hour {hour}")
    if not -60 <= values["temperature_f"] <= 130 or not 0 <= values["wind_mph"] <= 150:
        raise fail(fetched, "hourly", f"implausible kick-off weather {values}")
    return {name: (math.nan if value is None else float(value)) for name, value in values.items()}
