"""What each replayed service answers at a given moment of the replay's clock.

Every function takes the replay's history and the clock's ``now`` and returns the payload a
service documents (ESPN scoreboard and summary, The Odds API v4 odds and scores, Open-Meteo
forecast and archive, the nflverse games file), knowing only what was known at ``now``: a game's
score once it has ended, an odds snapshot once it was captured, no odds once a game has begun.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from royaley_pipeline.collectors import espn, odds_api
from royaley_pipeline.collectors.odds_api import MARKETS
from royaley_pipeline.replay.history import GAME_LENGTH, ReplayHistory
from royaley_pipeline.sports import get_sport

BOOKMAKER = {"key": "royaley_replay", "title": "Royaley replay (bundled history)"}
ODDS_MARKET_KEYS = {market: key for key, market in MARKETS.items()}  # moneyline → h2h, …
SPORT_TITLES = {"NFL": "NFL", "NBA": "NBA"}
STATUS = {
    "pre": ("1", "STATUS_SCHEDULED", "Scheduled"),
    "in": ("2", "STATUS_IN_PROGRESS", "In Progress"),
    "post": ("3", "STATUS_FINAL", "Final"),
}
# nflverse columns that are known only once a game is over, and lines known only at its close.
NFLVERSE_RESULT_COLUMNS = ("away_score", "home_score", "result", "total", "overtime")
NFLVERSE_LINE_COLUMNS = ("away_moneyline", "home_moneyline", "spread_line", "away_spread_odds",
                         "home_spread_odds", "total_line", "under_odds", "over_odds")
NFLVERSE_WEATHER_COLUMNS = ("temp", "wind")


def iso(moment: pd.Timestamp) -> str:
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(game, now: pd.Timestamp) -> str:
    if now >= game.end_time:
        return "post"
    return "in" if now >= game.start_time else "pre"


def _score(value: float) -> str:
    return str(int(value))


# --- ESPN -------------------------------------------------------------------------------------------

def espn_scoreboard(history: ReplayHistory, sport: str, day: date, now: pd.Timestamp,
                    through: date | None = None) -> dict:
    """``/{league}/scoreboard?dates=YYYYMMDD[-YYYYMMDD]``: the slate of ``day`` (to ``through``) with
    each game's state at ``now`` (a game not yet over is scheduled, without a score)."""
    last = through or day
    games = history.games[(history.games["sport"] == sport) & history.games["game_date"].between(day, last)]
    events = [_espn_event(game, now) for game in games.itertuples(index=False)]
    league = get_sport(sport).league(espn.SOURCE)
    return {"leagues": [{"abbreviation": sport, "slug": league.split("/")[1]}], "day": {"date": day.isoformat()},
            "events": events}


def _espn_event(game, now: pd.Timestamp) -> dict:
    state = _state(game, now)
    status_id, name, description = STATUS[state]
    competitors = []
    for side in ("home", "away"):
        competitor = {
            "id": getattr(game, f"{side}_team"),
            "homeAway": side,
            "team": {"abbreviation": getattr(game, f"{side}_team"), "displayName": getattr(game, f"{side}_name")},
        }
        if state == "post":
            competitor["score"] = _score(getattr(game, f"{side}_score"))
        elif state == "pre":
            competitor["score"] = "0"
        competitors.append(competitor)
    competition = {
        "id": game.espn_id,
        "date": iso(game.start_time),
        "neutralSite": bool(game.neutral_site),
        "competitors": competitors,
        "status": {"type": {"id": status_id, "name": name, "state": state, "completed": state == "post",
                            "description": description}},
    }
    if isinstance(game.venue, str) and game.venue:
        competition["venue"] = {"fullName": game.venue, "indoor": bool(game.indoor)}
    event = {
        "id": game.espn_id,
        "date": iso(game.start_time),
        "name": f"{game.away_name} at {game.home_name}",
        "shortName": f"{game.away_team} @ {game.home_team}",
        "season": {"year": int(game.season), "type": int(game.season_type)},
        "competitions": [competition],
    }
    if not pd.isna(game.week):
        event["week"] = {"number": int(game.week)}
    return event


def espn_summary(history: ReplayHistory, sport: str, event_id: str, now: pd.Timestamp) -> dict | None:
    """``/{league}/summary?event=ID``: the event's header; the history has no injury reports, so the
    ``injuries`` list is empty (as ESPN's is for a team with none). None for an unknown event."""
    games = history.games[(history.games["sport"] == sport) & (history.games["espn_id"] == event_id)]
    if games.empty:
        return None
    event = _espn_event(next(games.itertuples(index=False)), now)
    return {"header": {"id": event["id"], "competitions": event["competitions"], "season": event["season"]},
            "injuries": []}


# --- The Odds API -----------------------------------------------------------------------------------

def odds_events(
    history: ReplayHistory, sport: str, now: pd.Timestamp, markets: list[str],
    commence_from: pd.Timestamp | None = None, commence_to: pd.Timestamp | None = None,
) -> list[dict]:
    """``/v4/sports/{sport}/odds``: games not yet begun, each with the book's latest snapshot at ``now``
    of the requested markets (``h2h``, ``spreads``, ``totals``); games whose odds have not opened are
    not listed."""
    games = history.games[(history.games["sport"] == sport) & (history.games["start_time"] > now)]
    if commence_from is not None:
        games = games[games["start_time"] >= commence_from]
    if commence_to is not None:
        games = games[games["start_time"] <= commence_to]
    wanted = {MARKETS[key] for key in markets if key in MARKETS}
    seen = history.snapshots[(history.snapshots["captured_at"] <= now) & history.snapshots["market"].isin(wanted)]
    current = seen.groupby(["game_key", "market", "side"], sort=False).tail(1)
    by_game = {key: frame for key, frame in current.groupby("game_key", sort=False)}
    events = []
    for game in games.itertuples(index=False):
        snapshots = by_game.get(game.game_key)
        if snapshots is None:
            continue
        markets_out = []
        for market in ("moneyline", "spread", "total"):
            sides = snapshots[snapshots["market"] == market]
            if sides.empty or market not in wanted:
                continue
            markets_out.append({
                "key": ODDS_MARKET_KEYS[market],
                "last_update": iso(sides["captured_at"].max()),
                "outcomes": [_outcome(game, market, row) for row in sides.sort_values("side").itertuples(index=False)],
            })
        events.append({
            "id": game.odds_id,
            "sport_key": get_sport(sport).league(odds_api.SOURCE),
            "sport_title": SPORT_TITLES[sport],
            "commence_time": iso(game.start_time),
            "home_team": game.home_name,
            "away_team": game.away_name,
            "bookmakers": [{**BOOKMAKER, "last_update": iso(snapshots["captured_at"].max()), "markets": markets_out}],
        })
    return events


def _outcome(game, market: str, row) -> dict:
    if market == "total":
        name = {"over": "Over", "under": "Under"}[row.side]
    else:
        name = game.home_name if row.side == "home" else game.away_name
    outcome = {"name": name, "price": int(row.price)}
    if market != "moneyline":
        outcome["point"] = float(row.line)
    return outcome


def score_events(history: ReplayHistory, sport: str, now: pd.Timestamp, days_from: int | None) -> list[dict]:
    """``/v4/sports/{sport}/scores``: games listed (odds open) and not yet final, plus, with
    ``daysFrom``, games completed in the last ``days_from`` days; scores only for completed games
    (the history has no in-play scores)."""
    games = history.games[history.games["sport"] == sport]
    opened = history.snapshots.groupby("game_key")["captured_at"].min()
    listed = games["game_key"].map(opened) <= now
    upcoming = listed & (games["end_time"] > now)
    completed = games["end_time"] <= now
    if days_from is not None:
        completed &= games["start_time"] >= now - pd.Timedelta(days=days_from)
    else:
        completed &= False
    events = []
    for game in games[upcoming | completed].itertuples(index=False):
        final = now >= game.end_time
        events.append({
            "id": game.odds_id,
            "sport_key": get_sport(sport).league(odds_api.SOURCE),
            "sport_title": SPORT_TITLES[sport],
            "commence_time": iso(game.start_time),
            "completed": final,
            "home_team": game.home_name,
            "away_team": game.away_name,
            "scores": [{"name": game.home_name, "score": _score(game.home_score)},
                       {"name": game.away_name, "score": _score(game.away_score)}] if final else None,
            "last_update": iso(game.end_time) if final else None,
        })
    return events


# --- Open-Meteo -------------------------------------------------------------------------------------

def open_meteo_hourly(
    history: ReplayHistory, latitude: float, longitude: float, start: date, end: date, variables: list[str],
    now: pd.Timestamp, *, archive: bool,
) -> dict:
    """``/v1/forecast`` or ``/v1/archive``: hourly values at a venue from ``start`` to ``end`` (UTC days).

    The history knows kick-off weather only, so every hour of a game's day carries its kick-off
    values (a perfect forecast: the replay serves what happened); days without a game at the venue
    are null. The archive holds only hours already past by the clock; precipitation probability is
    not in the history and is null.
    """
    hours = pd.date_range(pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC") + pd.Timedelta(hours=23),
                          freq="h")
    weather = history.weather[
        (history.weather["latitude"].round(4) == round(latitude, 4))
        & (history.weather["longitude"].round(4) == round(longitude, 4))
    ]
    by_day = {}
    starts = history.games.set_index("game_key")["start_time"]
    for row in weather.itertuples(index=False):
        by_day[starts[row.game_key].date()] = row
    series: dict[str, list] = {name: [] for name in variables}
    for hour in hours:
        row = by_day.get(hour.date())
        known = row is not None and (not archive or hour <= now)
        for name in variables:
            value = None
            if known and name == "temperature_2m":
                value = round(float(row.temperature_f), 1)
            elif known and name == "wind_speed_10m":
                value = round(float(row.wind_mph), 1)
            series[name].append(value)
    units = {"temperature_2m": "°F", "wind_speed_10m": "mp/h", "precipitation_probability": "%"}
    return {
        "latitude": latitude,
        "longitude": longitude,
        "generationtime_ms": 0.0,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 0.0,
        "hourly_units": {"time": "iso8601", **{name: units.get(name, "") for name in variables}},
        "hourly": {"time": [hour.strftime("%Y-%m-%dT%H:%M") for hour in hours], **series},
    }


# --- nflverse games file ----------------------------------------------------------------------------

def nflverse_csv(history: ReplayHistory, now: pd.Timestamp) -> str:
    """The nflverse games file as it stood at ``now``: results of games not yet over are blank, and
    so are the lines and weather of games not yet begun (the file's lines are closing lines; served
    early, a collector would store a line it saw at 04:00 as the close)."""
    rows = history.nflverse_rows.copy()
    if rows.empty:
        return ""
    kickoff = pd.to_datetime(
        rows["gameday"] + " " + rows["gametime"].where(rows["gametime"] != "", "13:00"), format="%Y-%m-%d %H:%M"
    ).dt.tz_localize("America/New_York", nonexistent="shift_forward")
    over = kickoff + GAME_LENGTH["NFL"] <= now
    begun = kickoff <= now
    for column in NFLVERSE_RESULT_COLUMNS:
        rows.loc[~over, column] = ""
    for column in (*NFLVERSE_LINE_COLUMNS, *NFLVERSE_WEATHER_COLUMNS):
        rows.loc[~begun, column] = ""
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
