import numpy as np
import pandas as pd

from royaley_pipeline.domain.labels import labels


def _games(rows):
    return pd.DataFrame(rows, columns=["game_id", "status", "home_score", "away_score"])


def _lines(rows):
    return pd.DataFrame(rows, columns=["game_id", "closing_spread_home", "closing_total"])


def test_win_cover_and_over_with_pushes_ties_and_missing_lines():
    games = _games([
        (1, "final", 24.0, 20.0),      # home wins by 4
        (2, "final", 20.0, 23.0),      # home loses by 3
        (3, "final", 17.0, 17.0),      # tie
        (4, "scheduled", np.nan, np.nan),
        (5, "final", 30.0, 10.0),      # no lines at all
    ])
    lines = _lines([
        (1, -3.5, 44.0),   # covers (24 - 3.5 > 20); push on total (44)
        (2, 3.0, 40.5),    # push on spread (20 + 3 == 23); over 43 > 40.5
        (3, -1.0, 35.0),   # tie: no winner, home fails to cover by 1, under
        (4, -2.0, 40.0),
    ])
    result = labels(games, lines).set_index("game_id")
    expected = pd.DataFrame(
        {
            "home_win": [1.0, 0.0, np.nan, np.nan, 1.0],
            "home_cover": [1.0, np.nan, 0.0, np.nan, np.nan],
            "over": [np.nan, 1.0, 0.0, np.nan, np.nan],
        },
        index=pd.Index([1, 2, 3, 4, 5], name="game_id"),
    )
    pd.testing.assert_frame_equal(result, expected)


def test_a_final_status_is_required_even_when_scores_are_present():
    games = _games([(1, "in_progress", 14.0, 3.0)])
    result = labels(games, _lines([(1, -3.0, 40.0)]))
    assert result[["home_win", "home_cover", "over"]].isna().all(axis=None)
