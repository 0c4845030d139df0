"""Column profiles for the quality tables shown on each materialisation in the Dagster UI.

A feature that is suddenly 40 % missing, or an Elo difference whose range has shifted, is seen at
a glance on the asset page long before it shows up as a worse model.
"""

from __future__ import annotations

import pandas as pd


def column_profile(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per column: rows, share filled, and the range of the values (mean for numbers).

    Numbers get min / mean / max; timestamps their earliest and latest value; text only counts.
    """
    rows = []
    for column in columns:
        values = frame[column] if column in frame else pd.Series(dtype="float64")
        row = {
            "column": column,
            "rows": len(values),
            "filled": float(values.notna().mean()) if len(values) else 0.0,
            "min": None,
            "mean": None,
            "max": None,
        }
        if pd.api.types.is_datetime64_any_dtype(values) and values.notna().any():
            row.update(min=str(values.min()), max=str(values.max()))
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numeric = values.astype("float64")
            row.update(min=numeric.min(), mean=numeric.mean(), max=numeric.max())
        rows.append(row)
    return pd.DataFrame(rows, columns=["column", "rows", "filled", "min", "mean", "max"])


def profile_markdown(profile: pd.DataFrame) -> str:
    if profile.empty:
        return "_no rows_"

    def shown(value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)

    table = profile.assign(filled=[f"{share:.1%}".replace("%", " %") for share in profile["filled"]])
    for column in ("min", "mean", "max"):
        table[column] = [shown(value) for value in profile[column]]
    return table.to_markdown(index=False)
