"""SQLAlchemy models: one schema for embedded SQLite and production PostgreSQL.

Every table that collectors or assets write has a natural unique key, so each write can be an
upsert and materialising a partition twice leaves the same rows. Odds are stored as snapshots;
opening and closing lines are derived from their history, never stored as such.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UTCDateTime = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SportRow(Base):
    __tablename__ = "sports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    outdoor: Mapped[bool] = mapped_column(Boolean)


class TeamRow(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("sport_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))


class TeamAliasRow(Base):
    """Other codes a franchise was known by (STL→LA, SD→LAC, OAK→LV, source spellings)."""

    __tablename__ = "team_aliases"
    __table_args__ = (UniqueConstraint("sport_id", "alias"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    alias: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))


class PlayerRow(Base):
    """Competitors of individual sports (tennis); they play the role of teams in games."""

    __tablename__ = "players"
    __table_args__ = (UniqueConstraint("sport_id", "source_player_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    source_player_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    hand: Mapped[str | None] = mapped_column(String(4))
    country: Mapped[str | None] = mapped_column(String(8))
    height_cm: Mapped[float | None] = mapped_column(Float)
    birth_date: Mapped[date | None] = mapped_column(Date)


class VenueRow(Base):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    roof: Mapped[str | None] = mapped_column(String(16))
    surface: Mapped[str | None] = mapped_column(String(32))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class GameRow(Base):
    __tablename__ = "games"
    __table_args__ = (
        UniqueConstraint("sport_id", "source_game_id"),
        CheckConstraint("home_score IS NULL OR home_score >= 0", name="home_score_non_negative"),
        CheckConstraint("away_score IS NULL OR away_score >= 0", name="away_score_non_negative"),
        Index("ix_games_sport_date", "sport_id", "game_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    source: Mapped[str] = mapped_column(String(32))
    source_game_id: Mapped[str] = mapped_column(String(64))
    season: Mapped[int] = mapped_column(Integer)
    week: Mapped[int | None] = mapped_column(Integer)
    game_type: Mapped[str] = mapped_column(String(16))
    game_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    start_time_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    home_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    away_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    home_player_id: Mapped[int | None] = mapped_column(ForeignKey("players.id"))
    away_player_id: Mapped[int | None] = mapped_column(ForeignKey("players.id"))
    neutral_site: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    home_score: Mapped[float | None] = mapped_column(Float)
    away_score: Mapped[float | None] = mapped_column(Float)
    home_rank: Mapped[float | None] = mapped_column(Float)
    away_rank: Mapped[float | None] = mapped_column(Float)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    roof: Mapped[str | None] = mapped_column(String(16))
    surface: Mapped[str | None] = mapped_column(String(32))


class OddsSnapshotRow(Base):
    """One price seen at one book at one moment; history is appended, never overwritten."""

    __tablename__ = "odds_snapshots"
    __table_args__ = (
        UniqueConstraint("game_id", "book", "market", "side", "captured_at"),
        CheckConstraint("market IN ('spread', 'moneyline', 'total')", name="market_known"),
        CheckConstraint("side IN ('home', 'away', 'over', 'under')", name="side_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    book: Mapped[str] = mapped_column(String(64))
    market: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    line: Mapped[float | None] = mapped_column(Float)
    price: Mapped[float | None] = mapped_column(Float)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(32))


class WeatherRow(Base):
    __tablename__ = "weather"
    __table_args__ = (UniqueConstraint("game_id", "source", "observed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    temperature_f: Mapped[float | None] = mapped_column(Float)
    wind_mph: Mapped[float | None] = mapped_column(Float)
    precipitation_probability: Mapped[float | None] = mapped_column(Float)
    is_indoor: Mapped[bool] = mapped_column(Boolean, default=False)


class InjuryRow(Base):
    __tablename__ = "injuries"
    __table_args__ = (UniqueConstraint("sport_id", "team_id", "player_name", "observed_at", "source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    game_id: Mapped[int | None] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    player_name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(32))


class FeatureRow(Base):
    """A game's features as known before kick-off, one row per feature-set version."""

    __tablename__ = "features"
    __table_args__ = (
        UniqueConstraint("game_id", "feature_set_version"),
        Index("ix_features_sport_date", "sport_id", "game_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    feature_set_version: Mapped[str] = mapped_column(String(16))
    game_date: Mapped[date] = mapped_column(Date)
    season: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PricedPick:
    """The columns a prediction and its settlement share: which game, which side at which line and
    price, by which model, with what edge and stake, made when (a mixin: each table gets copies)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    game_date: Mapped[date] = mapped_column(Date)
    bet_type: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float] = mapped_column(Float)
    line: Mapped[float | None] = mapped_column(Float)
    price_american: Mapped[float | None] = mapped_column(Float)
    decimal_odds: Mapped[float | None] = mapped_column(Float)
    edge: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(1))
    kelly_stake: Mapped[float] = mapped_column(Float)
    predicted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PredictionRow(PricedPick, Base):
    """One prediction of a game and bet type at one moment; re-predictions are kept next to it
    (the settlement decides which of them was the bet)."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("game_id", "bet_type", "predicted_at"),
        Index("ix_predictions_sport_date", "sport_id", "game_date"),
    )
    market_probability: Mapped[float | None] = mapped_column(Float)
    book: Mapped[str | None] = mapped_column(String(64))
    snapshot_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Market, weather and injury inputs were observed strictly before this instant:
    min(kick-off, predicted_at). Empty on rows written before it was recorded."""


class SettlementRow(PricedPick, Base):
    """A prediction of a decided game: result, profit, closing-line value and its role (bet or not)."""

    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint("game_id", "bet_type", "predicted_at"),
        Index("ix_settlements_sport_date", "sport_id", "game_date"),
        CheckConstraint("result IN ('won', 'lost', 'push', 'void')", name="result_known"),
        CheckConstraint("role IN ('bet', 'no stake', 're-prediction', 'after kick-off')", name="role_known"),
    )
    result: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16))
    units: Mapped[float | None] = mapped_column(Float)
    kelly_return: Mapped[float | None] = mapped_column(Float)
    home_score: Mapped[float | None] = mapped_column(Float)
    away_score: Mapped[float | None] = mapped_column(Float)
    closing_line: Mapped[float | None] = mapped_column(Float)
    closing_price_american: Mapped[float | None] = mapped_column(Float)
    closing_probability: Mapped[float | None] = mapped_column(Float)
    clv_probability: Mapped[float | None] = mapped_column(Float)
    clv_line_points: Mapped[float | None] = mapped_column(Float)
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ModelArtifactDigestRow(Base):
    """The SHA-256 of one file of a registered model version, recorded at registration (see
    ``storage/model_digests.py``)."""

    __tablename__ = "model_artifact_digests"
    __table_args__ = (UniqueConstraint("model_name", "model_version", "path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
