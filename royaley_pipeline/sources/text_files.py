"""Reading a CSV source file into text columns, refusing whatever is not one before pandas sees it.

pandas reads a binary file until the codec gives up (``'utf-8' codec can't decode byte 0xe1 in
position 83077``), fills a row cut short with blanks, keeps a NUL byte that SQLite then cuts a name
at, and buffers a 60 MB line whole. Here the bytes are checked line by line first: each line is at
most ``MAX_LINE_BYTES`` long (read with that cap, so a huge line fails after 64 KiB, not after
reading it), holds no NUL byte and is strict UTF-8; each record has exactly the header's number of
fields; the file has a header and at least one row. Every failure is a ``SourceRecordError`` naming
the file, the row (its line number, with the key when known), the field and the byte offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from urllib.parse import urlsplit
from urllib.request import urlopen

import pandas as pd

from royaley_pipeline.sources.errors import SourceRecordError, shown

MAX_LINE_BYTES = 64 * 1024  # the longest line of the bundled files is under 1 KiB
BYTE_ORDER_MARK = "\ufeff"

Location = str | PathLike[str] | io.IOBase


def read_text_csv(location: Location, source: str, key_column: str | None = None) -> pd.DataFrame:
    """Every column as text (blank → NaN), indexed by each row's first line in the file.

    ``location`` is a path, an http(s) URL, or an open text or binary buffer; ``key_column`` names
    rows in errors (``row 12 (game_id=2023_01_DET_KC)``).
    """
    with _binary_stream(location, source) as stream:
        lines = _Lines(stream, source)
        reader = csv.reader(lines)
        header = _header(reader, lines, source)
        rows, first_lines = [], []
        previous_line = reader.line_num
        for fields in reader:
            first_line, previous_line = previous_line + 1, reader.line_num
            if not fields:  # a blank line, skipped as pandas skips it
                continue
            if len(fields) != len(header):
                _wrong_field_count(fields, header, first_line, source, key_column)
            rows.append(fields)
            first_lines.append(first_line)
    if not rows:
        raise SourceRecordError(source, None, None, "has a header but no rows (an empty or truncated file?)")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.mask(frame == "")
    frame.index = pd.Index(first_lines, name="line")
    return frame


class _Lines:
    """The file's lines as bytes, checked; ``number`` is the line last read (1-based)."""

    def __init__(self, stream: io.BufferedIOBase, source: str) -> None:
        self.stream, self.source = stream, source
        self.number = 0
        self.offset = 0  # byte offset of the line last read
        self.header: list[str] = []

    def __iter__(self) -> Iterator[str]:
        offset = 0
        while True:
            line = self.stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            self.number, self.offset = self.number + 1, offset
            offset += len(line)
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                self._fail(line, f"the line runs past {MAX_LINE_BYTES:,} bytes (from byte offset "
                                 f"{self.offset:,}); no CSV row is that long")
            nul = line.find(b"\x00")
            if nul >= 0:
                self._fail(line[:nul], f"NUL byte at byte offset {self.offset + nul:,} (a binary file?)")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                self._fail(
                    line[: error.start],
                    f"byte 0x{line[error.start]:02x} at byte offset {self.offset + error.start:,} is not UTF-8 "
                    "(a binary file, or another encoding?)",
                )
            yield text.removeprefix(BYTE_ORDER_MARK) if self.number == 1 else text

    def _fail(self, before: bytes | None, message: str) -> None:
        """Raise for the current line, naming the field that ``before`` (the line up to the bad byte)
        ends in when the header is known."""
        field = None
        if before is not None and self.header and self.number > 1:
            prefix = before.decode("utf-8", errors="replace")
            position = len(next(csv.reader([prefix]), [""])) - 1
            field = self.header[position] if position < len(self.header) else None
        record = "header" if self.number == 1 else f"row {self.number}"
        raise SourceRecordError(self.source, record, field, message)


def _header(reader, lines: _Lines, source: str) -> list[str]:
    header = next(reader, None)
    if not header:
        raise SourceRecordError(source, None, None, "is empty: no header row")
    header = [name.strip() for name in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise SourceRecordError(source, "header", repeated[0], "column appears more than once")
    lines.header = header
    return header


def _wrong_field_count(fields: list[str], header: list[str], line: int, source: str, key_column: str | None):
    position = header.index(key_column) if key_column in header else len(fields)
    record = f"row {line} ({key_column}={shown(fields[position], quoted=False)})" if position < len(fields) else f"row {line}"
    if len(fields) < len(header):
        raise SourceRecordError(
            source, record, header[len(fields)],
            f"the row has {len(fields)} fields where the header has {len(header)} (cut short: this field and "
            "the ones after it are missing)",
        )
    raise SourceRecordError(source, record, None, f"the row has {len(fields)} fields where the header has {len(header)}")


@contextmanager
def _binary_stream(location: Location, source: str) -> Iterator[io.IOBase]:
    """A location as a binary stream, closed afterwards when opened here."""
    if isinstance(location, io.TextIOBase):
        yield io.BytesIO(location.read().encode("utf-8", errors="surrogateescape"))
        return
    if isinstance(location, io.IOBase):
        yield location
        return
    try:
        if urlsplit(str(location)).scheme in ("http", "https"):
            opened = urlopen(str(location), timeout=60)  # noqa: S310 - http(s) only, checked above
        else:
            opened = open(location, "rb")  # noqa: SIM115 - closed below
    except OSError as error:  # a missing file, or an HTTP/URL error
        reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or error
        raise SourceRecordError(source, None, None, f"cannot be read ({reason})") from None
    with opened:
        yield opened
