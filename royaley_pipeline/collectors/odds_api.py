"""The Odds API v4: spreads, moneylines (``h2h``) and totals per bookmaker, as timestamped snapshots.

``GET /v4/sports/{sport}/odds?apiKey=…&regions=us&markets=h2h,spreads,totals&oddsFormat=american``
returns events (``id``, ``commence_time``, ``home_team``, ``away_team``) with ``bookmakers``, each
with ``last_update`` and ``markets`` of ``outcomes`` (``name``, ``price``, ``point`` for spreads and
totals). Every answer carries ``x-requests-remaining`` / ``x-requests-used`` / ``x-requests-last``;
the client records them and refuses to call again once the remainder would fall below its reserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from royaley_pipeline.collectors.common import EVENT_ODDS_COLUMNS, frame_of, iso_utc, slate_window
from royaley_pipeline.collectors.errors import QuotaExhaustedError
from royaley_pipeline.collectors.http import Fetched, ServiceClient
from royaley_pipeline.collectors.payloads import Payload, fail, resolve_team, validate
from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import get_sport

if TYPE_CHECKING:
    from royaley_pipeline.collectors.settings import CollectorsResource

SOURCE = "the_odds_api"
DEFAULT_BASE_URL = "https://api.the-odds-api.com"
SETTINGS = (SourceSetting("odds_api_base_url", "ROYALEY_ODDS_API_BASE_URL", DEFAULT_BASE_URL),
            SourceSetting("odds_api_key", "ODDS_API_KEY", secret=True),
            SourceSetting("odds_api_regions", default="us"),
            SourceSetting("odds_api_quota_reserve", default="10"))
MARKETS = {"h2h": "moneyline", "spreads": "spread", "totals": "total"}


@dataclass(frozen=True)
class Quota:
    """The usage headers of the last answer (None where the service sent none)."""

    remaining: int | None
    used: int | None
    last_cost: int | None


class OddsApiClient(ServiceClient):
    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        regions: str = "us",
        quota_reserve: int = 10,
        known_remaining: int | None = None,
        **options,
    ) -> None:
        if not api_key:
            raise ValueError("The Odds API needs a key: set ODDS_API_KEY")
        super().__init__(source=SOURCE, base_url=base_url, secrets=(api_key,), **options)
        self._api_key = api_key
        self.regions = regions
        self.quota_reserve = quota_reserve
        self.quota = Quota(known_remaining, None, None)

    def request_cost(self) -> int:
        """Quota units one odds call costs: markets × regions (documented pricing)."""
        return len(MARKETS) * len(self.regions.split(","))

    def fetch_odds(self, sport: str, day: date, lookahead: int = 0) -> Fetched:
        """Events starting on ``day`` or the ``lookahead`` days after it: one call, one price."""
        start, end = slate_window(day, lookahead)
        path = f"v4/sports/{get_sport(sport).league(SOURCE)}/odds"
        params = {
            "regions": self.regions,
            "markets": ",".join(MARKETS),
            "oddsFormat": "american",
            "dateFormat": "iso",
            "commenceTimeFrom": iso_utc(start),
            "commenceTimeTo": iso_utc(end),
        }
        remaining = self.quota.remaining
        if remaining is not None and remaining - self.request_cost() < self.quota_reserve:
            raise QuotaExhaustedError(
                SOURCE,
                self.describe(path, params),
                "x-requests-remaining",
                f"{remaining} request(s) left, a call costs {self.request_cost()} and "
                f"{self.quota_reserve} are kept in reserve: not calling",
            )
        fetched = self.get(path, params, secret_params={"apiKey": self._api_key})
        self.quota = Quota(
            _header_int(fetched, "x-requests-remaining"),
            _header_int(fetched, "x-requests-used"),
            _header_int(fetched, "x-requests-last"),
        )
        return fetched


def _header_int(fetched: Fetched, name: str) -> int | None:
    value = fetched.headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        raise fail(fetched, name, f"header {value!r} is not a number") from None


def client(collectors: CollectorsResource, known_remaining: int | None = None) -> OddsApiClient | None:
    """None when no key is set (the source is skipped)."""
    key = collectors.value("odds_api_key")
    if not key:
        return None
    return OddsApiClient(key, collectors.value("odds_api_base_url"), regions=collectors.value("odds_api_regions"),
                         quota_reserve=int(collectors.value("odds_api_quota_reserve")),
                         known_remaining=known_remaining, retry=collectors.retry)


class _Outcome(Payload):
    name: str
    price: float
    point: float | None = None


class _Market(Payload):
    key: str
    last_update: datetime | None = None
    outcomes: list[_Outcome]


class _Bookmaker(Payload):
    key: str
    title: str | None = None
    last_update: datetime
    markets: list[_Market]


class _Event(Payload):
    id: str
    sport_key: str
    commence_time: datetime
    home_team: str
    away_team: str
    bookmakers: list[_Bookmaker] = []


class _EventList(Payload):
    events: list[_Event]


def parse_odds(fetched: Fetched, sport: str, teams: TeamDirectory) -> pd.DataFrame:
    """One snapshot row per event, bookmaker, market and side, captured at the book's update time."""
    events = validate(_EventList, {"events": fetched.json(expect_type=list)}, fetched).events
    rows, seen = [], set()
    for e, event in enumerate(events):
        if event.id in seen:
            raise fail(fetched, f"events.{e}.id", f"event {event.id} appears twice")
        seen.add(event.id)
        codes = {side: resolve_team(fetched, teams, sport, getattr(event, f"{side}_team"), f"{e}.{side}_team")
                 for side in ("home", "away")}
        names = {event.home_team: "home", event.away_team: "away"}
        for b, book in enumerate(event.bookmakers):
            for m, market in enumerate(book.markets):
                if market.key not in MARKETS:
                    continue
                kind = MARKETS[market.key]
                for o, outcome in enumerate(market.outcomes):
                    where = f"{e}.bookmakers.{b}.markets.{m}.outcomes.{o}"
                    if kind == "total":
                        side = {"Over": "over", "Under": "under"}.get(outcome.name)
                    else:
                        side = names.get(outcome.name)
                    if side is None:
                        raise fail(fetched, f"{where}.name", f"{outcome.name!r} is neither side of {kind}")
                    if kind != "moneyline" and outcome.point is None:
                        raise fail(fetched, f"{where}.point", "missing for a line market")
                    rows.append(
                        {
                            "sport": sport,
                            "event_id": event.id,
                            "home_team": codes["home"],
                            "away_team": codes["away"],
                            "commence_time": event.commence_time,
                            "book": book.key,
                            "market": kind,
                            "side": side,
                            "line": outcome.point if kind != "moneyline" else float("nan"),
                            "price": outcome.price,
                            "captured_at": market.last_update or book.last_update,
                            "source": SOURCE,
                        }
                    )
    return frame_of(rows, EVENT_ODDS_COLUMNS)
