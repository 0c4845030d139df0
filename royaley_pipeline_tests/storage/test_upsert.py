"""The write path refuses, on SQLite as on PostgreSQL, text the schema cannot hold as given."""

import pytest
from sqlalchemy import func, select

from royaley_pipeline.storage.models import VenueRow
from royaley_pipeline.storage.upsert import UnstorableTextError, upsert_rows


@pytest.mark.parametrize(
    ("name", "message"),
    [("V" * 121, "venues.name of the row name=VVVV"), ("Nowhere\x00Park Annex", "holds a NUL byte")],
)
def test_text_too_long_or_with_a_nul_byte_is_refused_on_both_dialects(engine, name, message):
    rows = [{"name": "Nowhere Park", "roof": "outdoors"}, {"name": name, "roof": "outdoors"}]
    with pytest.raises(UnstorableTextError, match=message), engine.begin() as connection:
        upsert_rows(connection, VenueRow.__table__, rows, ["name"])
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(VenueRow).where(VenueRow.name.like("Nowhere%")))
        assert stored.scalar_one() == 0  # the transaction wrote neither row


def test_text_at_the_column_size_is_stored(engine):
    with engine.begin() as connection:
        upsert_rows(connection, VenueRow.__table__, [{"name": "V" * 120, "roof": None}], ["name"])
    with engine.connect() as connection:
        assert connection.execute(select(VenueRow.name).where(VenueRow.name.like("VVV%"))).scalar_one() == "V" * 120
