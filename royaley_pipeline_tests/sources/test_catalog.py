import logging

import pandas as pd

from royaley_pipeline.config import load_settings
from royaley_pipeline.sources.catalog import (
    default_source_locations,
    read_sport_history,
)
from royaley_pipeline.sources.frames import GAME_COLUMNS, ODDS_COLUMNS


def test_locations_point_at_embedded_files():
    locations = default_source_locations(load_settings({}))
    for role, location in locations.items():
        if role == "nfelo_games":
            continue
        for path in location if isinstance(location, list) else [location]:
            assert path.is_file(), role
    assert len(locations["atp_matches"]) == 9


def test_nfl_history_for_one_season():
    settings = load_settings()  # with nfelo when ROYALEY_SHARED_DATA / ROYALEY_NFELO_PATH name a copy
    batch = read_sport_history("nfl", settings, start="2023-09-01", end="2024-02-29")
    assert len(batch.games) == 285
    assert set(batch.odds["source_game_id"]) <= set(batch.games["source_game_id"])
    books = set(batch.odds["book"])
    assert books == ({"nflverse_close", "nfelo"} if settings.nfelo_path else {"nflverse_close"})
    assert list(batch.games.columns) == list(GAME_COLUMNS)
    assert list(batch.odds.columns) == list(ODDS_COLUMNS)


def test_sport_without_history_gives_an_empty_batch_and_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        batch = read_sport_history("NHL", load_settings({}))
    assert batch.games.empty and list(batch.games.columns) == list(GAME_COLUMNS)
    assert isinstance(batch.odds["captured_at"].dtype, pd.DatetimeTZDtype)
    assert "no bundled history for NHL" in caplog.text


def test_a_window_ending_mid_week_still_matches_nfelo_lines():
    # 2023-09-30 ends the window just before week 5, whose London game (Oct 8) sits past the
    # widened read while its Thursday game (Oct 5) sits inside it.
    from datetime import date

    from royaley_pipeline.config import load_settings
    from royaley_pipeline.sources.catalog import read_sport_history

    batch = read_sport_history("NFL", load_settings(), start=date(2023, 9, 1), end=date(2023, 9, 30))
    assert len(batch.games) == 49
    assert set(batch.odds["source_game_id"]) <= set(batch.games["source_game_id"])
