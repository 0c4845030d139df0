import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.head_to_head import head_to_head
from royaley_pipeline_tests.domain.generated import matchups

KICK_OFF = pd.Timestamp("2020-10-01 18:00", tz="UTC")


def _games(rows):
    """rows: (season, day, home, away, home_score, away_score)."""
    return pd.DataFrame({
        "game_id": range(len(rows)),
        "season": [season for season, *_ in rows],
        "start_time": [KICK_OFF + pd.Timedelta(days=365 * (season - 2020) + day) for season, day, *_ in rows],
        "home_team": [row[2] for row in rows],
        "away_team": [row[3] for row in rows],
        "status": ["final" if row[4] is not None else "scheduled" for row in rows],
        "home_score": [np.nan if row[4] is None else row[4] for row in rows],
        "away_score": [np.nan if row[5] is None else row[5] for row in rows],
    })


def test_record_is_the_pairings_seen_from_this_games_home_team():
    games = _games([
        (2020, 0, "A", "B", 24, 10),   # A beats B at home
        (2020, 7, "B", "A", 20, 17),   # B beats A at home
        (2020, 9, "A", "C", 3, 0),     # another pairing
        (2021, 0, "B", "A", None, None),
    ])
    record = head_to_head(games, lookback_seasons=3).loc[3]
    assert record["h2h_games"] == 2
    assert record["h2h_home_wins"] == 1  # B (home today) won one of the two
    assert record["h2h_avg_total"] == (34 + 37) / 2
    assert record["h2h_avg_margin"] == ((10 - 24) + (20 - 17)) / 2  # from B's side
    first = head_to_head(games).loc[0]
    assert first["h2h_games"] == 0 and np.isnan(first["h2h_avg_margin"]) and np.isnan(first["h2h_home_win_pct"])


def test_lookback_counts_seasons_and_the_game_itself_never_counts():
    games = _games([(2018, 0, "A", "B", 1, 0), (2019, 0, "A", "B", 1, 0), (2020, 0, "A", "B", 1, 0),
                    (2020, 0, "B", "A", 5, 0)])
    records = head_to_head(games, lookback_seasons=2)
    # 2020 games see 2019 only (2018 is out of a two-season look-back, 2020's are simultaneous)
    assert records.loc[2, "h2h_games"] == 1 and records.loc[3, "h2h_games"] == 1
    assert records.loc[3, "h2h_home_wins"] == 0  # B lost the 2019 meeting


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 40), st.integers(1, 3))
def test_matches_the_per_game_definition(seed, team_count, game_count, lookback):
    rng = np.random.default_rng(seed)
    home, away = matchups(rng, team_count, game_count)
    season = np.sort(rng.integers(2018, 2022, game_count))
    played = rng.random(game_count) < 0.8
    games = _games([(int(s), int(rng.integers(0, 30)), f"T{h}", f"T{a}",
                     int(rng.integers(0, 5)) if p else None, int(rng.integers(0, 5)) if p else None)
                    for s, h, a, p in zip(season, home, away, played, strict=True)])
    expected = []
    for game in games.itertuples():
        meetings = games[(games["start_time"] < game.start_time) & (games["status"] == "final")
                         & (games["season"] >= game.season - lookback + 1)
                         & (((games["home_team"] == game.home_team) & (games["away_team"] == game.away_team))
                            | ((games["home_team"] == game.away_team) & (games["away_team"] == game.home_team)))]
        margin = np.where(meetings["home_team"] == game.home_team, 1, -1) * (
            meetings["home_score"] - meetings["away_score"])
        expected.append({"h2h_games": float(len(meetings)),
                         "h2h_home_wins": float((margin > 0).sum() + 0.5 * (margin == 0).sum()),
                         "h2h_avg_margin": margin.mean() if len(meetings) else np.nan})
    expected = pd.DataFrame(expected)
    actual = head_to_head(games, lookback)[expected.columns]
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
