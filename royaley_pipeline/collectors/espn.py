"""ESPN's public scoreboard and summary JSON: schedule, status, scores, venues and injuries.

No key; the league path (``football/nfl``) is the sport registry's. ``/{sport}/{league}/scoreboard?dates=YYYYMMDD`` lists a day's events
(``dates=YYYYMMDD-YYYYMMDD`` those of a range of days); each event has one
competition with two competitors (``homeAway``), a status (``type.state`` pre/in/post and
``type.completed``) and a venue (``fullName``, ``indoor``). ``/summary?event=ID`` adds
``injuries``: per team, players with a ``status`` such as "Out" or "Questionable".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from royaley_pipeline.collectors.common import INJURY_COLUMNS, frame_of, games_frame, slate_date
from royaley_pipeline.collectors.http import Fetched, ServiceClient
from royaley_pipeline.collectors.payloads import Payload, fail, resolve_team, validate
from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import get_sport

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

SOURCE = "espn"
DEFAULT_BASE_URL = "https://site.api.espn.com/apis/site/v2/sports"
SETTINGS = (SourceSetting("espn_base_url", "ROYALEY_ESPN_BASE_URL", DEFAULT_BASE_URL),)
SEASON_TYPES = {1: "PRE", 2: "REG", 3: "POST"}


class EspnClient(ServiceClient):
    def __init__(self, base_url: str = DEFAULT_BASE_URL, **options) -> None:
        super().__init__(source=SOURCE, base_url=base_url, **options)

    def fetch_scoreboard(self, sport: str, day: date, through: date | None = None) -> Fetched:
        """The events of ``day``, or of ``day`` to ``through`` (both included) when it is later."""
        dates = day.strftime("%Y%m%d")
        if through is not None and through > day:
            dates += f"-{through:%Y%m%d}"
        return self.get(f"{get_sport(sport).league(SOURCE)}/scoreboard", {"dates": dates})

    def fetch_summary(self, sport: str, event_id: str) -> Fetched:
        return self.get(f"{get_sport(sport).league(SOURCE)}/summary", {"event": event_id})


def client(collectors: CollectorsResource) -> EspnClient:
    return EspnClient(collectors.value("espn_base_url"), retry=collectors.retry)


class _Address(Payload):
    city: str | None = None
    state: str | None = None


class _Venue(Payload):
    fullName: str
    indoor: bool | None = None
    address: _Address | None = None


class _Team(Payload):
    abbreviation: str
    displayName: str | None = None


class _Competitor(Payload):
    homeAway: Literal["home", "away"]
    team: _Team
    score: str | None = None


class _StatusType(Payload):
    state: Literal["pre", "in", "post"]
    completed: bool
    name: str | None = None


class _Status(Payload):
    type: _StatusType


class _Competition(Payload):
    neutralSite: bool = False
    venue: _Venue | None = None
    competitors: list[_Competitor] = Field(min_length=2, max_length=2)
    status: _Status


class _Season(Payload):
    year: int
    type: int


class _Week(Payload):
    number: int


class _Event(Payload):
    id: str
    date: datetime
    season: _Season
    week: _Week | None = None
    competitions: list[_Competition] = Field(min_length=1)


class _Scoreboard(Payload):
    events: list[_Event]


@dataclass(frozen=True)
class Slate:
    games: pd.DataFrame  # the games contract of sources.frames
    venues: pd.DataFrame  # name, indoor, city, state


def parse_scoreboard(fetched: Fetched, sport: str, teams: TeamDirectory) -> Slate:
    """The day's games in the games contract; unknown teams and duplicate events fail the payload."""
    board = validate(_Scoreboard, fetched.json(expect_type=dict), fetched)
    rows, venues, seen = [], {}, set()
    for index, event in enumerate(board.events):
        if event.id in seen:
            raise fail(fetched, f"events.{index}.id", f"event {event.id} appears twice")
        seen.add(event.id)
        competition = event.competitions[0]
        sides = {competitor.homeAway: competitor for competitor in competition.competitors}
        if set(sides) != {"home", "away"}:
            raise fail(fetched, f"events.{index}.competitions.0.competitors", "needs one home and one away team")
        codes = {side: resolve_team(fetched, teams, sport, competitor.team.abbreviation,
                                    f"events.{index}.{side}.team.abbreviation")
                 for side, competitor in sides.items()}
        final = competition.status.type.completed
        scores = {side: _score(fetched, index, side, sides[side].score) if final else np.nan for side in sides}
        start = pd.Timestamp(event.date).tz_convert("UTC")
        venue = competition.venue
        if venue is not None:
            venues[venue.fullName] = {
                "name": venue.fullName,
                "indoor": venue.indoor,
                "city": venue.address.city if venue.address else None,
                "state": venue.address.state if venue.address else None,
            }
        rows.append(
            {
                "sport": sport,
                "source": SOURCE,
                "source_game_id": event.id,
                "season": event.season.year,
                "week": event.week.number if event.week else None,
                "game_type": SEASON_TYPES.get(event.season.type, "REG"),
                "game_date": pd.Timestamp(slate_date(start)),
                "start_time": start,
                "start_time_estimated": False,
                "home_team": codes["home"],
                "away_team": codes["away"],
                "neutral_site": competition.neutralSite,
                "status": "final" if final else "scheduled",
                "home_score": scores["home"],
                "away_score": scores["away"],
                "venue": venue.fullName if venue else None,
                "roof": None if venue is None or venue.indoor is None else ("dome" if venue.indoor else "outdoors"),
                "surface": None,
            }
        )
    venue_frame = pd.DataFrame(list(venues.values()), columns=["name", "indoor", "city", "state"])
    return Slate(games=games_frame(rows), venues=venue_frame)


def _score(fetched: Fetched, index: int, side: str, text: str | None) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise fail(fetched, f"events.{index}.{side}.score", f"{text!r} is not a score of a final game") from None


class _Position(Payload):
    abbreviation: str | None = None


class _Athlete(Payload):
    displayName: str
    position: _Position | None = None


class _Injury(Payload):
    status: str
    athlete: _Athlete
    date: str | None = None  # when ESPN published this status


def _published_at(injury: _Injury, received_at):
    """When the status became known: ESPN's own report time if it gives one (never later than we
    fetched it), else the fetch time. Features count a report only before kick-off, so the earlier,
    true time keeps a report fetched after the game usable for backfilled features."""
    published = pd.to_datetime(injury.date, utc=True, errors="coerce") if injury.date else pd.NaT
    received = pd.Timestamp(received_at)
    received = received.tz_localize("UTC") if received.tzinfo is None else received
    return received if pd.isna(published) or published > received else published


class _TeamInjuries(Payload):
    team: _Team
    injuries: list[_Injury] = []


class _Summary(Payload):
    injuries: list[_TeamInjuries] = []


def parse_injuries(fetched: Fetched, sport: str, source_game_id: str, teams: TeamDirectory) -> pd.DataFrame:
    """Injury report rows of one event, observed when ESPN published them (or when fetched)."""
    summary = validate(_Summary, fetched.json(expect_type=dict), fetched)
    rows = []
    for index, team_injuries in enumerate(summary.injuries):
        code = resolve_team(fetched, teams, sport, team_injuries.team.abbreviation, f"injuries.{index}.team.abbreviation")
        for injury in team_injuries.injuries:
            position = injury.athlete.position.abbreviation if injury.athlete.position else None
            rows.append(
                {
                    "sport": sport,
                    "source_game_id": source_game_id,
                    "team": code,
                    "player_name": injury.athlete.displayName,
                    "position": position,
                    "status": injury.status,
                    "observed_at": _published_at(injury, fetched.received_at),
                    "source": SOURCE,
                }
            )
    frame = frame_of(rows, INJURY_COLUMNS)
    return frame.drop_duplicates(["team", "player_name"], keep="last").reset_index(drop=True)

