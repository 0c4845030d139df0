"""One game seen by several feeds is stored once, and a lagging feed never undoes a final score."""

from __future__ import annotations

from sqlalchemy import select

from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.nflverse import read_nflverse_games
from royaley_pipeline.storage.collected import store_collected
from royaley_pipeline.storage.models import GameRow

NFLVERSE = "royaley_pipeline/data/nflverse/games.csv"


def test_feeds_share_games_and_final_scores_stay(engine):
    day_one = read_nflverse_games(NFLVERSE, start="2023-09-10", end="2023-09-10")
    store_collected(engine, "NFL", day_one)  # finals, under nflverse ids
    espn_like = day_one.games.assign(
        source="espn", source_game_id=[f"4016{i:05d}" for i in range(len(day_one.games))],
        status="scheduled", home_score=float("nan"), away_score=float("nan"),
    )
    summary = store_collected(engine, "NFL", SourceBatch(games=espn_like))
    assert summary.rekeyed_games == len(day_one.games)
    with engine.connect() as connection:
        rows = connection.execute(select(GameRow.source_game_id, GameRow.status, GameRow.home_score)).all()
    assert len(rows) == len(day_one.games)
    assert {row.source_game_id for row in rows} == set(day_one.games["source_game_id"])
    assert {row.status for row in rows} == {"final"} and all(row.home_score is not None for row in rows)
