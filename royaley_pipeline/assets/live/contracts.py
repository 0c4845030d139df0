"""The rules of the live sources' asset checks: stored counts of a sport-day → (errors, warnings)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from royaley_pipeline.collectors.common import slate_window

ODDS_FRESHNESS = timedelta(hours=36)


def games_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors = [f"{counts['negative_scores']} negative score(s)"] if counts["negative_scores"] else []
    warnings = ["no games on this day (empty slate)"] if counts["games"] == 0 else []
    return errors, warnings


def odds_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors, warnings = [], []
    if counts["prices_between_minus_100_and_100"]:
        errors.append(f"{counts['prices_between_minus_100_and_100']} American price(s) strictly between -100 and 100")
    if counts["largest_abs_line"] is not None and counts["largest_abs_line"] > 400:
        errors.append(f"a line of {counts['largest_abs_line']} points")
    if counts["odds_snapshots"] == 0:
        warnings.append("no odds snapshots for this day")
    latest = counts["latest_odds_capture"]
    if latest is not None:
        # Fresh means captured close to the slate, not close to "now", so backfills judge the same.
        captured = pd.Timestamp(latest)
        captured = captured.tz_localize("UTC") if captured.tzinfo is None else captured.tz_convert("UTC")
        slate_start = pd.Timestamp(slate_window(day)[0])
        if captured < slate_start - ODDS_FRESHNESS:
            warnings.append(f"latest snapshot {latest} is more than {ODDS_FRESHNESS} before the slate")
    return errors, warnings


def weather_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors = []
    if counts["min_temperature_f"] is not None and not -60 <= counts["min_temperature_f"] <= 130:
        errors.append(f"temperature {counts['min_temperature_f']} °F")
    if counts["max_wind_mph"] is not None and not 0 <= counts["max_wind_mph"] <= 150:
        errors.append(f"wind {counts['max_wind_mph']} mph")
    warnings = ["games without weather rows"] if counts["weather"] < counts["games"] else []
    return errors, warnings
