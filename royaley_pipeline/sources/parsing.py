"""Shared checks that turn raw CSV text columns into typed columns, or fail naming the record.

Every reader loads its file as text (``dtype=str``) and converts columns here, so a stray "abc"
in a score column is reported instead of being coerced to NaN and silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date

import pandas as pd

from royaley_pipeline.sources.errors import SourceRecordError, shown
from royaley_pipeline.sources.text_files import read_text_csv
from royaley_pipeline.sports import get_sport

__all__ = ["read_text_csv"]  # readers import the guarded CSV reader from here or from text_files

DateBound = date | str | pd.Timestamp | None


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SourceRecordError(
            source,
            "header",
            missing[0],
            f"missing column (also missing: {missing[1:]})" if missing[1:] else "missing column",
        )


def read_source_csv(
    source_name: str, location, columns: Iterable[str], key_column: str | None = None
) -> tuple[str, pd.DataFrame]:
    """A source file's label (``"<source> <location>"``, what its errors name) and its rows as text,
    refused unless it has ``columns``."""
    source = f"{source_name} {location}"
    raw = read_text_csv(location, source, key_column)
    require_columns(raw, columns, source)
    return source, raw


def record_label(frame: pd.DataFrame, line: int, key_column: str) -> str:
    """Name a row by its line number and natural key, as a person would look it up."""
    key = frame.at[line, key_column] if key_column in frame.columns else None
    return f"row {line} ({key_column}={shown(key, quoted=False)})" if isinstance(key, str) else f"row {line}"


def reject_first(
    bad: pd.Series,
    frame: pd.DataFrame,
    key_column: str,
    source: str,
    field: str | None | Callable[[Hashable], str | None],
    problem: str | Callable[[Hashable], str],
) -> None:
    """Fail on the first row where ``bad`` holds, naming it by line and key; nothing if none does.

    ``field`` and ``problem`` may be functions of the row's line, for messages quoting its value.
    """
    if not bad.any():
        return
    line = bad.idxmax()
    raise SourceRecordError(
        source,
        record_label(frame, line, key_column),
        field(line) if callable(field) else field,
        problem(line) if callable(problem) else problem,
    )


def reject_value(
    bad: pd.Series, frame: pd.DataFrame, key_column: str, source: str, column: str, problem: str
) -> None:
    """``reject_first`` quoting the first bad row's ``column`` value: ``'<value>' <problem>``."""
    reject_first(bad, frame, key_column, source, column, lambda line: f"{frame.at[line, column]!r} {problem}")


def to_number(
    frame: pd.DataFrame,
    column: str,
    source: str,
    key_column: str,
    *,
    required: bool = False,
    non_negative: bool = False,
) -> pd.Series:
    """Parse a numeric column; blanks become NaN unless ``required``, anything else fails, and so
    does a negative value where ``non_negative`` (a score, a count)."""
    text = frame[column]
    numbers = pd.to_numeric(text.str.strip(), errors="coerce").astype(float)
    reject_first(numbers.isna() & text.notna(), frame, key_column, source, column,
                 lambda line: f"{shown(text[line])} is not a number")
    if required:
        reject_first(numbers.isna(), frame, key_column, source, column, "value is missing")
    if non_negative:
        reject_first(numbers < 0, frame, key_column, source, column,
                     lambda line: f"{shown(text[line])} is negative")
    return numbers


def to_flag(frame: pd.DataFrame, column: str, source: str, key_column: str) -> pd.Series:
    """A 0/1 text column as booleans; any other value fails naming its row."""
    text = frame[column].str.strip()
    reject_first(~text.isin(["0", "1"]), frame, key_column, source, column, lambda line: f"{text[line]!r} is not 0/1")
    return text == "1"


def check_lengths(frame: pd.DataFrame, limits: dict[str, int], source: str, key_column: str) -> None:
    """Fail on the first text longer than the database column it is stored in (``limits``: file
    column → characters), the same on SQLite (which would store it) and PostgreSQL (which refuses)."""
    for column, limit in limits.items():
        lengths = frame[column].str.len()
        reject_first(lengths > limit, frame, key_column, source, column,
                     lambda line, lengths=lengths, limit=limit:
                     f"{int(lengths[line]):,} characters, longer than the {limit} the database stores")


def to_date(frame: pd.DataFrame, column: str, source: str, key_column: str, date_format: str) -> pd.Series:
    """Parse a required date column, failing on the first blank or impossible date."""
    text = frame[column]
    dates = pd.to_datetime(text.str.strip(), format=date_format, errors="coerce")
    reject_first(
        dates.isna(), frame, key_column, source, column,
        lambda line: "value is missing" if pd.isna(text[line]) else f"{shown(text[line])} is not a date ({date_format})",
    )
    return dates


def within_dates(dates: pd.Series, start: DateBound, end: DateBound) -> pd.Series:
    """Mask of dates inside ``[start, end]``, both inclusive and both optional."""
    mask = pd.Series(True, index=dates.index)
    if start is not None:
        mask &= dates >= pd.Timestamp(start).normalize()
    if end is not None:
        mask &= dates < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    return mask


def check_season(
    frame: pd.DataFrame,
    seasons: pd.Series,
    dates: pd.Series,
    *,
    sport: str,
    source: str,
    key_column: str,
    grace_months: int = 0,
    season_column: str = "season",
) -> None:
    """Fail on the first row whose season label does not fit its date (the sport's season in the registry).

    ``grace_months`` lets a season run that many months past the registry's end month, for
    seasons pushed back by events (the NBA 2019-20 bubble ended in October 2020).
    """
    season_of = get_sport(sport).season_of
    expected = pd.Series([season_of(day.year, day.month) for day in dates], index=dates.index)
    late = dates - pd.DateOffset(months=grace_months)
    expected_late = pd.Series([season_of(day.year, day.month) for day in late], index=dates.index)
    reject_first(
        (seasons != expected) & (seasons != expected_late), frame, key_column, source, season_column,
        lambda line: f"season {seasons[line]} does not match the date {dates[line]:%Y-%m-%d} "
        f"(expected season {expected[line]})",
    )
