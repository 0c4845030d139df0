"""The replay service: ESPN, The Odds API v4, Open-Meteo and the nflverse file on one loopback port.

A FastAPI app answers each service's documented paths under its own prefix, so the collectors
reach it through their ordinary base-URL settings (``replay_environment``) and parse it with the
very parsers they use against the real services. What it answers depends on a simulated clock
the replay driver moves; answers are serialised deterministically (fixed key order, no timings),
so the same clock and requests give the same bytes.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import uvicorn
from fastapi import FastAPI, Query, Request, Response

from royaley_pipeline.collectors import espn, odds_api
from royaley_pipeline.collectors.open_meteo import ARCHIVE_VARIABLES, FORECAST_VARIABLES
from royaley_pipeline.replay import feeds
from royaley_pipeline.replay.history import REPLAY_SPORTS, ReplayHistory
from royaley_pipeline.sports import get_sport

SPORT_OF_LEAGUE = {get_sport(sport).league(espn.SOURCE): sport for sport in REPLAY_SPORTS}
SPORT_OF_ODDS_KEY = {get_sport(sport).league(odds_api.SOURCE): sport for sport in REPLAY_SPORTS}
REPLAY_ODDS_API_KEY = "replay"  # what the replay's collectors send; the service accepts any non-empty key


class ReplayClock:
    """The replay's "now" (UTC), read by every answer and moved by the replay driver."""

    def __init__(self, now: datetime | pd.Timestamp) -> None:
        self._lock = threading.Lock()
        self._now = _utc(now)

    def now(self) -> pd.Timestamp:
        with self._lock:
            return self._now

    def set(self, now: datetime | pd.Timestamp) -> None:
        with self._lock:
            self._now = _utc(now)


def _utc(moment) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@dataclass
class OddsQuota:
    """The usage counters The Odds API reports in its headers (a paid plan's monthly credits)."""

    limit: int = 20_000
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, cost: int) -> dict[str, str]:
        with self.lock:
            self.used += cost
            return {"x-requests-remaining": str(self.limit - self.used), "x-requests-used": str(self.used),
                    "x-requests-last": str(cost)}


def _json(payload, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def build_app(histories: dict[str, ReplayHistory], clock: ReplayClock, quota: OddsQuota | None = None) -> FastAPI:
    """The replay service for the given sports' histories."""
    quota = quota or OddsQuota()
    every_sport = _merged(histories)
    app = FastAPI(title="Royaley replay service", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/replay/clock")
    def replay_clock():
        return _json({"now": feeds.iso(clock.now())})

    @app.get("/espn/{group}/{league}/scoreboard")
    def espn_scoreboard(group: str, league: str, dates: str = Query(...)):
        sport = SPORT_OF_LEAGUE.get(f"{group}/{league}")
        if sport not in histories:
            return _json({"code": 404, "message": f"no such league {group}/{league}"}, 404)
        try:
            day, _, through = dates.partition("-")
            first = datetime.strptime(day, "%Y%m%d").date()
            last = datetime.strptime(through, "%Y%m%d").date() if through else first
        except ValueError:
            return _json({"code": 400, "message": f"dates must be YYYYMMDD or YYYYMMDD-YYYYMMDD, got {dates!r}"}, 400)
        if last < first:
            return _json({"code": 400, "message": f"dates {dates!r} end before they start"}, 400)
        return _json(feeds.espn_scoreboard(histories[sport], sport, first, clock.now(), last))

    @app.get("/espn/{group}/{league}/summary")
    def espn_summary(group: str, league: str, event: str = Query(...)):
        sport = SPORT_OF_LEAGUE.get(f"{group}/{league}")
        summary = feeds.espn_summary(histories[sport], sport, event, clock.now()) if sport in histories else None
        if summary is None:
            return _json({"code": 404, "message": f"no event {event}"}, 404)
        return _json(summary)

    def odds_api_sport(sport_key: str, api_key: str | None):
        if not api_key:
            return None, _json({"message": "API key is missing. Pass apiKey as a query parameter."}, 401)
        sport = SPORT_OF_ODDS_KEY.get(sport_key)
        if sport not in histories:
            return None, _json({"message": f"Unknown sport {sport_key}"}, 404)
        return sport, None

    @app.get("/odds-api/v4/sports/{sport_key}/odds")
    def odds(sport_key: str, apiKey: str | None = None, regions: str = "us",  # noqa: N803 (the API's names)
             markets: str = "h2h", commenceTimeFrom: str | None = None,  # noqa: N803
             commenceTimeTo: str | None = None, oddsFormat: str = "decimal"):  # noqa: N803
        sport, error = odds_api_sport(sport_key, apiKey)
        if error:
            return error
        if oddsFormat != "american":
            return _json({"message": "the replay serves oddsFormat=american only"}, 422)
        wanted = [market.strip() for market in markets.split(",") if market.strip()]
        bounds = [pd.Timestamp(value) if value else None for value in (commenceTimeFrom, commenceTimeTo)]
        events = feeds.odds_events(histories[sport], sport, clock.now(), wanted, *bounds)
        cost = len(wanted) * len([region for region in regions.split(",") if region.strip()])
        return _json(events, headers=quota.charge(cost))

    @app.get("/odds-api/v4/sports/{sport_key}/scores")
    def scores(sport_key: str, apiKey: str | None = None, daysFrom: int | None = None):  # noqa: N803
        sport, error = odds_api_sport(sport_key, apiKey)
        if error:
            return error
        if daysFrom is not None and not 1 <= daysFrom <= 3:
            return _json({"message": "daysFrom must be between 1 and 3"}, 422)
        events = feeds.score_events(histories[sport], sport, clock.now(), daysFrom)
        return _json(events, headers=quota.charge(1 if daysFrom is None else 2))

    def weather(request: Request, archive: bool) -> Response:
        params = request.query_params
        try:
            latitude, longitude = float(params["latitude"]), float(params["longitude"])
            start = date.fromisoformat(params["start_date"])
            end = date.fromisoformat(params["end_date"])
        except (KeyError, ValueError) as problem:
            return _json({"error": True, "reason": f"Cannot initialize request: {problem}"}, 400)
        allowed = ARCHIVE_VARIABLES if archive else FORECAST_VARIABLES
        variables = [name for name in params.get("hourly", "").split(",") if name]
        unknown = [name for name in variables if name not in allowed]
        if unknown or end < start:
            reason = f"unknown hourly variable {unknown[0]}" if unknown else "end_date is before start_date"
            return _json({"error": True, "reason": reason}, 400)
        payload = feeds.open_meteo_hourly(
            every_sport, latitude, longitude, start, end, variables, clock.now(), archive=archive
        )
        return _json(payload)

    @app.get("/open-meteo/v1/forecast")
    def forecast(request: Request):
        return weather(request, archive=False)

    @app.get("/open-meteo-archive/v1/archive")
    def archive(request: Request):
        return weather(request, archive=True)

    @app.get("/nflverse/games.csv")
    def nflverse_games():
        history = histories.get("NFL")
        if history is None:
            return _json({"message": "the replay has no NFL history"}, 404)
        return Response(feeds.nflverse_csv(history, clock.now()).encode(), media_type="text/csv")

    return app


def _merged(histories: dict[str, ReplayHistory]) -> ReplayHistory:
    """Weather is by venue, not by sport: one history with every sport's games and observations."""
    if len(histories) == 1:
        return next(iter(histories.values()))
    parts = list(histories.values())

    def stacked(table: str) -> pd.DataFrame:
        frames = [getattr(part, table) for part in parts if not getattr(part, table).empty]
        return pd.concat(frames, ignore_index=True) if frames else getattr(parts[0], table)

    return ReplayHistory(games=stacked("games"), snapshots=stacked("snapshots"), weather=stacked("weather"),
                         nflverse_rows=pd.DataFrame())


def replay_environment(base_url: str) -> dict[str, str]:
    """The collectors' settings that point every replayed service at the replay (see
    ``collectors.settings.ENVIRONMENT_DEFAULTS``), and a key for The Odds API. Pinnacle and
    TheSportsDB are not replayed: their credentials are cleared so they are skipped."""
    return {
        "ROYALEY_ESPN_BASE_URL": f"{base_url}/espn",
        "ROYALEY_ODDS_API_BASE_URL": f"{base_url}/odds-api",
        "ROYALEY_OPEN_METEO_FORECAST_URL": f"{base_url}/open-meteo",
        "ROYALEY_OPEN_METEO_ARCHIVE_URL": f"{base_url}/open-meteo-archive",
        "ROYALEY_NFLVERSE_LOCATION": f"{base_url}/nflverse/games.csv",
        "ODDS_API_KEY": REPLAY_ODDS_API_KEY,
        "PINNACLE_USERNAME": "",
        "PINNACLE_PASSWORD": "",
        "THESPORTSDB_API_KEY": "",
    }


class ReplayServer:
    """The app under uvicorn on a free loopback port, in a background thread (a context manager)."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="royaley-replay-service", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the replay service did not start")
            self._thread.join(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
