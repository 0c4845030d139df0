"""The first law: a game's features depend only on what was known before it started.

Generated leagues (several seasons, simultaneous kick-offs, unplayed games, several books, odds
captured before and after kick-off, weather observed around kick-off, injury reports at any time)
are cut at a random moment D. Every column of every game
starting at or before D must be identical whether the later games are absent, present, or carry
different scores and odds; games starting exactly at D may differ in their own labels only; and snapshots captured at or after a game's start must never matter.
"""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.features import OBSERVED_COLUMNS, build_feature_matrix, features_as_of
from royaley_pipeline.domain.labels import LABEL_COLUMNS
from royaley_pipeline.sports import get_sport
from royaley_pipeline_tests.domain.generated import matchups

SPORT = get_sport("NFL")
SEASON_OPENERS = pd.Timestamp("2020-09-01 17:00", tz="UTC")
ROOFS = ("outdoors", "dome", None)


def generated_league(seed: int, team_count: int, game_count: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    season = np.sort(rng.integers(2020, 2023, game_count))
    day = rng.integers(0, 20, game_count)
    hour = rng.choice([0, 3], game_count)             # few distinct slots: many simultaneous games
    start_time = (SEASON_OPENERS + pd.to_timedelta((season - 2020) * 365 + day, unit="D")
                  + pd.to_timedelta(hour, unit="h"))
    home, away = matchups(rng, team_count, game_count)
    is_final = rng.random(game_count) < 0.85
    games = pd.DataFrame({
        "game_id": rng.permutation(game_count) + 100,
        "sport": "NFL",
        "season": season,
        "game_date": start_time.tz_localize(None).normalize(),
        "start_time": start_time,
        "home_team": [f"T{team}" for team in home],
        "away_team": [f"T{team}" for team in away],
        "neutral_site": rng.random(game_count) < 0.1,
        "status": np.where(is_final, "final", "scheduled"),
        "home_score": np.where(is_final, rng.integers(0, 40, game_count), np.nan),
        "away_score": np.where(is_final, rng.integers(0, 40, game_count), np.nan),
    })
    return games, generated_snapshots(rng, games)


def generated_snapshots(rng: np.random.Generator, games: pd.DataFrame) -> pd.DataFrame:
    """A few snapshots per game, side and book, some captured after kick-off (live odds)."""
    per_game = 8
    game_index = np.repeat(np.arange(len(games)), per_game)
    count = len(game_index)
    market_side = rng.integers(0, 6, count)
    markets = np.array(["spread", "spread", "total", "total", "moneyline", "moneyline"])[market_side]
    sides = np.array(["home", "away", "over", "under", "home", "away"])[market_side]
    spread = rng.choice(np.arange(-10, 10.5, 0.5), count)
    line = np.select([market_side == 0, market_side == 1, market_side < 4], [spread, -spread,
                     rng.choice(np.arange(35, 55.5, 0.5), count)], np.nan)
    price = rng.choice([-250.0, -150.0, -115.0, -110.0, -105.0, 100.0, 120.0, 200.0, np.nan], count)
    minutes_from_start = rng.integers(-5000, 300, count)
    return pd.DataFrame({
        "game_id": games["game_id"].to_numpy()[game_index],
        "book": rng.choice(["alpha", "beta", "gamma"], count),
        "market": markets,
        "side": sides,
        "line": line,
        "price": price,
        "captured_at": (games["start_time"].iloc[game_index].reset_index(drop=True)
                        + pd.to_timedelta(minutes_from_start, unit="min")),
    })


def generated_context(seed: int, games: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weather observed up to three hours either side of kick-off, and injury reports at random times."""
    rng = np.random.default_rng(seed + 7)
    observations = rng.integers(0, len(games), 2 * len(games))
    weather = pd.DataFrame({
        "game_id": games["game_id"].to_numpy()[observations],
        "observed_at": (pd.DatetimeIndex(games["start_time"])[observations]
                        + pd.to_timedelta(rng.integers(-180, 180, len(observations)), unit="min")),
        "temperature_f": rng.uniform(-5, 95, len(observations)).round(),
        "wind_mph": rng.uniform(0, 30, len(observations)).round(),
        "precipitation_probability": rng.choice([np.nan, 0.0, 0.4, 0.9], len(observations)),
        "is_indoor": rng.random(len(observations)) < 0.2,
    })
    teams = pd.unique(games[["home_team", "away_team"]].to_numpy().ravel())
    report_count = 3 * len(games)
    first, last = games["start_time"].min(), games["start_time"].max()
    injuries = pd.DataFrame({
        "team": rng.choice(teams, report_count),
        "player_name": [f"P{number}" for number in rng.integers(0, 12, report_count)],
        "position": rng.choice(["QB", "WR", None], report_count),
        "status": rng.choice(["out", "questionable", "doubtful", "active"], report_count),
        "observed_at": first - pd.Timedelta(days=3) + pd.to_timedelta(
            rng.integers(0, int((last - first).total_seconds() // 60) + 6 * 1440, report_count), unit="min"),
    })
    return weather, injuries


def _features_of(games, snapshots, game_ids, weather=None, injuries=None):
    matrix = build_feature_matrix(games.assign(roof=games["game_id"].map(lambda id_: ROOFS[id_ % 3])),
                                  snapshots, SPORT, weather=weather, injuries=injuries)
    return matrix[matrix["game_id"].isin(game_ids)].sort_values("game_id").reset_index(drop=True)


def _league(seed: int, team_count: int, game_count: int, cut_quantile: float):
    """A generated league (its seed, games and odds) with its weather and injury reports, and a cut (a
    quantile of its kick-offs)."""
    games, snapshots = generated_league(seed, team_count, game_count)
    weather, injuries = generated_context(seed, games)
    return seed, games, snapshots, weather, injuries, cut_quantile


leagues = st.builds(_league, st.integers(0, 2**32 - 1), st.integers(3, 10), st.integers(2, 60), st.floats(0.0, 1.0))


@settings(max_examples=40, deadline=None)
@given(leagues)
def test_games_after_d_never_change_features_of_games_up_to_d(league):
    seed, games, snapshots, weather, injuries, cut_quantile = league
    cut = games["start_time"].sort_values().iloc[int(cut_quantile * (len(games) - 1))]
    is_known = games["start_time"] <= cut
    known_ids = games.loc[is_known, "game_id"]
    reference = _features_of(games, snapshots, known_ids, weather, injuries)

    reported_by_cut = injuries[injuries["observed_at"] < cut]
    absent = _features_of(games[is_known], snapshots[snapshots["game_id"].isin(known_ids)], known_ids,
                          weather[weather["game_id"].isin(known_ids)], reported_by_cut)
    pd.testing.assert_frame_equal(absent, reference)

    rng = np.random.default_rng(seed + 1)
    changed_games = games.copy()
    later = ~is_known.to_numpy()
    changed_games.loc[later, "status"] = "final"
    changed_games.loc[later, "home_score"] = rng.integers(0, 60, later.sum())
    changed_games.loc[later, "away_score"] = rng.integers(0, 60, later.sum())
    changed_snapshots = snapshots.copy()
    of_later_game = ~changed_snapshots["game_id"].isin(known_ids).to_numpy()
    changed_snapshots.loc[of_later_game, "price"] = rng.choice([-400.0, 300.0], of_later_game.sum())
    changed_snapshots.loc[of_later_game, "line"] += 7.0
    changed_weather = weather.copy()
    of_later_weather = ~changed_weather["game_id"].isin(known_ids).to_numpy()
    changed_weather.loc[of_later_weather, ["temperature_f", "wind_mph"]] = [-40.0, 80.0]
    changed_injuries = injuries.copy()
    reported_later = (changed_injuries["observed_at"] >= cut).to_numpy()
    changed_injuries.loc[reported_later, "status"] = "out"
    changed_injuries.loc[reported_later, "position"] = "QB"
    changed = _features_of(changed_games, changed_snapshots, known_ids, changed_weather, changed_injuries)
    pd.testing.assert_frame_equal(changed, reference)

    # Results of the games kicking off at D itself are unknown at D too: only their status and labels
    # may move.
    at_cut = (games["start_time"] == cut).to_numpy()
    changed_games.loc[at_cut, "status"] = "final"
    changed_games.loc[at_cut, "home_score"] = rng.integers(0, 60, at_cut.sum())
    changed_games.loc[at_cut, "away_score"] = rng.integers(0, 60, at_cut.sum())
    own_outcome = [*LABEL_COLUMNS, "status"]
    without_outcomes = _features_of(changed_games, changed_snapshots, known_ids, changed_weather,
                                    changed_injuries).drop(columns=own_outcome)
    pd.testing.assert_frame_equal(without_outcomes, reference.drop(columns=own_outcome))


@settings(max_examples=30, deadline=None)
@given(leagues)
def test_snapshots_at_or_after_kick_off_never_affect_a_game(league):
    seed, games, snapshots, _, _, _ = league
    start_of_game = snapshots["game_id"].map(games.set_index("game_id")["start_time"])
    pre_game = snapshots[snapshots["captured_at"] < start_of_game]
    reference = _features_of(games, pre_game, games["game_id"])

    rng = np.random.default_rng(seed)
    live = snapshots[snapshots["captured_at"] >= start_of_game].copy()
    live["price"] = rng.choice([-1000.0, 900.0], len(live))
    live["line"] = live["line"] * 3 + 1
    at_kick_off = pre_game.assign(captured_at=start_of_game[pre_game.index], price=500.0, book="late")
    with_live_odds = pd.concat([pre_game, live, at_kick_off], ignore_index=True)
    pd.testing.assert_frame_equal(_features_of(games, with_live_odds, games["game_id"]), reference)


@settings(max_examples=30, deadline=None)
@given(leagues)
def test_weather_after_kick_off_and_injury_reports_from_kick_off_never_affect_a_game(league):
    _, games, snapshots, weather, injuries, _ = league
    kick_off = weather["game_id"].map(games.set_index("game_id")["start_time"])
    by_kick_off = weather[weather["observed_at"] <= kick_off]
    reference = _features_of(games, snapshots, games["game_id"], by_kick_off, injuries)

    post_game = weather[weather["observed_at"] > kick_off].assign(temperature_f=-60.0, wind_mph=90.0)
    # Scratches announced as the last slot kicks off, for the teams playing in it: too late for every game.
    last_slot = games[games["start_time"] == games["start_time"].max()]
    late_scratches = pd.DataFrame({
        "team": pd.concat([last_slot["home_team"], last_slot["away_team"]]).to_numpy(),
        "player_name": "Late Scratch", "position": "QB", "status": "out",
        "observed_at": games["start_time"].max(),
    })
    with_late_news = _features_of(games, snapshots, games["game_id"], pd.concat([by_kick_off, post_game]),
                                  pd.concat([injuries, late_scratches], ignore_index=True))
    pd.testing.assert_frame_equal(with_late_news, reference)


@settings(max_examples=30, deadline=None)
@given(leagues)
def test_a_prediction_sees_only_what_was_observed_before_it_was_made(league):
    """`features_as_of` at instant T: odds, weather and injury reports observed at or after T change
    nothing, and with T after every kick-off it equals the stored (kick-off cut) features."""
    seed, games, snapshots, weather, injuries, cut_quantile = league
    games = games.assign(roof=games["game_id"].map(lambda id_: ROOFS[id_ % 3]))
    span = games["start_time"].max() - games["start_time"].min() + pd.Timedelta(days=2)
    as_of = games["start_time"].min() - pd.Timedelta(days=1) + cut_quantile * span
    seen = features_as_of(games, snapshots, weather, injuries, SPORT, as_of)

    later = snapshots.loc[snapshots["captured_at"] >= as_of].assign(line=99.0, price=900.0)
    late_weather = weather.loc[weather["observed_at"] >= as_of].assign(temperature_f=-40.0, wind_mph=60.0)
    late_injuries = injuries.loc[injuries["observed_at"] >= as_of].assign(status="out", position="QB")
    changed = features_as_of(
        games, pd.concat([snapshots.loc[snapshots["captured_at"] < as_of], later]),
        pd.concat([weather.loc[weather["observed_at"] < as_of], late_weather]),
        pd.concat([injuries.loc[injuries["observed_at"] < as_of], late_injuries]), SPORT, as_of,
    )
    pd.testing.assert_frame_equal(seen, changed)
    assert (seen["snapshot_cutoff"] <= as_of).all()
    assert (seen["snapshot_cutoff"] <= seen.merge(games, on="game_id")["start_time"]).all()

    after_everything = games["start_time"].max() + pd.Timedelta(days=1)
    stored = build_feature_matrix(games, snapshots, SPORT, weather=weather, injuries=injuries)
    final = features_as_of(games, snapshots, weather, injuries, SPORT, after_everything)
    pd.testing.assert_frame_equal(final[OBSERVED_COLUMNS], stored[OBSERVED_COLUMNS])
