"""The moment a run acts at: the wall clock, or the simulated time a replay gives the run.

Whatever asks "what time is it?" inside a run (a prediction's ``predicted_at`` and the prices
it may take, which weather host holds a day) asks here, so a replay of a past stretch sees the
past as it was then. The replay tags each run it launches with its simulated time; no tag means now.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

AS_OF_TAG = "royaley/as_of"


def run_time(context) -> pd.Timestamp:
    """The run's simulated time (tag ``royaley/as_of``, ISO 8601) or now, in UTC."""
    return tagged_time(context.run.tags if getattr(context, "run", None) is not None else {})


def tagged_time(tags) -> pd.Timestamp:
    """The time a run's tags give it (``royaley/as_of``), or now, in UTC (e.g. for a sensor
    judging a finished run)."""
    value = tags.get(AS_OF_TAG)
    if not value:
        return pd.Timestamp(datetime.now(UTC))
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
