"""The replay's world: the games, odds paths and kick-off weather of a past stretch, from the
bundled history, in the shape the replayed services serve them.

NFL comes from the nflverse games file (scores, kick-off times, venues, closing lines, weather)
with nfelo's opening spreads and totals where the nfelo file is configured; NBA from the NBA
lines file (closing lines only, tip-off 19:30 US Eastern as that reader assumes). Each game's odds
become the snapshot path of ``domain.odds_path``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from royaley_pipeline.config import Settings
from royaley_pipeline.domain.odds import fill_standard_price
from royaley_pipeline.domain.odds_path import snapshot_path
from royaley_pipeline.sources.catalog import default_source_locations
from royaley_pipeline.sources.nba_lines import read_nba_lines
from royaley_pipeline.sources.nfelo import read_nfelo_lines
from royaley_pipeline.sources.nflverse import read_nflverse_games
from royaley_pipeline.sources.teams import load_reference_teams
from royaley_pipeline.sources.venues import INDOOR_ROOFS, VenueDirectory, load_reference_venues

REPLAY_SPORTS = ("NFL", "NBA")
# How long after kick-off a game is over by the replay's clock (regulation, breaks and overtime
# with room to spare): scores are served only from then on.
GAME_LENGTH = {"NFL": pd.Timedelta(hours=3, minutes=30), "NBA": pd.Timedelta(hours=2, minutes=45)}
LISTING_MARGIN = pd.Timedelta(days=7)  # games this far beyond the stretch are loaded (their odds open early)


@dataclass(frozen=True)
class HistoryFiles:
    """Where the replay reads its history; ``nfelo`` None = closing lines only."""

    nflverse_games: Path
    nba_lines: Path
    nfelo: Path | None


@dataclass(frozen=True)
class ReplayHistory:
    """``games``: one row per game (``game_key``, ``sport``, ``espn_id``, ``odds_id``, ``start_time``, ``end_time``,
    ``game_date`` (slate date, US Eastern), ``season``, ``season_type`` (ESPN's 2 regular / 3 post),
    ``week``, teams (codes and full names), scores, ``venue``, ``indoor``, ``neutral_site``).
    ``snapshots``: the odds path per ``game_key``, ``market``, ``side``. ``weather``: kick-off
    temperature and wind per ``game_key`` with the venue's coordinates (outdoor games with known
    coordinates only). ``nflverse_rows``: the nflverse file's own rows (text), for the file feed."""

    games: pd.DataFrame
    snapshots: pd.DataFrame
    weather: pd.DataFrame
    nflverse_rows: pd.DataFrame


def load_replay_history(files: HistoryFiles, sport: str, start: date, end: date) -> ReplayHistory:
    """The games of ``sport`` between ``start`` and ``end`` (slate dates) plus a week beyond ``end``."""
    if sport not in REPLAY_SPORTS:
        raise ValueError(f"the replay serves {', '.join(REPLAY_SPORTS)}, not {sport}")
    read_end = pd.Timestamp(end) + LISTING_MARGIN
    if sport == "NFL":
        games, points, weather, rows = _nfl(files, pd.Timestamp(start), read_end)
    else:
        games, points, weather, rows = _nba(files, pd.Timestamp(start), read_end)
    starts = games.set_index("game_key")["start_time"]
    snapshots = snapshot_path(points, starts)
    return ReplayHistory(games=games.reset_index(drop=True), snapshots=snapshots, weather=weather, nflverse_rows=rows)


def _nfl(files: HistoryFiles, start: pd.Timestamp, end: pd.Timestamp):
    history = read_nflverse_games(files.nflverse_games)
    espn_ids = pd.read_csv(files.nflverse_games, usecols=["game_id", "espn"], dtype=str).set_index("game_id")["espn"]
    in_window = (history.games["game_date"] >= start) & (history.games["game_date"] <= end)
    games = history.games[in_window]
    keep = set(games["source_game_id"])
    closers = history.odds[history.odds["source_game_id"].isin(keep)]
    openers = None
    if files.nfelo is not None:
        nfelo = read_nfelo_lines(files.nfelo, history.games, start=start, end=end)
        # nfelo gives an opener and a closer per side: the opener is the earlier capture.
        nfelo = nfelo.sort_values("captured_at", kind="stable")
        openers = nfelo.drop_duplicates(["source_game_id", "market", "side"], keep="first")
    frame = _games_frame("NFL", games)
    by_key = games.set_index("source_game_id")
    frame["espn_id"] = frame["game_key"].map(espn_ids).fillna(frame["game_key"])
    frame["week"] = frame["game_key"].map(by_key["week"]).astype("Int64")
    frame["season_type"] = np.where(frame["game_key"].map(by_key["game_type"]) == "POST", 3, 2)
    frame["venue"] = frame["game_key"].map(by_key["venue"])
    frame["indoor"] = frame["game_key"].map(by_key["roof"]).isin(INDOOR_ROOFS)
    past = history.games["start_time"] < pd.Timestamp(start).tz_localize("America/New_York")
    weather = _nfl_weather(frame, history.weather, history.games[past])
    raw = pd.read_csv(files.nflverse_games, dtype=str, keep_default_na=False)
    return frame, _points(closers, openers), weather, raw


def _nba(files: HistoryFiles, start: pd.Timestamp, end: pd.Timestamp):
    batch = read_nba_lines(files.nba_lines, start=start, end=end)
    frame = _games_frame("NBA", batch.games)
    frame["espn_id"] = [str(int(_event_id("NBA", key)[:8], 16)) for key in frame["game_key"]]
    frame["week"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["season_type"] = np.where(batch.games["game_type"].to_numpy() == "POST", 3, 2)
    names = _team_names("NBA")
    # The file has no arenas; every NBA game is indoors, which is what the weather collector needs.
    frame["venue"] = [f"Home court of the {names[code]}" for code in frame["home_team"]]
    frame["indoor"] = True
    weather = pd.DataFrame(columns=["game_key", "latitude", "longitude", "temperature_f", "wind_mph"])
    return frame, _points(batch.odds, None), weather, pd.DataFrame()


def _games_frame(sport: str, games: pd.DataFrame) -> pd.DataFrame:
    names = _team_names(sport)
    start_time = pd.to_datetime(games["start_time"], utc=True)
    frame = pd.DataFrame(
        {
            "game_key": games["source_game_id"].to_numpy(),
            "sport": sport,
            "start_time": start_time.to_numpy(),
            "end_time": (start_time + GAME_LENGTH[sport]).to_numpy(),
            "game_date": start_time.dt.tz_convert("America/New_York").dt.date.to_numpy(),
            "season": games["season"].astype(int).to_numpy(),
            "home_team": games["home_team"].to_numpy(),
            "away_team": games["away_team"].to_numpy(),
            "home_name": games["home_team"].map(names).to_numpy(),
            "away_name": games["away_team"].map(names).to_numpy(),
            "home_score": games["home_score"].to_numpy(dtype=float),
            "away_score": games["away_score"].to_numpy(dtype=float),
            "neutral_site": games["neutral_site"].astype(bool).to_numpy(),
        }
    )
    frame["start_time"] = pd.to_datetime(frame["start_time"], utc=True)
    frame["end_time"] = pd.to_datetime(frame["end_time"], utc=True)
    frame["odds_id"] = [_event_id(sport, key) for key in frame["game_key"]]
    return frame.sort_values(["start_time", "game_key"], kind="stable").reset_index(drop=True)


def _points(closers: pd.DataFrame, openers: pd.DataFrame | None) -> pd.DataFrame:
    """One row per game, market and side: the closer (the last capture of each side) and the opener."""
    closers = closers.sort_values("captured_at", kind="stable").drop_duplicates(
        ["source_game_id", "market", "side"], keep="last"
    )
    points = closers.rename(columns={"line": "close_line", "price": "close_price"})[
        ["source_game_id", "market", "side", "close_line", "close_price"]
    ]
    if openers is not None and not openers.empty:
        opening = openers.rename(columns={"line": "open_line", "price": "open_price"})[
            ["source_game_id", "market", "side", "open_line", "open_price"]
        ]
        points = points.merge(opening, on=["source_game_id", "market", "side"], how="left")
    else:
        points = points.assign(open_line=np.nan, open_price=np.nan)
    lined = points["market"] != "moneyline"
    # Spread and total prices missing from the history mean the standard −110; a moneyline without
    # a price has nothing to serve.
    points.loc[lined, "close_price"] = fill_standard_price(points.loc[lined, "close_price"])
    has_open_line = lined & points["open_line"].notna()
    points.loc[has_open_line, "open_price"] = fill_standard_price(points.loc[has_open_line, "open_price"])
    points = points[points["close_price"].notna() & (points["close_line"].notna() | ~lined)]
    return points.rename(columns={"source_game_id": "game_key"}).reset_index(drop=True)


def _nfl_weather(games: pd.DataFrame, observations: pd.DataFrame, past_games: pd.DataFrame) -> pd.DataFrame:
    """Kick-off weather of outdoor games at venues with coordinates. Where nflverse has no
    observation, the same venue's median in that calendar month over the games before the stretch
    stands in (the file leaves recent seasons' weather mostly empty)."""
    venues = load_reference_venues().set_index("name")
    directory = VenueDirectory()
    resolved = games["venue"].map(directory.resolve)
    outdoor = games[~games["indoor"] & resolved.notna()].assign(venue_name=resolved)
    if outdoor.empty:
        return pd.DataFrame(columns=["game_key", "latitude", "longitude", "temperature_f", "wind_mph"])
    observed = observations.set_index("source_game_id")
    weather = outdoor[["game_key", "venue_name", "start_time"]].copy()
    weather["temperature_f"] = weather["game_key"].map(observed["temperature_f"])
    weather["wind_mph"] = weather["game_key"].map(observed["wind_mph"])
    weather["latitude"] = weather["venue_name"].map(venues["latitude"]).astype(float)
    weather["longitude"] = weather["venue_name"].map(venues["longitude"]).astype(float)
    weather["month"] = weather["start_time"].dt.month
    normals = _monthly_normals(observations, past_games, directory)
    for column in ("temperature_f", "wind_mph"):
        fallback = pd.Series(list(zip(weather["venue_name"], weather["month"], strict=True)), index=weather.index).map(
            normals[column]
        )
        weather[column] = weather[column].fillna(fallback)
    weather = weather.dropna(subset=["temperature_f", "wind_mph"])
    return weather[["game_key", "latitude", "longitude", "temperature_f", "wind_mph"]].reset_index(drop=True)


def _monthly_normals(observations: pd.DataFrame, games: pd.DataFrame, directory: VenueDirectory) -> pd.DataFrame:
    """Median kick-off temperature and wind per venue and calendar month, from the observations given."""
    venue_of = games.set_index("source_game_id")["venue"].map(directory.resolve)
    observations = observations[observations["source_game_id"].isin(venue_of.index)]
    frame = observations.assign(
        venue_name=observations["source_game_id"].map(venue_of),
        month=pd.to_datetime(observations["observed_at"], utc=True).dt.month,
    ).dropna(subset=["venue_name"])
    normals = frame.groupby(["venue_name", "month"])[["temperature_f", "wind_mph"]].median()
    normals.index = normals.index.to_flat_index()
    return normals


def _team_names(sport: str) -> dict[str, str]:
    teams = load_reference_teams()
    teams = teams[teams["sport"] == sport]
    return dict(zip(teams["code"], teams["name"], strict=True))


def _event_id(sport: str, key: str) -> str:
    """A stable event id (32 hex digits, the shape of The Odds API's ids)."""
    return hashlib.sha1(f"{sport}:{key}".encode()).hexdigest()[:32]


def history_files(settings: Settings) -> HistoryFiles:
    """The bundled files the settings point at, and nfelo where ``ROYALEY_NFELO_PATH`` (or the
    shared data folder) has it."""
    locations = default_source_locations(settings)
    return HistoryFiles(locations["nflverse_games"], locations["nba_lines"], locations["nfelo_games"])
