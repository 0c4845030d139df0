"""Small shared pieces of the collectors: the slate day, sport tables, empty frames."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from royaley_pipeline.config import SourceSetting
from royaley_pipeline.sources.frames import GAME_COLUMNS, ODDS_COLUMNS, conform

SLATE_TIMEZONE = ZoneInfo("America/New_York")  # US slates: a game's date is its Eastern date
LOOKAHEAD_VARIABLE = "ROYALEY_COLLECTION_LOOKAHEAD_DAYS"
MAX_LOOKAHEAD_DAYS = 14
# A day's collection of schedules and odds also covers the next N days, so a game is seen on the
# days before it (its first snapshot is its opener, as in the history); 0 = that day only.
SETTINGS = (SourceSetting("collection_lookahead_days", LOOKAHEAD_VARIABLE, "6"),)

EVENT_ODDS_COLUMNS = {
    "sport": "object",
    "event_id": "object",
    "home_team": "object",
    "away_team": "object",
    "commence_time": "datetime64[ns, UTC]",
    # then a snapshot's own columns, as the odds batch of a source reader has them
    **{name: dtype for name, dtype in ODDS_COLUMNS.items() if name not in ("sport", "source_game_id")},
}
INJURY_COLUMNS = {
    "sport": "object",
    "source_game_id": "object",
    "team": "object",
    "player_name": "object",
    "position": "object",
    "status": "object",
    "observed_at": "datetime64[ns, UTC]",
    "source": "object",
}


def frame_of(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """Rows typed to a column contract (an empty list gives an empty, typed frame)."""
    frame = pd.DataFrame(rows, columns=list(columns))
    for name, dtype in columns.items():
        if dtype.startswith("datetime64") and "UTC" in dtype:
            frame[name] = pd.to_datetime(frame[name], utc=True)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def lookahead_days(text: str) -> int:
    """The look-ahead setting's value, checked: a whole number of days from 0 to 14."""
    if not text.strip().isdigit() or int(text) > MAX_LOOKAHEAD_DAYS:
        raise ValueError(f"{LOOKAHEAD_VARIABLE}={text!r} is not a number of days from 0 to {MAX_LOOKAHEAD_DAYS}")
    return int(text)


def slate_window(day: date, lookahead: int = 0) -> tuple[datetime, datetime]:
    """UTC bounds of a slate day (midnight to midnight US Eastern), stretched over the ``lookahead``
    days after it."""
    start = datetime.combine(day, time(0), SLATE_TIMEZONE)
    end = datetime.combine(day + timedelta(days=1 + lookahead), time(0), SLATE_TIMEZONE)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def slate_date(moment: pd.Timestamp | datetime) -> date:
    return pd.Timestamp(moment).tz_convert(SLATE_TIMEZONE).date()


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def games_frame(rows: list[dict]) -> pd.DataFrame:
    """Game rows in the games contract of ``sources.frames``."""
    frame = pd.DataFrame(rows, columns=list(GAME_COLUMNS))
    frame["start_time"] = pd.to_datetime(frame["start_time"], utc=True)
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    return conform(frame, GAME_COLUMNS)
