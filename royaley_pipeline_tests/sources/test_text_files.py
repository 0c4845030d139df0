"""The guarded CSV reader: rows by their line, and a named refusal for whatever is not a CSV row."""

import io

import pytest

from royaley_pipeline.sources.errors import SourceRecordError, shown
from royaley_pipeline.sources.text_files import MAX_LINE_BYTES, read_text_csv


def read(content: bytes | str, key: str | None = "id"):
    buffer = io.BytesIO(content) if isinstance(content, bytes) else io.StringIO(content)
    return read_text_csv(buffer, "test file.csv", key)


def refusal(content: bytes | str) -> str:
    with pytest.raises(SourceRecordError) as caught:
        read(content)
    return str(caught.value)


def test_rows_are_indexed_by_their_first_line_and_blanks_are_missing():
    frame = read('\ufeffid,name,note\r\n1,a,\r\n\r\n2,"two\nlines",x\r\n3,c,y\r\n')
    assert list(frame.columns) == ["id", "name", "note"]  # byte-order mark dropped
    assert list(frame.index) == [2, 4, 6]  # the blank line 3 skipped; row 4 spans lines 4-5
    assert frame.at[4, "name"] == "two\nlines" and frame["note"].isna().tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,name\n1,a\n2,b,extra\n", "test file.csv row 3 (id=2): the row has 3 fields where the header has 2"),
        (b"id,name,venue\n1,a\n", "test file.csv row 2 (id=1): field 'venue': the row has 2 fields"),
        (b"id,name,id\n1,a,b\n", "test file.csv header: field 'id': column appears more than once"),
        (b"id,name\n1,caf\xe9\n", "test file.csv row 2: field 'name': byte 0xe9 at byte offset 13 is not UTF-8"),
        (b"id,name\n1,a\x00b\n", "test file.csv row 2: field 'name': NUL byte at byte offset 11"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "test file.csv header: byte 0x89 at byte offset 0 is not UTF-8"),
        (b"", "test file.csv: is empty: no header row"),
        (b"id,name\n\n", "test file.csv: has a header but no rows"),
        (b"id,name\n1," + b"n" * (2 * MAX_LINE_BYTES) + b"\n", "row 2: field 'name': the line runs past 65,536 bytes"),
    ],
)
def test_what_is_not_a_csv_row_is_refused_naming_file_row_field_and_byte(content, message):
    assert message in refusal(content)


def test_a_long_key_is_cut_in_the_row_label():
    message = refusal(b"id,name\n" + b"k" * 5000 + b",a,b\n")
    assert "row 2 (id=kkkk" in message and "(5,000 characters)" in message and len(message) < 300


def test_shown_quotes_short_values_whole_and_cuts_long_ones():
    assert shown("abc") == "'abc'" and shown(3.5) == "3.5"
    assert shown("x" * 10_000) == repr("x" * 60 + "…") + " (10,000 characters)"
