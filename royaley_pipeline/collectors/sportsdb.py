"""TheSportsDB v1: events of a day for leagues the other sources miss, with venues and teams.

The key is part of the path (``/api/v1/json/{key}/eventsday.php?d=YYYY-MM-DD&l=NFL``), so the
client masks it in every described request. ``events`` is ``null`` on a day without games; every
value is a string (``intHomeScore`` "24") or null; ``strTimestamp`` is the UTC start.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from royaley_pipeline.collectors.common import games_frame, slate_date
from royaley_pipeline.collectors.http import Fetched, ServiceClient
from royaley_pipeline.collectors.payloads import Payload, fail, resolve_team, validate
from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import get_sport

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

SOURCE = "thesportsdb"
DEFAULT_BASE_URL = "https://www.thesportsdb.com/api/v1/json"
SETTINGS = (SourceSetting("sportsdb_base_url", "ROYALEY_SPORTSDB_BASE_URL", DEFAULT_BASE_URL),
            SourceSetting("sportsdb_api_key", "THESPORTSDB_API_KEY", secret=True))
FINISHED = {"Match Finished", "FT", "AOT", "AET"}


class SportsDbClient(ServiceClient):
    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, **options) -> None:
        if not api_key:
            raise ValueError("TheSportsDB needs a key: set THESPORTSDB_API_KEY")
        super().__init__(source=SOURCE, base_url=base_url, secrets=(api_key,), **options)
        self._api_key = api_key

    def fetch_events_day(self, sport: str, day: date) -> Fetched:
        return self.get(f"{self._api_key}/eventsday.php", {"d": day.isoformat(), "l": get_sport(sport).league(SOURCE)})


def client(collectors: CollectorsResource) -> SportsDbClient | None:
    """None when no key is set (the source is skipped)."""
    key = collectors.value("sportsdb_api_key")
    return SportsDbClient(key, collectors.value("sportsdb_base_url"), retry=collectors.retry) if key else None


class _Event(Payload):
    idEvent: str
    strHomeTeam: str
    strAwayTeam: str
    strTimestamp: str
    strSeason: str | None = None
    intHomeScore: str | None = None
    intAwayScore: str | None = None
    strVenue: str | None = None
    strStatus: str | None = None


class _Events(Payload):
    events: list[_Event] | None


def parse_events(fetched: Fetched, sport: str, teams: TeamDirectory) -> pd.DataFrame:
    """The day's events in the games contract (venue names as TheSportsDB spells them)."""
    events = validate(_Events, fetched.json(expect_type=dict), fetched).events or []
    rows, seen = [], set()
    for index, event in enumerate(events):
        if event.idEvent in seen:
            raise fail(fetched, f"events.{index}.idEvent", f"event {event.idEvent} appears twice")
        seen.add(event.idEvent)
        codes = {side: resolve_team(fetched, teams, sport, name, f"events.{index}.str{side.title()}Team")
                 for side, name in (("home", event.strHomeTeam), ("away", event.strAwayTeam))}
        try:
            start = pd.Timestamp(event.strTimestamp).tz_localize("UTC")
        except ValueError:
            raise fail(fetched, f"events.{index}.strTimestamp", f"{event.strTimestamp!r} is not a time") from None
        final = event.strStatus in FINISHED and event.intHomeScore is not None and event.intAwayScore is not None
        scores = {}
        for side, text in (("home", event.intHomeScore), ("away", event.intAwayScore)):
            try:
                scores[side] = float(text) if final else np.nan
            except ValueError:
                raise fail(fetched, f"events.{index}.int{side.title()}Score", f"{text!r} is not a score") from None
        rows.append(
            {
                "sport": sport,
                "source": SOURCE,
                "source_game_id": event.idEvent,
                "season": get_sport(sport).season_of(start.year, start.month),
                "week": None,
                "game_type": "REG",
                "game_date": pd.Timestamp(slate_date(start)),
                "start_time": start,
                "start_time_estimated": False,
                "home_team": codes["home"],
                "away_team": codes["away"],
                "neutral_site": False,
                "status": "final" if final else "scheduled",
                "home_score": scores["home"],
                "away_score": scores["away"],
                "venue": event.strVenue or None,
                "roof": None,
                "surface": None,
            }
        )
    return games_frame(rows)
