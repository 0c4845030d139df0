"""Conversions between DataFrames and database rows (NaN → NULL, pandas times → Python)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def to_python(value: Any) -> Any:
    """One cell as a value every DB driver accepts; missing values of any kind become None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA:
        return None
    return value


def frame_records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    columns = list(frame.columns) if columns is None else columns
    return [
        {column: to_python(value) for column, value in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False, name=None)
    ]


def as_utc(series: pd.Series) -> pd.Series:
    """SQLite hands back naive UTC strings, PostgreSQL aware times: both become UTC timestamps."""
    return pd.to_datetime(series, utc=True, format="mixed")


def as_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize().astype("datetime64[ns]")
