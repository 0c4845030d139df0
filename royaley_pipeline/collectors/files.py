"""File sources (nflverse games, Sackmann tennis matches) under the same client conventions.

A location is an http(s) URL, fetched through a retrying ``ServiceClient`` session, or a local
path read from disk; either way the text is handed to the existing validating readers in
``royaley_pipeline.sources`` so that parsing stays in one place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from royaley_pipeline.collectors.errors import CollectorError
from royaley_pipeline.collectors.http import ServiceClient
from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.atp import read_atp_matches
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.nflverse import NFLVERSE_GAMES_URL, read_nflverse_games
from royaley_pipeline.sources.teams import TeamDirectory

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

TENNIS_SOURCE = "sackmann_atp"
NFLVERSE_SOURCE = "nflverse"
DEFAULT_TENNIS_URL = "https://raw.githubusercontent.com/JeffSackmann/tennis_atp/master/atp_matches_{year}.csv"
SETTINGS = (SourceSetting("nflverse_location", "ROYALEY_NFLVERSE_LOCATION", NFLVERSE_GAMES_URL),
            SourceSetting("tennis_location", "ROYALEY_TENNIS_LOCATION", DEFAULT_TENNIS_URL))  # "{year}" is filled in


@dataclass(frozen=True)
class FileText:
    location: str  # what errors show: the URL (no secrets in these) or the path
    text: str | bytes  # a local file's bytes, decoded (and checked) by the reader

    def buffer(self) -> io.IOBase:
        return io.BytesIO(self.text) if isinstance(self.text, bytes) else io.StringIO(self.text)


class FileClient(ServiceClient):
    """Reads a CSV from a URL (retrying session) or from a local path."""

    def read(self, location: str) -> FileText:
        if urlsplit(location).scheme in ("http", "https"):
            folder, name = location.rsplit("/", 1)
            fetched = self.get(name, base_url=folder)
            if fetched.text.lstrip().startswith("<"):
                raise CollectorError(self.source, fetched.request, None, "expected CSV but got an HTML page")
            return FileText(fetched.request, fetched.text)
        path = Path(location)
        try:
            return FileText(str(path), path.read_bytes())
        except OSError as error:
            raise CollectorError(self.source, str(path), None, f"cannot be read ({error.strerror})") from None


def file_client(collectors: CollectorsResource, source: str) -> FileClient:
    """A file client of ``source`` (``NFLVERSE_SOURCE``, ``TENNIS_SOURCE``) with the resource's retries."""
    return FileClient(source=source, base_url="file:", retry=collectors.retry)


def collect_nflverse(
    location: str = NFLVERSE_GAMES_URL, *, day: date, client: FileClient | None = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """The nflverse games of one day, through the shared file client and the nflverse reader."""
    client = client or FileClient(source=NFLVERSE_SOURCE, base_url="file:")
    text = client.read(location)
    return read_nflverse_games(text.buffer(), start=day, end=day, teams=teams, label=text.location)


def collect_tennis(location: str, *, day: date, client: FileClient | None = None) -> SourceBatch:
    """Sackmann-format matches estimated to be played on ``day`` (ATP files)."""
    client = client or FileClient(source=TENNIS_SOURCE, base_url="file:")
    text = client.read(location.format(year=day.year))
    return read_atp_matches(text.buffer(), start=day, end=day, label=text.location)
