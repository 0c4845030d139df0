"""Canonical team codes and the aliases that sources use for them.

Sources spell teams differently (nflverse uses the code of the time, STL or SD; nfelo uses
today's LAR or OAK for every year; the NBA lines file uses lower-case ESPN codes such as "gs"),
so every reader resolves codes here before games from different files can be joined. Aliases
are stored upper-case and matched case-insensitively. The reference table also seeds the
storage layer's teams and aliases tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.errors import UnknownTeamError
from royaley_pipeline.sources.parsing import record_label

REFERENCE_TEAMS_PATH = PACKAGE_DATA / "reference" / "teams.csv"
ALIAS_SEPARATOR = "|"


def load_reference_teams(path: Path = REFERENCE_TEAMS_PATH) -> pd.DataFrame:
    """Teams as (sport, code, name, aliases: list[str]), one row per canonical team."""
    teams = pd.read_csv(path, dtype=str, keep_default_na=False)
    teams["aliases"] = [
        [alias.strip().upper() for alias in text.split(ALIAS_SEPARATOR) if alias.strip()]
        for text in teams["aliases"]
    ]
    return teams[["sport", "code", "name", "aliases"]]


def team_spellings(row) -> list[str]:
    """Every spelling that names a team: its code, its aliases and its full name (live feeds such
    as The Odds API and Pinnacle name teams in full)."""
    return [row.code, *row.aliases, row.name.strip().upper()]


class TeamDirectory:
    """Resolves any known spelling of a team to its canonical code within a sport."""

    def __init__(self, teams: pd.DataFrame | None = None) -> None:
        teams = load_reference_teams() if teams is None else teams
        self._codes: dict[tuple[str, str], str] = {}
        for row in teams.itertuples(index=False):
            sport = row.sport.upper()
            for spelling in team_spellings(row):
                key = (sport, spelling.strip().upper())
                if key in self._codes and self._codes[key] != row.code:
                    raise ValueError(
                        f"{sport} alias {spelling!r} names both {self._codes[key]} and {row.code}"
                    )
                self._codes[key] = row.code

    def codes(self, sport: str) -> set[str]:
        """Canonical codes of a sport."""
        return {code for (team_sport, _), code in self._codes.items() if team_sport == sport.upper()}

    def resolve(
        self, sport: str, code: object, *, source: str, record: str | None, field: str | None = None
    ) -> str:
        """The canonical code for ``code``, or an ``UnknownTeamError`` naming source and record."""
        spelling = code.strip().upper() if isinstance(code, str) else ""
        try:
            return self._codes[(sport.upper(), spelling)]
        except KeyError:
            shown = repr(code) if isinstance(code, str) else "a blank value"
            raise UnknownTeamError(
                source, record, field, f"{shown} is not a known {sport.upper()} team"
            ) from None

    def resolve_column(
        self, frame: pd.DataFrame, column: str, sport: str, *, source: str, key_column: str
    ) -> pd.Series:
        """Resolve a whole column, failing on the first unknown code with its row and key."""
        resolved = {}
        for spelling in frame[column].drop_duplicates():
            key = (sport.upper(), spelling.strip().upper() if isinstance(spelling, str) else "")
            if key in self._codes:
                resolved[spelling] = self._codes[key]
                continue
            matches = frame[column] == spelling if isinstance(spelling, str) else frame[column].isna()
            line = matches.idxmax()
            self.resolve(
                sport, spelling, source=source, record=record_label(frame, line, key_column), field=column
            )
        return frame[column].map(resolved)
