"""The pipeline's own market scoring reproduces the reference numbers of README-more-sports.md.

Reference: de-vigged (proportional) closing moneyline scored against results; ties, pushes and
unplayed games excluded; the seasons the data README names. Here the readers' batches go through
``domain.market.market_lines`` (the same de-vig and book consensus the features use, with the
sport's reference books), ``domain.labels`` and ``domain.metrics.probability_metrics``; Brier
and log loss must match within 0.001. A reader that dropped, duplicated or mis-sided games, or
a de-vig that went wrong, moves these numbers by more than that.
"""

from __future__ import annotations

import pandas as pd
import pytest

from royaley_pipeline.domain.labels import labels
from royaley_pipeline.domain.market import SNAPSHOT_COLUMNS, market_lines
from royaley_pipeline.domain.metrics import probability_metrics
from royaley_pipeline.sources.cfbd import read_cfbd_lines
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.movada import read_movada_ncaab
from royaley_pipeline.sources.oddsportal import read_oddsportal_mlb, read_oddsportal_nhl
from royaley_pipeline.sources.sbro import read_sbro_one_row, read_sbro_two_row
from royaley_pipeline.sources.tennis_data import read_tennis_data_games
from royaley_pipeline.sports import get_sport
from royaley_pipeline_tests.sources.external_data import require_external

TOLERANCE = 0.001


def closing_market_scores(batch: SourceBatch, seasons: range | None, sport: str) -> dict[str, float]:
    games = batch.games.assign(game_id=range(len(batch.games)))
    game_ids = dict(zip(games["source_game_id"], games["game_id"], strict=True))
    snapshots = batch.odds.assign(game_id=batch.odds["source_game_id"].map(game_ids))[SNAPSHOT_COLUMNS]
    lines = market_lines(games, snapshots, get_sport(sport).reference_books)
    outcome = labels(games, lines)["home_win"]
    probability = lines["market_home_win_probability"]
    scored = outcome.notna() & probability.notna()
    if seasons is not None:
        scored &= games["season"].isin(seasons)
    return probability_metrics(outcome[scored], probability[scored])


def assert_reference(scores: dict[str, float], brier: float, log_loss: float, games: int) -> None:
    assert scores["brier"] == pytest.approx(brier, abs=TOLERANCE)
    assert scores["log_loss"] == pytest.approx(log_loss, abs=TOLERANCE)
    assert abs(scores["n"] - games) <= 0.005 * games  # the same games, give or take the rows a quirk rule settles


@pytest.mark.parametrize(
    ("role", "read", "sport", "seasons", "brier", "log_loss", "games"),
    [
        ("nhl_oddsportal", read_oddsportal_nhl, "NHL", range(2014, 2024), 0.2353, 0.6629, 12017),
        ("nhl_sbro", lambda path: read_sbro_two_row(path, "NHL"), "NHL", None, 0.2363, 0.6651, 6985),
        ("mlb_oddsportal", read_oddsportal_mlb, "MLB", range(2013, 2023), 0.2394, 0.6716, 23070),
        ("mlb_sbro", lambda path: read_sbro_one_row(path, "MLB"), "MLB", None, 0.2407, 0.6741, 24629),
        ("ncaab_sbro", read_movada_ncaab, "NCAAB", None, 0.1785, 0.5301, 35553),
        ("ncaaf_cfbd", read_cfbd_lines, "NCAAF", range(2021, 2024), 0.1858, 0.5493, 2241),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_team_sport_reference(role, read, sport, seasons, brier, log_loss, games):
    batch = read(require_external(role))
    assert_reference(closing_market_scores(batch, seasons, sport), brier, log_loss, games)


@pytest.mark.parametrize(
    ("sport", "role", "brier", "log_loss", "games"),
    [("WTA", "wta_tennis_data", 0.2039, 0.5921, 23067), ("ATP", "atp_tennis_data", 0.1967, 0.5750, 24580)],
)
def test_tennis_reference(sport, role, brier, log_loss, games):
    batch = read_tennis_data_games(require_external(role), sport, start="2013-01-01")
    assert_reference(closing_market_scores(batch, range(2013, 2023), sport), brier, log_loss, games)


def test_the_scores_fail_when_the_sides_are_swapped():
    """The check can fail: the same NHL games with home and away prices exchanged are far off."""
    batch = read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2021-10-01")
    swapped = batch.odds.assign(side=batch.odds["side"].map({"home": "away", "away": "home"}))
    good = closing_market_scores(batch, None, "NHL")
    bad = closing_market_scores(SourceBatch(batch.games, swapped), None, "NHL")
    assert bad["brier"] - good["brier"] > 0.01
    assert pd.notna(good["log_loss"])
