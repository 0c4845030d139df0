import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.momentum import momentum, rest_flags
from royaley_pipeline_tests.domain.generated import matchups

KICK_OFF = pd.Timestamp("2024-01-01 18:00", tz="UTC")


def _games(rows):
    """rows: (day, home, away, home_score, away_score); None scores = not played yet."""
    return pd.DataFrame({
        "game_id": range(len(rows)),
        "season": 2024,
        "start_time": [KICK_OFF + pd.Timedelta(days=day) for day, *_ in rows],
        "home_team": [home for _, home, *_ in rows],
        "away_team": [away for _, _, away, *_ in rows],
        "status": ["final" if row[3] is not None else "scheduled" for row in rows],
        "home_score": [np.nan if row[3] is None else row[3] for row in rows],
        "away_score": [np.nan if row[4] is None else row[4] for row in rows],
    })


def test_form_and_streak_use_only_earlier_results():
    games = _games([
        (0, "A", "B", 20, 10),   # A wins
        (1, "B", "A", 30, 10),   # A loses
        (2, "A", "C", 14, 7),    # A wins
        (3, "A", "B", 21, 3),    # A wins
        (4, "C", "A", None, None),
    ])
    recent = momentum(games, windows=(2, 5))
    # Before game 4, A's results are W L W W: last two both won, four of five-or-fewer → 3/4.
    assert recent.loc[4, "away_form_last2"] == 1.0
    assert recent.loc[4, "away_form_last5"] == 0.75
    assert recent.loc[4, "away_streak"] == 2
    assert recent.loc[4, "away_points_for_per_game_last2"] == (14 + 21) / 2
    assert recent.loc[4, "away_point_differential_per_game_last5"] == (10 - 20 + 7 + 18) / 4
    # B before game 3: W at game 1 after L at game 0 → streak +1, form over 2 = 0.5.
    assert recent.loc[3, "away_streak"] == 1
    assert recent.loc[3, "away_form_last2"] == 0.5
    # A first game: nothing known, rates NaN, streak 0.
    assert np.isnan(recent.loc[0, "home_form_last5"]) and recent.loc[0, "home_streak"] == 0


def test_simultaneous_games_and_ties():
    games = _games([(0, "A", "B", 10, 10), (0, "A", "C", 30, 0), (1, "B", "A", 3, 7)])
    recent = momentum(games, windows=(5,))
    # the team listed twice at one start time never sees its own simultaneous result
    assert np.isnan(recent.loc[1, "home_form_last5"])
    # A before game 2: a tie (half a win) and a win; the tie broke nothing, the win makes a streak of 1
    assert recent.loc[2, "away_form_last5"] == 0.75
    assert recent.loc[2, "away_streak"] == 1
    assert recent.loc[2, "home_streak"] == 0  # B's only result is a tie


def test_rest_flags_are_missing_when_rest_is_unknown():
    flags = rest_flags(pd.Series([np.nan, 1.0, 4.0, 7.0]), short_rest_days=5)
    assert np.isnan(flags.loc[0, "short_rest"]) and np.isnan(flags.loc[0, "back_to_back"])
    assert flags["short_rest"].tolist()[1:] == [1.0, 1.0, 0.0]
    assert flags["back_to_back"].tolist()[1:] == [1.0, 0.0, 0.0]


def naive_momentum(games: pd.DataFrame, window: int) -> pd.DataFrame:
    """The per-game definition, written out: filter each team's earlier final games."""
    rows = []
    for game in games.itertuples():
        row = {}
        for side, team in (("home", game.home_team), ("away", game.away_team)):
            earlier = games[(games["start_time"] < game.start_time) & (games["status"] == "final")
                            & ((games["home_team"] == team) | (games["away_team"] == team))]
            earlier = earlier.sort_values(["start_time", "game_id"])
            at_home = earlier["home_team"] == team
            scored = np.where(at_home, earlier["home_score"], earlier["away_score"])
            conceded = np.where(at_home, earlier["away_score"], earlier["home_score"])
            won = (scored > conceded) + 0.5 * (scored == conceded)
            last = won[-window:]
            row[f"{side}_form_last{window}"] = last.mean() if len(last) else np.nan
            streak = 0
            for result in won[::-1]:
                if result == 0.5 or (streak > 0 and result == 0) or (streak < 0 and result == 1):
                    break
                streak += 1 if result == 1 else -1
            row[f"{side}_streak"] = float(streak)
        rows.append(row)
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6), st.integers(1, 40), st.integers(1, 6))
def test_matches_the_per_game_definition(seed, team_count, game_count, window):
    rng = np.random.default_rng(seed)
    home, away = matchups(rng, team_count, game_count)
    played = rng.random(game_count) < 0.8
    games = pd.DataFrame({
        "game_id": np.arange(game_count), "season": 2024,
        "start_time": KICK_OFF + pd.to_timedelta(rng.integers(0, 10, game_count), unit="D"),
        "home_team": [f"T{t}" for t in home], "away_team": [f"T{t}" for t in away],
        "status": np.where(played, "final", "scheduled"),
        "home_score": np.where(played, rng.integers(0, 4, game_count), np.nan),
        "away_score": np.where(played, rng.integers(0, 4, game_count), np.nan),
    })
    expected = naive_momentum(games, window)
    actual = momentum(games, windows=(window,))[expected.columns]
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
