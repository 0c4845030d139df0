"""Errors that point at the exact record of a source file that could not be read.

A historical load touches thousands of rows; an error that says only "invalid literal" sends the
reader on a hunt. These errors always say which file, which row (or match id) and which field.
"""

from __future__ import annotations

SHOWN_CHARACTERS = 60


def shown(value: object, *, quoted: bool = True) -> str:
    """A value as an error quotes it: whole when short, else its start and its length (an error
    must never carry a 20 MB field into logs, the event log and the terminal)."""
    text = value if isinstance(value, str) else str(value)
    cut = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"
    quote = repr(cut) if quoted and isinstance(value, str) else cut
    return quote if cut is text else f"{quote} ({len(text):,} characters)"


class SourceRecordError(ValueError):
    """A value in a source file that cannot be turned into a normalised record.

    ``str()`` reads like ``nflverse games.csv row 1234 (game_id=2023_01_DET_KC): field
    'home_score': 'abc' is not a number``.
    """

    def __init__(self, source: str, record: str | None, field: str | None, message: str) -> None:
        self.source = str(source)
        self.record = record
        self.field = field
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = self.source if self.record is None else f"{self.source} {self.record}"
        if self.field is None:
            return f"{where}: {self.message}"
        return f"{where}: field {self.field!r}: {self.message}"

    def __str__(self) -> str:
        return self._describe()


class UnknownTeamError(SourceRecordError):
    """A team code that is neither a canonical code nor a known alias for the sport."""
