"""Asset checks: the data contracts of the raw tables and the features, visible in the Dagster UI."""

import numpy as np
import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check
from sqlalchemy import func, select

from royaley_pipeline.assets.features import PROFILED_COLUMNS
from royaley_pipeline.assets.raw import RAW_GAMES, RAW_ODDS
from royaley_pipeline.domain.features import FEATURE_SET_VERSION, build_feature_matrix
from royaley_pipeline.domain.plausibility import MIN_FILL_RATE, feature_problems
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage import quality
from royaley_pipeline.storage.features import load_feature_inputs, load_features
from royaley_pipeline.storage.models import FeatureRow, SportRow


def _result(problems: list, what: str, severity=AssetCheckSeverity.ERROR) -> AssetCheckResult:
    return AssetCheckResult(
        passed=not problems,
        severity=severity,
        metadata={
            "violations": len(problems),
            "examples": str(problems[:5]) if problems else "none",
            "rule": what,
        },
    )


@asset_check(asset=AssetKey(RAW_GAMES), description="No game is stored twice for the same date and pairing.")
def no_duplicate_games(database: DatabaseResource) -> AssetCheckResult:
    return _result(quality.duplicate_games(database.engine()), "unique (sport, date, home, away)")


@asset_check(asset=AssetKey(RAW_GAMES), description="Scores are never negative.")
def scores_non_negative(database: DatabaseResource) -> AssetCheckResult:
    return _result(quality.negative_scores(database.engine()), "home_score >= 0 and away_score >= 0")


@asset_check(
    asset=AssetKey(RAW_GAMES), description="Every game has both sides resolved to a known team or player."
)
def both_sides_known(database: DatabaseResource) -> AssetCheckResult:
    return _result(quality.games_without_both_sides(database.engine()), "home and away resolved")


@asset_check(asset=AssetKey(RAW_ODDS), description="Spreads, totals and prices lie within sane ranges.")
def lines_within_range(database: DatabaseResource) -> AssetCheckResult:
    return _result(
        quality.lines_out_of_range(database.engine()),
        f"|spread| <= {quality.SPREAD_LIMIT}, total in {quality.TOTAL_RANGE}, |American price| >= 100",
    )


RAW_CHECKS = [no_duplicate_games, scores_non_negative, both_sides_known, lines_within_range]


# ------------------------------------------------------------------------------------------ features

SPOT_CHECK_DATES_BACK = 20
"""How many game dates before the newest the point-in-time spot check recomputes at: far enough
back that later games exist and could leak in, near enough to cover the newest code paths."""


def _feature_sports(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(
            select(SportRow.code).join(FeatureRow, FeatureRow.sport_id == SportRow.id)
            .where(FeatureRow.feature_set_version == FEATURE_SET_VERSION).distinct()
        ).scalars())


def _stored(sport: str):
    """A select's filter to the stored rows of ``sport`` in the current feature set."""
    return (SportRow.code == sport, FeatureRow.feature_set_version == FEATURE_SET_VERSION)


def _latest_season(engine, sport: str) -> pd.DataFrame:
    """The stored features of the sport's latest season, read alone (not the whole history: each
    row's values are a JSON document to decode)."""
    with engine.connect() as connection:
        season, first_day = connection.execute(
            select(FeatureRow.season, func.min(FeatureRow.game_date)).join(SportRow, SportRow.id == FeatureRow.sport_id)
            .where(*_stored(sport)).group_by(FeatureRow.season).order_by(FeatureRow.season.desc()).limit(1)
        ).one()
    rows = load_features(engine, sport, FEATURE_SET_VERSION, start=first_day)
    return rows.loc[rows["season"] == season]


def _stored_game_dates(engine, sport: str) -> list:
    with engine.connect() as connection:
        return sorted(connection.execute(
            select(FeatureRow.game_date).join(SportRow, SportRow.id == FeatureRow.sport_id)
            .where(*_stored(sport)).distinct()
        ).scalars())


@asset_check(
    asset=AssetKey(["features", "game_features"]),
    description=f"In each sport's latest stored season: values within their ranges (probabilities in [0, 1], "
    f"Elo 500–2500, …) and the Elo columns filled for at least {MIN_FILL_RATE:.1%} of games.",
)
def features_filled_and_in_range(database: DatabaseResource) -> AssetCheckResult:
    engine = database.engine()
    problems, games = [], {}
    for sport in _feature_sports(engine):
        season = _latest_season(engine, sport)
        games[sport] = len(season)
        problems += [f"{sport}: {problem}" for problem in feature_problems(season)]
    return AssetCheckResult(passed=not problems, metadata={
        "problems": "; ".join(problems) or "none", "games_checked": MetadataValue.json(games)})


@asset_check(
    asset=AssetKey(["features", "game_features"]),
    description="Point-in-time spot check: each sport's features are recomputed from only the games up to a "
    f"date {SPOT_CHECK_DATES_BACK} game dates before the newest, and must equal the stored ones for that date.",
)
def features_point_in_time_spot_check(database: DatabaseResource) -> AssetCheckResult:
    engine = database.engine()
    mismatches, checked = [], {}
    for sport_code in _feature_sports(engine):
        dates = _stored_game_dates(engine, sport_code)
        day = dates[max(0, len(dates) - 1 - SPOT_CHECK_DATES_BACK)]
        recomputed = build_feature_matrix(sport=get_sport(sport_code), **load_feature_inputs(engine, sport_code, end=day))
        recomputed = recomputed.loc[pd.to_datetime(recomputed["game_date"]).dt.date == day].set_index("game_id")
        on_day = load_features(engine, sport_code, FEATURE_SET_VERSION, day, day).set_index("game_id")
        columns = [c for c in PROFILED_COLUMNS if c in on_day and c in recomputed]
        for column in columns:
            left = pd.to_numeric(on_day[column], errors="coerce")
            right = pd.to_numeric(recomputed[column].reindex(on_day.index), errors="coerce")
            if not np.allclose(left, right, rtol=1e-9, atol=1e-9, equal_nan=True):
                mismatches.append(f"{sport_code} {day} {column}")
        checked[sport_code] = f"{len(on_day)} games on {day}, {len(columns)} columns"
    return AssetCheckResult(passed=not mismatches, metadata={
        "mismatches": ", ".join(mismatches[:20]) or "none", "checked": MetadataValue.json(checked)})


FEATURE_CHECKS = [features_filled_and_in_range, features_point_in_time_spot_check]
