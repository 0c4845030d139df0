"""An opening book for tests: the bundled history has only closing lines (captured a minute before
kick-off; nfelo's openers are read only when ROYALEY_SHARED_DATA names a copy), so tests that
predict before kick-off add one, as nfelo's openers or the replay's early snapshots would be."""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import insert

from royaley_pipeline.storage.games import load_odds_snapshots
from royaley_pipeline.storage.models import OddsSnapshotRow


def insert_openers(engine, day: date, opening: pd.Timestamp, late_move: pd.Timestamp) -> None:
    """An opening book for a day's games: the closing spread and total 1.5 points off at +110 at
    ``opening``, the closing line at −110 at ``late_move``."""
    snapshots = load_odds_snapshots(engine, "NFL", day, day)
    closing = snapshots.loc[(snapshots["book"] == "nflverse_close") & snapshots["market"].isin(["spread", "total"])]
    shift = np.where(closing["side"].isin(["home", "over"]), 1.5, -1.5)
    rows = [
        {"game_id": int(row.game_id), "book": "test_opener", "market": row.market, "side": row.side,
         "line": float(row.line + offset), "price": price, "captured_at": moment.to_pydatetime(), "source": "test"}
        for row, shifted in zip(closing.itertuples(), shift, strict=True)
        for offset, price, moment in ((shifted, 110.0, opening), (0.0, -110.0, late_move))
    ]
    with engine.begin() as connection:
        connection.execute(insert(OddsSnapshotRow), rows)
