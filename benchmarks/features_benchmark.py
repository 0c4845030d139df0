"""How fast is build_feature_matrix, on real leagues and on generated ones up to a million games?

Each case runs in a forked child process so that its peak resident memory (VmHWM) is its own.
The naive baseline is the obvious per-game pandas code (loop over games, filter the earlier
games and the game's snapshots) computing the same Elo, season and rolling team form, head-to-head and closing-line features;
it is checked against the vectorised build before its time is reported.

    python benchmarks/features_benchmark.py                 # everything (the 1M case takes a while)
    python benchmarks/features_benchmark.py --max-games 20000   # quick: caps every case
    python benchmarks/features_benchmark.py --baseline-checkout ../main   # + the 1M build of another checkout

CPU seconds are reported next to wall seconds: on a shared machine the wall clock measures the
neighbours, while the build is single-threaded, so its CPU time is what it costs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue as queue_module
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.domain.elo import win_probability
from royaley_pipeline.domain.features import build_feature_matrix
from royaley_pipeline.domain.odds import devig_two_way
from royaley_pipeline.sources.nflverse import closing_quotes
from royaley_pipeline.sports import Sport, get_sport

NFL_GAMES = PACKAGE_DATA / "nflverse" / "games.csv"  # embedded copies of the shared data files
NBA_GAMES = PACKAGE_DATA / "nba" / "nba_2008-2025.csv"
SNAPSHOT_COLUMNS = ["game_id", "book", "market", "side", "line", "price", "captured_at"]


def _one_book_closing_snapshots(games: pd.DataFrame, quotes: list[tuple]) -> pd.DataFrame:
    captured_at = games["start_time"] - pd.Timedelta(minutes=1)
    return pd.concat(
        [pd.DataFrame({"game_id": games["game_id"], "book": "closing", "market": market, "side": side,
                       "line": line, "price": pd.Series(price, dtype="float64"), "captured_at": captured_at})
         for market, side, line, price in quotes],
        ignore_index=True,
    )


def nfl_history() -> tuple[pd.DataFrame, pd.DataFrame, Sport]:
    raw = pd.read_csv(NFL_GAMES)
    scored = raw["home_score"].notna() & raw["away_score"].notna()
    kick_off = pd.to_datetime(raw["gameday"] + " " + raw["gametime"].fillna("13:00"))
    games = pd.DataFrame({
        "game_id": np.arange(len(raw)), "sport": "NFL", "season": raw["season"],
        "game_date": pd.to_datetime(raw["gameday"]),
        "start_time": kick_off.dt.tz_localize("America/New_York").dt.tz_convert("UTC"),
        "home_team": raw["home_team"], "away_team": raw["away_team"],
        "neutral_site": raw["location"].eq("Neutral"), "status": np.where(scored, "final", "scheduled"),
        "home_score": raw["home_score"].astype("float64"), "away_score": raw["away_score"].astype("float64"),
    })
    snapshots = _one_book_closing_snapshots(games, closing_quotes(raw))
    games["roof"] = raw["roof"]
    weather = pd.DataFrame({"game_id": games["game_id"], "observed_at": games["start_time"],
                            "temperature_f": raw["temp"].astype(float), "wind_mph": raw["wind"].astype(float),
                            "precipitation_probability": np.nan, "is_indoor": raw["roof"].isin(["dome", "closed"])})
    return games, snapshots, get_sport("NFL"), weather, None


def nba_history() -> tuple[pd.DataFrame, pd.DataFrame, Sport]:
    """The Kaggle file: season named by its end year, favourite's spread ≥ 0 with `whos_favored`."""
    raw = pd.read_csv(NBA_GAMES)
    game_date = pd.to_datetime(raw["date"])
    home_line = np.where(raw["whos_favored"].eq("home"), -raw["spread"], raw["spread"])
    games = pd.DataFrame({
        "game_id": np.arange(len(raw)), "sport": "NBA", "season": raw["season"] - 1, "game_date": game_date,
        "start_time": (game_date + pd.Timedelta(hours=23)).dt.tz_localize("UTC"),
        "home_team": raw["home"], "away_team": raw["away"], "neutral_site": False, "status": "final",
        "home_score": raw["score_home"].astype("float64"), "away_score": raw["score_away"].astype("float64"),
    })
    snapshots = _one_book_closing_snapshots(games, [
        ("spread", "home", home_line, np.nan), ("spread", "away", -home_line, np.nan),
        ("total", "over", raw["total"], np.nan), ("total", "under", raw["total"], np.nan),
        ("moneyline", "home", np.nan, raw["moneyline_home"]), ("moneyline", "away", np.nan, raw["moneyline_away"]),
    ])
    return games, snapshots, get_sport("NBA"), None, None


def generated_league(game_count: int, seed: int = 7) -> tuple:
    """NBA-shaped divisions of 30 teams (one per 100k games, so a million games span 81 seasons,
    not 800), 1,230 games a season per division, 2 slots a day; an opening and a closing snapshot
    per side from one book (12 snapshot rows a game); a weather observation per game (as if
    outdoors) and an injury report per game, filed the day before."""
    rng = np.random.default_rng(seed)
    divisions = max(1, game_count // 100_000)
    team_count, games_per_season, games_per_slot = 30 * divisions, 1230 * divisions, 5 * divisions
    number = np.arange(game_count)
    season = 2000 + number // games_per_season
    slot_in_season = (number % games_per_season) // games_per_slot
    day = (season - 2000) * 365 + slot_in_season // 2
    slot_offset = pd.to_timedelta(np.where(slot_in_season % 2 == 0, 0, 3), unit="h")
    start_time = pd.Timestamp("2000-10-01 23:00", tz="UTC") + pd.to_timedelta(day, unit="D") + slot_offset
    start_time = pd.DatetimeIndex(start_time)
    # each slot draws distinct teams: nobody plays twice at once
    slot, position = number // games_per_slot, number % games_per_slot
    shuffled = rng.permuted(np.tile(np.arange(team_count), (slot[-1] + 1 if game_count else 0, 1)), axis=1)
    home, away = shuffled[slot, 2 * position], shuffled[slot, 2 * position + 1]
    teams = np.array([f"Team {team:02d}" for team in range(team_count)], dtype=object)
    games = pd.DataFrame({
        "game_id": number, "sport": "NBA", "season": season,
        "game_date": start_time.tz_localize(None).normalize(), "start_time": start_time,
        "home_team": teams[home], "away_team": teams[away], "neutral_site": rng.random(game_count) < 0.02,
        "status": "final", "home_score": rng.normal(112, 12, game_count).round(),
        "away_score": rng.normal(109, 12, game_count).round(),
    })
    spread = rng.normal(-3, 6, game_count).round() + 0.5
    total = rng.normal(220, 10, game_count).round() + 0.5
    favourite = np.where(spread < 0, -180.0, 160.0)
    underdog = np.where(spread < 0, 160.0, -180.0)
    frames = []
    for hours_before, drift in ((48, 0.0), (1, 1.0)):
        captured = start_time - pd.Timedelta(hours=hours_before)
        moved = spread + drift * rng.choice([-1.0, 0.0, 1.0], game_count)
        for market, side, line, price in (
            ("spread", "home", moved, -110.0), ("spread", "away", -moved, -110.0),
            ("total", "over", total + drift, -110.0), ("total", "under", total + drift, -110.0),
            ("moneyline", "home", np.nan, favourite), ("moneyline", "away", np.nan, underdog),
        ):
            frames.append(pd.DataFrame({"game_id": number, "book": "book", "market": market, "side": side,
                                        "line": line, "price": price, "captured_at": captured}))
    weather = pd.DataFrame({
        "game_id": number, "observed_at": start_time - pd.Timedelta(hours=1),
        "temperature_f": rng.normal(55, 20, game_count).round(), "wind_mph": rng.gamma(2, 4, game_count).round(),
        "precipitation_probability": rng.random(game_count).round(2), "is_indoor": False,
    })
    injuries = pd.DataFrame({
        "team": teams[np.where(rng.random(game_count) < 0.5, home, away)],
        "player_name": [f"Player {n}" for n in rng.integers(0, 15, game_count)],
        "position": rng.choice(["G", "F", "C"], game_count),
        "status": rng.choice(["out", "questionable", "doubtful", "probable"], game_count),
        "observed_at": start_time - pd.Timedelta(days=1),
    })
    return games, pd.concat(frames, ignore_index=True), get_sport("MLB"), weather, injuries


def naive_features(games: pd.DataFrame, snapshots: pd.DataFrame, sport: Sport) -> pd.DataFrame:
    """The obvious per-game loop; correct (same values as the vectorised build), just slow."""
    games = games.sort_values(["start_time", "game_id"], kind="stable").reset_index(drop=True)
    params = sport.elo
    ratings: dict[str, float] = {}
    seasons_seen: dict[str, int] = {}
    rows = []
    is_final = (games["status"] == "final") & games["home_score"].notna() & games["away_score"].notna()
    for game in games.itertuples():
        row: dict[str, float] = {"game_id": game.game_id}
        pre_game = {}
        for side, team in (("home", game.home_team), ("away", game.away_team)):
            if team in seasons_seen and seasons_seen[team] != game.season:
                ratings[team] = 1500 + (1 - params.season_regression) * (ratings[team] - 1500)
            seasons_seen[team] = game.season
            pre_game[side] = ratings.get(team, params.initial_rating)
            earlier = games[(games["start_time"] < game.start_time)
                            & ((games["home_team"] == team) | (games["away_team"] == team))]
            season_results = earlier[(earlier["season"] == game.season) & is_final[earlier.index]]
            at_home = season_results["home_team"] == team
            points_for = np.where(at_home, season_results["home_score"], season_results["away_score"])
            points_against = np.where(at_home, season_results["away_score"], season_results["home_score"])
            played = len(season_results)
            row[f"{side}_games_played"] = played
            row[f"{side}_win_pct"] = ((points_for > points_against).sum()
                                      + 0.5 * (points_for == points_against).sum()) / played if played else np.nan
            row[f"{side}_point_differential_per_game"] = (
                (points_for - points_against).mean() if played else np.nan)
            row[f"{side}_rest_days"] = ((game.game_date - earlier["game_date"].max()).days
                                        if len(earlier) else np.nan)
            results = earlier[is_final[earlier.index]].sort_values(["start_time", "game_id"])
            scored = np.where(results["home_team"] == team, results["home_score"], results["away_score"])
            conceded = np.where(results["home_team"] == team, results["away_score"], results["home_score"])
            won = (scored > conceded) + 0.5 * (scored == conceded)
            row[f"{side}_form_last5"] = won[-5:].mean() if len(won) else np.nan
        meetings = games[(games["start_time"] < game.start_time) & is_final & (games["season"] >= game.season - 2)
                         & (((games["home_team"] == game.home_team) & (games["away_team"] == game.away_team))
                            | ((games["home_team"] == game.away_team) & (games["away_team"] == game.home_team)))]
        row["h2h_games"] = float(len(meetings))
        difference = pre_game["home"] - pre_game["away"] + (0.0 if game.neutral_site else params.home_advantage)
        row.update(home_elo=pre_game["home"], away_elo=pre_game["away"], elo_diff=difference)
        row["home_elo_win_probability"] = float(win_probability(difference))
        if is_final[game.Index]:
            margin = game.home_score - game.away_score
            outcome = 1.0 if margin > 0 else (0.0 if margin < 0 else 0.5)
            winner_difference = difference if margin > 0 else (-difference if margin < 0 else 0.0)
            multiplier = (np.log(max(abs(margin), 1.0) + 1.0) * 2.2 / (winner_difference * 0.001 + 2.2)
                          if params.use_margin_of_victory else 1.0)
            shift = params.k_factor * multiplier * (outcome - row["home_elo_win_probability"])
            ratings[game.home_team] = pre_game["home"] + shift
            ratings[game.away_team] = pre_game["away"] - shift
        quotes = snapshots[(snapshots["game_id"] == game.game_id) & (snapshots["captured_at"] < game.start_time)]
        closing = quotes.sort_values("captured_at").groupby(["market", "side", "book"]).tail(1)
        spread_home = closing[(closing["market"] == "spread") & (closing["side"] == "home")]
        total_over = closing[(closing["market"] == "total") & (closing["side"] == "over")]
        row["closing_spread_home"] = spread_home["line"].median() if len(spread_home) else np.nan
        row["closing_total"] = total_over["line"].median() if len(total_over) else np.nan
        moneyline = closing[closing["market"] == "moneyline"].set_index("side")["price"]
        row["market_home_win_probability"] = (float(devig_two_way(moneyline["home"], moneyline["away"])[0])
                                              if {"home", "away"} <= set(moneyline.index) else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _peak_rss_megabytes() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run_case(load: Callable[[], tuple], max_games: int | None, naive: bool, queue) -> None:
    games, snapshots, sport, weather, injuries = load()
    if max_games is not None and len(games) > max_games:
        games = games.sort_values("start_time").head(max_games)
        snapshots = snapshots[snapshots["game_id"].isin(games["game_id"])]
    inputs = [frame for frame in (games, snapshots, weather, injuries) if frame is not None]
    input_megabytes = sum(frame.memory_usage(deep=True).sum() for frame in inputs) / 2**20
    started, cpu_started = time.perf_counter(), time.process_time()
    matrix = build_feature_matrix(games, snapshots, sport, weather=weather, injuries=injuries)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    result = {"games": len(games), "snapshots": len(snapshots), "seconds": seconds, "cpu_seconds": cpu_seconds,
              "feature_columns": matrix.shape[1],
              "input_mb": input_megabytes, "peak_rss_mb": _peak_rss_megabytes()}
    if naive:
        started = time.perf_counter()
        slow = naive_features(games, snapshots, sport)
        result["naive_seconds"] = time.perf_counter() - started
        fast = matrix.set_index("game_id").loc[slow["game_id"], slow.columns[1:]]
        result["naive_max_difference"] = float(np.nanmax(np.abs(fast.to_numpy() - slow.iloc[:, 1:].to_numpy())))
        nan_agree = np.array_equal(np.isnan(fast.to_numpy(dtype=float)), np.isnan(slow.iloc[:, 1:].to_numpy(float)))
        result["naive_nan_pattern_agrees"] = nan_agree
    queue.put(result)


_BASELINE_CHILD = """
import json, resource, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/benchmarks"]
from features_benchmark import generated_league
from royaley_pipeline.domain.features import build_feature_matrix
games, snapshots, sport, weather, injuries = generated_league(int(sys.argv[2]))
started, cpu_started = time.perf_counter(), time.process_time()
build_feature_matrix(games, snapshots, sport, weather=weather, injuries=injuries)
print(json.dumps({"games": len(games), "seconds": time.perf_counter() - started,
                  "cpu_seconds": time.process_time() - cpu_started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def baseline_build(checkout: Path, game_count: int) -> dict:
    """The same generated league built by another checkout's feature builder, in its own process."""
    output = subprocess.run([sys.executable, "-c", _BASELINE_CHILD, str(checkout.resolve()), str(game_count)],
                            capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_case(load: Callable[[], tuple], max_games: int | None, naive: bool = False) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_run_case, args=(load, max_games, naive, queue))
    child.start()
    while True:
        try:
            result = queue.get(timeout=1.0)
            break
        except queue_module.Empty:
            if not child.is_alive():
                raise RuntimeError(f"benchmark case failed (exit code {child.exitcode})") from None
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-games", type=int, default=None, help="cap every case at this many games")
    parser.add_argument("--naive-games", type=int, default=10_000, help="games for the naive baseline")
    parser.add_argument("--baseline-checkout", default=None,
                        help="another checkout (e.g. ../main) whose feature builder is timed on the 1M league too")
    arguments = parser.parse_args()
    cap = arguments.max_games

    cases: list[tuple[str, Callable[[], tuple], int | None]] = []
    if NFL_GAMES.exists():
        cases.append(("NFL nflverse 1999-2024", nfl_history, cap))
    if NBA_GAMES.exists():
        cases.append(("NBA kaggle 2007-2024", nba_history, cap))
    for size in (10_000, 100_000, 1_000_000):
        if cap is None or size <= cap:
            cases.append((f"generated {size:,}", lambda size=size: generated_league(size), None))

    header = (f"{'case':<26}{'games':>10}{'snapshots':>12}{'columns':>9}{'seconds':>10}{'cpu s':>8}{'games/s':>12}"
              f"{'input MB':>10}{'peak RSS MB':>13}")
    print(header)
    print("-" * len(header))
    for name, load, case_cap in cases:
        result = run_case(load, case_cap)
        print(f"{name:<26}{result['games']:>10,}{result['snapshots']:>12,}{result['feature_columns']:>9}"
              f"{result['seconds']:>10.2f}{result['cpu_seconds']:>8.2f}"
              f"{result['games'] / result['seconds']:>12,.0f}{result['input_mb']:>10.0f}{result['peak_rss_mb']:>13.0f}")
        if arguments.baseline_checkout and name == "generated 1,000,000":
            base = baseline_build(Path(arguments.baseline_checkout), result["games"])
            print(f"{'  baseline checkout':<26}{base['games']:>10,}{'':>12}{'':>9}{base['seconds']:>10.2f}"
                  f"{base['cpu_seconds']:>8.2f}{'':>12}{'':>10}{base['peak_rss_mb']:>13.0f}"
                  f"   this build / baseline, cpu: {result['cpu_seconds'] / base['cpu_seconds']:.2f}×")

    naive_games = min(arguments.naive_games, cap) if cap else arguments.naive_games
    result = run_case(lambda: generated_league(naive_games), None, naive=True)
    print()
    print(f"naive per-game pandas loop on {result['games']:,} generated games: {result['naive_seconds']:.1f} s "
          f"vs vectorised {result['seconds']:.2f} s → {result['naive_seconds'] / result['seconds']:,.0f}× faster")
    print(f"same values: max |difference| {result['naive_max_difference']:.2e}, "
          f"missing values agree: {result['naive_nan_pattern_agrees']}")


if __name__ == "__main__":
    main()
