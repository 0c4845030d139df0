"""The normalised frames every source reader returns, whatever the file looked like.

Readers convert at the edge so that storage, features and models see one shape and one sign
convention. A ``SourceBatch`` holds four frames; a source without a kind of data returns an
empty frame with the right columns and dtypes, never ``None``.

games (one row per game or match; natural key ``(sport, source_game_id)``)
    sport, source, source_game_id (str, unique within the sport), season (int, the year the
    season starts), week (Int64, nullable), game_type ("REG"/"POST" for leagues; the round such
    as "R32" or "F" for tennis), game_date (datetime64[ns], local calendar date at midnight),
    start_time (datetime64[ns, UTC], never null), start_time_estimated (bool), home_team /
    away_team (canonical team codes; tennis: the player's source id as text), neutral_site
    (bool), status ("final" | "scheduled"), home_score / away_score (float, NaN when not
    played; tennis: sets won), venue, roof, surface (str or None). Individual sports add
    home_rank / away_rank (rank as of the tournament start, known before the match),
    winner_side ("home"/"away") and completion ("completed"/"retired"/"default"/"walkover").

odds (snapshots; one row per game, book, market, side and capture time)
    sport, source_game_id, book, market ("spread" | "moneyline" | "total"), side ("home" |
    "away" | "over" | "under"), line (spread: the side's own handicap, the home line is negative
    when home is favoured and the away line is its negation; total: the points total; NaN for
    moneyline), price (American odds, NaN when the source has none), captured_at
    (datetime64[ns, UTC]), source.

    Capture-time convention: historical files give one line per game with no timestamp. A
    closing line is stored as captured at ``start_time - 1 minute`` and an opening line at
    ``start_time - 6 days`` so that "known before kick-off" holds and opening precedes closing.

weather (one row per game, observed at kick-off)
    sport, source_game_id, observed_at (UTC, = start_time), temperature_f, wind_mph,
    precipitation_probability (float, NaN when unknown), is_indoor (bool: dome or closed roof),
    source.

players (individual sports only)
    sport, source_player_id (str), name, hand, country, height_cm (float), birth_date
    (datetime64[ns] or NaT).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from royaley_pipeline.storage.models import GameRow, PlayerRow, VenueRow

CLOSING_LINE_LEAD = pd.Timedelta(minutes=1)
OPENING_LINE_LEAD = pd.Timedelta(days=6)

GAME_COLUMNS: dict[str, str] = {
    "sport": "object",
    "source": "object",
    "source_game_id": "object",
    "season": "int64",
    "week": "Int64",
    "game_type": "object",
    "game_date": "datetime64[ns]",
    "start_time": "datetime64[ns, UTC]",
    "start_time_estimated": "bool",
    "home_team": "object",
    "away_team": "object",
    "neutral_site": "bool",
    "status": "object",
    "home_score": "float64",
    "away_score": "float64",
    "venue": "object",
    "roof": "object",
    "surface": "object",
}
INDIVIDUAL_GAME_COLUMNS: dict[str, str] = {
    "home_rank": "float64",
    "away_rank": "float64",
    "winner_side": "object",
    "completion": "object",
}
ODDS_COLUMNS: dict[str, str] = {
    "sport": "object",
    "source_game_id": "object",
    "book": "object",
    "market": "object",
    "side": "object",
    "line": "float64",
    "price": "float64",
    "captured_at": "datetime64[ns, UTC]",
    "source": "object",
}
WEATHER_COLUMNS: dict[str, str] = {
    "sport": "object",
    "source_game_id": "object",
    "observed_at": "datetime64[ns, UTC]",
    "temperature_f": "float64",
    "wind_mph": "float64",
    "precipitation_probability": "float64",
    "is_indoor": "bool",
    "source": "object",
}
PLAYER_COLUMNS: dict[str, str] = {
    "sport": "object",
    "source_player_id": "object",
    "name": "object",
    "hand": "object",
    "country": "object",
    "height_cm": "float64",
    "birth_date": "datetime64[ns]",
}

# The longest text each contract column may hold: the size of the database column it is stored
# in, read from the schema so that readers refuse on SQLite exactly what PostgreSQL would refuse.
TEXT_LIMITS: dict[str, int] = {
    "source_game_id": GameRow.source_game_id.type.length,
    "venue": VenueRow.name.type.length,
    "roof": GameRow.roof.type.length,
    "surface": GameRow.surface.type.length,
    "source_player_id": PlayerRow.source_player_id.type.length,
    "name": PlayerRow.name.type.length,
    "hand": PlayerRow.hand.type.length,
    "country": PlayerRow.country.type.length,
}

MARKETS = ("spread", "moneyline", "total")
SIDES = {"spread": ("home", "away"), "moneyline": ("home", "away"), "total": ("over", "under")}
GAME_STATUSES = ("final", "scheduled")


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def empty_games() -> pd.DataFrame:
    return empty_frame(GAME_COLUMNS)


def empty_odds() -> pd.DataFrame:
    return empty_frame(ODDS_COLUMNS)


def empty_weather() -> pd.DataFrame:
    return empty_frame(WEATHER_COLUMNS)


def empty_players() -> pd.DataFrame:
    return empty_frame(PLAYER_COLUMNS)


def games_of(frame: pd.DataFrame, *, sport: str, source: str, **values) -> pd.DataFrame:
    """A reader's typed frame in the games contract: each column is ``values``' (a column or a
    constant) when given, else the frame's column of that name, else empty (NA for ``week``)."""

    def column(name: str):
        if name in values:
            return values[name]
        if name in frame:
            return frame[name]
        return pd.array([pd.NA] * len(frame), dtype="Int64") if name == "week" else None

    return pd.DataFrame({"sport": sport, "source": source,
                         **{name: column(name) for name in GAME_COLUMNS if name not in ("sport", "source")}},
                        index=frame.index)


def conform(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Order and type a frame to its contract, keeping extra columns after the contract ones."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks contract columns {missing}")
    extra = [name for name in frame.columns if name not in columns]
    typed = frame[list(columns) + extra].astype(columns)
    return typed.reset_index(drop=True)


@dataclass
class SourceBatch:
    """Everything one read of one or more source files produced, in the normalised contract."""

    games: pd.DataFrame = field(default_factory=empty_games)
    odds: pd.DataFrame = field(default_factory=empty_odds)
    weather: pd.DataFrame = field(default_factory=empty_weather)
    players: pd.DataFrame = field(default_factory=empty_players)
    quirks: dict[str, int] = field(default_factory=dict)
    """How many source rows each data quirk touched (kept, fixed or rejected), by name such as
    ``bad_final_score_rejected``; the raw asset puts them in the run's metadata."""

    def __post_init__(self) -> None:
        self.games = conform(self.games, GAME_COLUMNS)
        self.odds = conform(self.odds, ODDS_COLUMNS)
        self.weather = conform(self.weather, WEATHER_COLUMNS)
        self.players = conform(self.players, PLAYER_COLUMNS)

    def with_odds(self, extra_odds: pd.DataFrame) -> SourceBatch:
        """A copy with more odds snapshots appended (e.g. nfelo lines on nflverse games)."""
        odds = (
            pd.concat(
                [frame for frame in (self.odds, conform(extra_odds, ODDS_COLUMNS)) if len(frame)],
                ignore_index=True,
            )
            if len(extra_odds)
            else self.odds
        )
        return SourceBatch(self.games, odds, self.weather, self.players, dict(self.quirks))


def odds_rows(
    games: pd.DataFrame,
    *,
    book: str,
    source: str,
    market: str,
    side: str,
    line: pd.Series,
    price: pd.Series,
    captured_at: pd.Series,
) -> pd.DataFrame:
    """Snapshots of one market side for many games, aligned on the games' index."""
    return pd.DataFrame(
        {
            "sport": games["sport"],
            "source_game_id": games["source_game_id"],
            "book": book,
            "market": market,
            "side": side,
            "line": line.astype(float) + 0.0,  # + 0.0 turns a negated pick'em (-0.0) into 0.0
            "price": price.astype(float),
            "captured_at": captured_at,
            "source": source,
        }
    )


def odds_for_sides(
    games: pd.DataFrame, sides: list[tuple], *, book: str, source: str, captured_at: pd.Series | None = None
) -> pd.DataFrame:
    """Snapshots for a table of market sides, each ``(market, side, line, price, present)`` or
    ``(market, side, line, price, present, captured_at)``; rows where ``present`` is False are left out.

    Every file source describes its lines as such a table, so the shaping lives here once.
    """
    frames = []
    for market, side, line, price, present, *when in sides:
        at = when[0] if when else captured_at
        rows = odds_rows(
            games, book=book, source=source, market=market, side=side, line=line, price=price, captured_at=at
        )
        frames.append(rows[present])
    return pd.concat(frames, ignore_index=True) if frames else empty_odds()


def validate_batch(batch: SourceBatch) -> SourceBatch:
    """Check invariants of the contract that readers could break by mistake; return the batch."""
    games, odds = batch.games, batch.odds
    duplicated = games.duplicated(["sport", "source_game_id"])
    if duplicated.any():
        raise ValueError(f"duplicate games: {games.loc[duplicated, 'source_game_id'].head().tolist()}")
    if games["start_time"].isna().any():
        raise ValueError("games without a start time")
    if not games["status"].isin(GAME_STATUSES).all():
        raise ValueError(f"unknown game statuses {set(games['status']) - set(GAME_STATUSES)}")
    if not odds["market"].isin(MARKETS).all():
        raise ValueError(f"unknown markets {set(odds['market']) - set(MARKETS)}")
    for market, sides in SIDES.items():
        in_market = odds["market"] == market
        if not odds.loc[in_market, "side"].isin(sides).all():
            raise ValueError(f"{market} odds with sides other than {sides}")
    return batch
