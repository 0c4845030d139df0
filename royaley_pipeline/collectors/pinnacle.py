"""Pinnacle's Lines API: the sharp book's spread, moneyline and total as snapshots.

HTTP Basic authentication with the account's user name and password. ``GET /v1/fixtures``
lists non-settled events (``league[].events[]``: ``id``, ``starts``, ``home``, ``away``,
``parentId`` for live copies); ``GET /v2/odds?oddsFormat=American`` gives per event ``periods``
whose number 0 is the full game, with ``spreads`` (``hdp`` is the HOME handicap), ``moneyline``
and ``totals`` (``points``, ``over``, ``under``); alternate lines carry ``altLineId`` and are skipped.
Pinnacle's low-margin, high-limit prices are the market's reference, so its book is ``pinnacle``
and ``SHARP_REFERENCE_BOOK`` names it for consumers that want the sharp line.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from royaley_pipeline.collectors.common import EVENT_ODDS_COLUMNS, frame_of, slate_date
from royaley_pipeline.collectors.http import Fetched, ServiceClient
from royaley_pipeline.collectors.payloads import Payload, fail, resolve_team, validate
from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import get_sport

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

SOURCE = "pinnacle"
SHARP_REFERENCE_BOOK = "pinnacle"
DEFAULT_BASE_URL = "https://api.pinnacle.com"
SETTINGS = (SourceSetting("pinnacle_base_url", "ROYALEY_PINNACLE_BASE_URL", DEFAULT_BASE_URL),
            SourceSetting("pinnacle_username", "PINNACLE_USERNAME", secret=True),
            SourceSetting("pinnacle_password", "PINNACLE_PASSWORD", secret=True))
FULL_GAME = 0


class PinnacleClient(ServiceClient):
    def __init__(self, username: str, password: str, base_url: str = DEFAULT_BASE_URL, **options) -> None:
        if not username or not password:
            raise ValueError("Pinnacle needs credentials: set PINNACLE_USERNAME and PINNACLE_PASSWORD")
        super().__init__(
            source=SOURCE, base_url=base_url, secrets=(password,), auth=(username, password), **options
        )

    def fetch_fixtures(self, sport: str) -> Fetched:
        sport_id, league_id = _league(sport)
        return self.get("v1/fixtures", {"sportId": sport_id, "leagueIds": league_id})

    def fetch_odds(self, sport: str) -> Fetched:
        sport_id, league_id = _league(sport)
        return self.get("v2/odds", {"sportId": sport_id, "leagueIds": league_id, "oddsFormat": "American"})


def _league(sport: str) -> tuple[str, str]:
    """Pinnacle's ``sportId/leagueId`` of a sport, as the registry declares it (Football/NFL is 15/889)."""
    sport_id, league_id = get_sport(sport).league(SOURCE).split("/")
    return sport_id, league_id


def client(collectors: CollectorsResource) -> PinnacleClient | None:
    """None unless both credentials are set (the source is skipped)."""
    username, password = collectors.value("pinnacle_username"), collectors.value("pinnacle_password")
    if not username or not password:
        return None
    return PinnacleClient(username, password, collectors.value("pinnacle_base_url"), retry=collectors.retry)


class _Fixture(Payload):
    id: int
    starts: datetime
    home: str
    away: str
    parentId: int | None = None


class _FixtureLeague(Payload):
    id: int
    events: list[_Fixture]


class _Fixtures(Payload):
    league: list[_FixtureLeague]


class _Spread(Payload):
    altLineId: int | None = None
    hdp: float
    home: float
    away: float


class _Moneyline(Payload):
    home: float
    away: float


class _Total(Payload):
    altLineId: int | None = None
    points: float
    over: float
    under: float


class _Period(Payload):
    number: int
    spreads: list[_Spread] = []
    moneyline: _Moneyline | None = None
    totals: list[_Total] = []
    spreadUpdatedAt: datetime | None = None
    moneylineUpdatedAt: datetime | None = None
    totalUpdatedAt: datetime | None = None


class _OddsEvent(Payload):
    id: int
    periods: list[_Period] = []


class _OddsLeague(Payload):
    id: int
    events: list[_OddsEvent]


class _Odds(Payload):
    leagues: list[_OddsLeague]


def parse_pinnacle(
    fixtures: Fetched, odds: Fetched, sport: str, day: date, teams: TeamDirectory
) -> pd.DataFrame:
    """Full-game main lines of the day's pre-game fixtures, one snapshot row per market side."""
    board = validate(_Fixtures, fixtures.json(expect_type=dict), fixtures)
    prices = validate(_Odds, odds.json(expect_type=dict), odds)
    events: dict[int, dict] = {}
    for li, league in enumerate(board.league):
        for ei, fixture in enumerate(league.events):
            if fixture.parentId is not None or slate_date(fixture.starts) != day:
                continue  # live copies of a pre-game event, or another day
            if fixture.id in events:
                raise fail(fixtures, f"league.{li}.events.{ei}.id", f"event {fixture.id} appears twice")
            codes = {side: resolve_team(fixtures, teams, sport, getattr(fixture, side), f"league.{li}.events.{ei}.{side}")
                     for side in ("home", "away")}
            events[fixture.id] = {"fixture": fixture, **codes}
    rows = []
    for league in prices.leagues:
        for event in league.events:
            if event.id not in events:
                continue
            known = events[event.id]
            for period in event.periods:
                if period.number != FULL_GAME:
                    continue
                rows += _period_rows(sport, known, period, odds.received_at)
    return frame_of(rows, EVENT_ODDS_COLUMNS)


def _period_rows(sport: str, known: dict, period: _Period, received_at: datetime) -> list[dict]:
    fixture = known["fixture"]
    base = {
        "sport": sport,
        "event_id": str(fixture.id),
        "home_team": known["home"],
        "away_team": known["away"],
        "commence_time": fixture.starts,
        "book": SHARP_REFERENCE_BOOK,
        "source": SOURCE,
    }
    rows = []
    spread = next((s for s in period.spreads if s.altLineId is None), None)
    if spread is not None:
        at = period.spreadUpdatedAt or received_at
        rows.append({**base, "market": "spread", "side": "home", "line": spread.hdp + 0.0,
                     "price": spread.home, "captured_at": at})
        rows.append({**base, "market": "spread", "side": "away", "line": -spread.hdp + 0.0,
                     "price": spread.away, "captured_at": at})
    if period.moneyline is not None:
        at = period.moneylineUpdatedAt or received_at
        for side in ("home", "away"):
            rows.append({**base, "market": "moneyline", "side": side, "line": float("nan"),
                         "price": getattr(period.moneyline, side), "captured_at": at})
    total = next((t for t in period.totals if t.altLineId is None), None)
    if total is not None:
        at = period.totalUpdatedAt or received_at
        for side in ("over", "under"):
            rows.append({**base, "market": "total", "side": side, "line": total.points,
                         "price": getattr(total, side), "captured_at": at})
    return rows
