"""Asset checks: the data contracts of the raw tables, visible in the Dagster UI."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from royaley_pipeline.assets.raw import RAW_GAMES, RAW_ODDS
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.storage import quality


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
