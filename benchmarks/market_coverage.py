"""Which market columns does each source fill? Measured from the bundled data, not assumed.

Each sport's whole bundled history goes through the real path (source readers → SQLite → feature
builder) and the share of games with each market column filled is printed, per sport and for
the NFL per source era (nflverse closing lines alone; nfelo openers where `ROYALEY_NFELO_PATH` or
the shared data copy provides them). The README's statements about empty and filled columns
come from this table.

    python benchmarks/market_coverage.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_header, markdown_table  # noqa: E402

from royaley_pipeline.config import load_settings  # noqa: E402
from royaley_pipeline.domain.features import build_feature_matrix  # noqa: E402
from royaley_pipeline.sources.catalog import BUNDLED_SPORTS, read_sport_history  # noqa: E402
from royaley_pipeline.sports import get_sport  # noqa: E402
from royaley_pipeline.storage.collected import store_collected  # noqa: E402
from royaley_pipeline.storage.database import engine_for  # noqa: E402
from royaley_pipeline.storage.features import load_feature_inputs  # noqa: E402

COLUMNS = [
    "closing_spread_home", "opening_spread_home", "spread_movement",
    "closing_total", "opening_total", "total_movement",
    "closing_moneyline_home", "opening_moneyline_home", "moneyline_probability_movement",
    "market_home_win_probability", "market_home_cover_probability", "market_over_probability",
]


def coverage(matrix: pd.DataFrame) -> list[str]:
    return [f"{matrix[column].notna().mean():.1%}" for column in COLUMNS]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="royaley_market_coverage_") as scratch:
        settings = load_settings({"ROYALEY_HOME": scratch})
        settings.ensure_directories()
        engine = engine_for(settings.database_url)
        rows = []
        for code in BUNDLED_SPORTS:
            store_collected(engine, code, read_sport_history(code, settings))
            matrix = build_feature_matrix(sport=get_sport(code), **load_feature_inputs(engine, code))
            seasons = f"{matrix['season'].min()}–{matrix['season'].max()}"
            rows.append([code, seasons, f"{len(matrix):,}", *coverage(matrix)])
            if code == "NFL":
                with_opener = matrix.loc[matrix["opening_spread_available"] == 1, "season"]
                if len(with_opener):
                    first = int(with_opener.min())
                    for label, part in ((f"before {first}", matrix["season"] < first),
                                        (f"{first} on", matrix["season"] >= first)):
                        part_rows = matrix.loc[part]
                        rows.append([f"NFL {label}", f"{part_rows['season'].min()}–{part_rows['season'].max()}",
                                     f"{len(part_rows):,}", *coverage(part_rows)])
        print(machine_header("Market columns filled, share of games (bundled data)"))
        print()
        # One row per column, one column per sport: the table stays narrow enough to read.
        headers = ["column", *[f"{sport} {seasons} ({games} games)" for sport, seasons, games, *_ in rows]]
        print(markdown_table(headers, [[f"`{column}`", *[row[3 + i] for row in rows]]
                                       for i, column in enumerate(COLUMNS)]))


if __name__ == "__main__":
    main()
