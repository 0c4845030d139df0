"""The daily cycle on the replay, scoring one NFL Sunday in process, and the replay's ledger.

    python benchmarks/replay_benchmark.py [--nfl-start 2024-10-06 --nfl-days 7] [--nba-start 2024-01-08 --nba-days 3]

1. Each sport's replay runs in its own child process (`royaley replay`'s driver, sklearn champions,
   history from ``--history-from``); every run it launches is timed, and each simulated day's runs
   are grouped by stage: collect (the live collection runs), features (the month refresh the
   collection sensor asks for), predict (06:00 schedule and re-pricing on new odds), settle. Peak
   RSS is the child's (the whole replay: service, Dagster, database, MLflow).
2. In process, on the NFL replay's folder: one NFL Sunday from loading the three champions to the
   written slate JSON, stage by stage, best and median of ``--repeats``.
3. The replay's own ledger of its NFL stretch (what `royaley replay` prints: the settled bets at
   the prices taken) next to the walk-forward backtest of the same games with the same trainer
   (the production sklearn logistic model; `--mock` models never become champions) at the closing
   prices, per bet type: bets, hit rate, units, ROI and mean closing-line value, with the replay's
   mean CLV split into what the market moved after the bet and the vig of the price taken.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_header, markdown_table, pipeline_environment, python, run_measured  # noqa: E402

STAGES = {"live_collection_job": "collect", "collection_job": "features", "predictions_job": "predict",
          "settlement_job": "settle"}


def child(args) -> None:
    """Run one replay and write its run records as JSON (the parent measures this process)."""
    from royaley_pipeline.replay.driver import ReplayPlan, run_replay

    plan = ReplayPlan(args.sport, date.fromisoformat(args.start), args.days, Path(args.home),
                      history_from_season=args.history_from)
    result = run_replay(plan, progress=lambda message: print(message, flush=True))
    runs = [{**vars(run), "as_of": run.as_of.isoformat()} for run in result.log.runs]
    Path(args.output).write_text(json.dumps(runs))


def daily_cycle(sport: str, start: str, days: int, history_from: int, workspace: Path):
    home = workspace / f"replay-{sport}"
    output = workspace / f"runs-{sport}.json"
    command = [python(), __file__, "--child", "--sport", sport, "--start", start, "--days", str(days),
               "--home", str(home), "--history-from", str(history_from), "--output", str(output)]
    measured = run_measured(command, pipeline_environment(workspace / f"outer-{sport}"), workspace / f"{sport}.log")
    if measured.exit_code != 0:
        raise SystemExit(f"{sport} replay failed: see {workspace / f'{sport}.log'}")
    import pandas as pd

    runs = pd.DataFrame(json.loads(output.read_text()))
    runs["as_of"] = pd.to_datetime(runs["as_of"], utc=True)
    runs["day"] = runs["as_of"].dt.tz_convert("America/New_York").dt.date
    runs["stage"] = runs["job_name"].map(STAGES).fillna("other")
    per_day = runs.pivot_table(index="day", columns="stage", values="seconds", aggfunc="sum", fill_value=0.0)
    counts = runs.pivot_table(index="day", columns="stage", values="seconds", aggfunc="size", fill_value=0)
    return home, measured, per_day, counts


def score_sunday(home: Path, day: date, repeats: int) -> list[dict[str, float]]:
    """Champion load → features, odds → scores → JSON, in this process, on the replay's stores."""
    import os

    import pandas as pd

    os.environ.update(pipeline_environment(home))
    from royaley_pipeline.assets.predictions import (
        PredictionConfig,
        observed_as_of,
        predict_slate,
        write_slate_json,
    )
    from royaley_pipeline.domain.features import DEFAULT_SETTINGS, FEATURE_SET_VERSION, features_as_of
    from royaley_pipeline.domain.market import best_available_prices
    from royaley_pipeline.registry import ModelRegistry
    from royaley_pipeline.sports import get_sport
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.features import load_feature_inputs, load_features

    sport = get_sport("NFL")
    engine = engine_for(f"sqlite:///{home / 'royaley.db'}")

    class Log:
        def warning(self, message):  # noqa: D401 (the predict_slate logger interface)
            print(message)

    timings = []
    for _ in range(repeats):
        registry = ModelRegistry(f"sqlite:///{home / 'mlflow.db'}")
        began = time.perf_counter()
        # What the predictions asset does: the day's inputs, market/weather/injury features as of
        # the prediction (three hours before the first kick-off), the best prices then.
        inputs = load_feature_inputs(engine, "NFL", start=day - pd.Timedelta(days=DEFAULT_SETTINGS.injury_lookback_days),
                                     end=day)
        games = inputs["games"].loc[inputs["games"]["game_date"] >= pd.Timestamp(day)]
        as_of = games["start_time"].min() - pd.Timedelta(hours=3)
        features = observed_as_of(load_features(engine, "NFL", FEATURE_SET_VERSION, day, day),
                                  features_as_of(sport=sport, as_of=as_of, **inputs))
        prices = best_available_prices(games, inputs["snapshots"], as_of=as_of)
        read = time.perf_counter()
        slate = predict_slate(sport, games, features, prices, registry, PredictionConfig(), Log(), predicted_at=as_of)
        scored = time.perf_counter()
        write_slate_json(home / "bench-predictions", "NFL", day, slate)
        written = time.perf_counter()
        champions = {bet: registry.load_champion("NFL", bet) for bet in sport.bet_types}
        loaded = time.perf_counter()
        timings.append({"read games, features, odds; features and best prices as of the prediction": read - began,
                        "load 3 champions and score (predict_slate)": scored - read,
                        "write JSON": written - scored, "total": written - began,
                        "of which: loading the 3 champions alone": loaded - written,
                        "games": len(games), "predictions": len(slate), "champions": len(champions)})
    return timings


def replay_ledger(home: Path, start: str, days: int):
    """The replay's ledger per bet type (every bet, and tiers A–C as the backtest counts them), and
    its mean CLV split in two: closing fair probability − fair probability when the bet was made
    (the market's move after the bet), plus that fair probability − the price's implied
    probability (the vig paid). The two parts add up to the stored ``clv_probability``."""
    import pandas as pd

    from royaley_pipeline.domain.ledger import LedgerFilter, counted_bets, ledger
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.predictions import load_predictions
    from royaley_pipeline.storage.settlements import load_ledger

    first = date.fromisoformat(start)
    last = first + pd.Timedelta(days=days - 1)
    engine = engine_for(f"sqlite:///{home / 'royaley.db'}")
    _, settled = load_ledger(engine, LedgerFilter("NFL", first, last))
    bets = counted_bets(settled)
    predictions = load_predictions(engine, "NFL", history=True)[["game_id", "bet_type", "predicted_at", "market_probability"]]
    bets = bets.merge(predictions, on=["game_id", "bet_type", "predicted_at"], how="left", validate="one_to_one")
    taken = 1.0 / bets["decimal_odds"]
    bets["market_moved"] = bets["closing_probability"] - bets["market_probability"]
    bets["vig_paid"] = bets["market_probability"] - taken
    rows = {}
    for bet_type, group in bets.groupby("bet_type"):
        every = ledger(settled.loc[settled["bet_type"] == bet_type]).iloc[0]
        signalled = ledger(settled.loc[(settled["bet_type"] == bet_type) & settled["tier"].isin(["A", "B", "C"])])
        rows[bet_type] = {"games": int(settled.loc[settled["bet_type"] == bet_type, "game_id"].nunique()),
                          "all": every, "A-C": signalled.iloc[0],
                          "clv": group["clv_probability"].mean(), "market_moved": group["market_moved"].mean(),
                          "vig_paid": group["vig_paid"].mean(),
                          "line_points": group["clv_line_points"].mean(),
                          "same_price": float(((group["closing_price_american"] - group["price_american"]).abs() < 0.5).mean())}
    return rows, bets


def walk_forward_backtest(start: str, days: int, history_from: int, workspace: Path):
    """The walk-forward backtest of the same games: the same trainer as the replay (sklearn) on the bundled history
    through the season, the stretch's season predicted by a model trained on the seasons before it,
    the betting policy at the closing prices (what every model report shows)."""
    import os

    import mlflow
    import pandas as pd

    home = workspace / "walk-forward"
    env = pipeline_environment(home)
    first, last = date.fromisoformat(start), date.fromisoformat(start) + pd.Timedelta(days=days - 1)
    season = first.year if first.month >= 3 else first.year - 1
    trained = home / ".trained"  # a --reuse run measures the same walk-forward again without retraining
    for command in [] if trained.exists() else (["ingest", "--sport", "NFL", "--start", f"{history_from}-09-01", "--end", f"{season + 1}-02-28"],
                    ["train", "--sport", "NFL", "--all-bet-types", "--first-test-season", str(season)]):
        measured = run_measured([python(), "-m", "royaley_pipeline.cli", *command], env,
                                workspace / f"walk-forward-{command[0]}.log")
        if measured.exit_code != 0:
            raise SystemExit(f"walk-forward {command[0]} failed: see {workspace}")
    trained.write_text("ingested and trained\n")
    os.environ.update(env)
    from royaley_pipeline.domain.backtest import backtest
    from royaley_pipeline.domain.features import FEATURE_SET_VERSION
    from royaley_pipeline.registry import ModelRegistry
    from royaley_pipeline.reports import betting_frame
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.features import load_features

    engine = engine_for(env["ROYALEY_DATABASE_URL"])
    registry = ModelRegistry(env["MLFLOW_TRACKING_URI"])
    features = load_features(engine, "NFL", FEATURE_SET_VERSION, first, last)
    rows = {}
    for bet_type in ("moneyline", "spread", "total"):
        champion = registry.load_champion("NFL", bet_type)
        path = mlflow.artifacts.download_artifacts(run_id=champion.run_id, artifact_path="evaluation/out_of_fold.csv",
                                                   tracking_uri=env["MLFLOW_TRACKING_URI"])
        out_of_fold = pd.read_csv(path)
        out_of_fold = out_of_fold[out_of_fold["game_id"].isin(features["game_id"])]
        frame = betting_frame(bet_type, out_of_fold, features).dropna(subset=["event_decimal_odds",
                                                                                "other_decimal_odds"])
        frame["start_time"] = pd.to_datetime(frame["start_time"], utc=True)
        frame = frame.sort_values("start_time", kind="stable").reset_index(drop=True)
        result = backtest(frame)
        summary = result.summary.set_index("tiers").loc["A+B+C"]
        # The ledger's CLV for a bet at the close: the side's de-vigged closing probability minus
        # the implied probability of the closing price taken (choose_bets keeps the games' order).
        fair = pd.to_numeric(frame["market_probability"], errors="coerce").to_numpy()
        chosen = result.bets
        side_fair = pd.Series(fair).where(chosen["side"] == "event", 1.0 - pd.Series(fair))
        clv = (side_fair - 1.0 / chosen["decimal_odds"])[chosen["tier"].isin(["A", "B", "C"])]
        rows[bet_type] = {"bets": int(summary["bets"]), "hit_rate": summary["hit_rate"],
                          "units": summary["flat_units"], "roi": summary["flat_roi"], "games": len(frame),
                          "clv": float(clv.mean())}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--sport")
    parser.add_argument("--start")
    parser.add_argument("--days", type=int)
    parser.add_argument("--home")
    parser.add_argument("--output")
    parser.add_argument("--history-from", type=int, default=2019)
    parser.add_argument("--nfl-start", default="2024-10-06")
    parser.add_argument("--nfl-days", type=int, default=7)
    parser.add_argument("--nba-start", default="2024-01-08")
    parser.add_argument("--nba-days", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reuse", help="a workspace of an earlier run: skip the replays, measure the rest on them")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    workspace = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="royaley-replay-bench-"))
    print(machine_header("Daily cycle on the replay"))
    rows, nfl_home = [], workspace / "replay-NFL"
    for sport, start, days in (("NFL", args.nfl_start, args.nfl_days), ("NBA", args.nba_start, args.nba_days))[
            : 0 if args.reuse else 2]:
        if days < 1:  # e.g. --nba-days 0: that sport is not replayed
            continue
        home, measured, per_day, counts = daily_cycle(sport, start, days, args.history_from, workspace)
        nfl_home = home if sport == "NFL" else nfl_home
        for day, row in per_day.iterrows():
            cells = [f"{row.get(stage, 0.0):.1f} ({int(counts.loc[day].get(stage, 0))})"
                     for stage in ("collect", "features", "predict", "settle")]
            rows.append([sport, str(day), *cells, round(float(row.sum()), 1), ""])
        rows.append([sport, "whole replay process (set-up and training included)", "", "", "", "",
                     round(measured.wall_seconds, 1), round(measured.peak_rss_mb)])
    if rows:
        print(markdown_table(["sport", "simulated day", "collect s (runs)", "features s (runs)", "predict s (runs)",
                              "settle s (runs)", "cycle wall s", "peak RSS MB"], rows))
    print()
    print(machine_header("Scoring one NFL Sunday in process (champion load → written JSON)"))
    timings = score_sunday(nfl_home, date.fromisoformat(args.nfl_start), args.repeats)
    stages = [key for key in timings[0] if key not in ("games", "predictions", "champions")]
    print(markdown_table(["stage", "best s", "median s"],
                         [[stage, round(min(t[stage] for t in timings), 3),
                           round(statistics.median(t[stage] for t in timings), 3)] for stage in stages]))
    print(f"\n{timings[0]['games']} games, {timings[0]['predictions']} predictions, "
          f"{timings[0]['champions']} champions; {args.repeats} repeats; replay folder {nfl_home}")
    print()
    print(machine_header("The replay's ledger next to the walk-forward backtest of the same NFL games"))
    replayed, bets = replay_ledger(nfl_home, args.nfl_start, args.nfl_days)
    walk_forward = walk_forward_backtest(args.nfl_start, args.nfl_days, args.history_from, workspace)
    table = []
    for bet in walk_forward:
        for label, key in (("replay ledger, every bet", "all"), ("replay ledger, tiers A–C", "A-C")):
            row = replayed[bet][key]
            table.append([bet, label, replayed[bet]["games"], int(row["bets"]), _rate(row["hit_rate"]),
                          f"{row['units']:+.2f}", _rate(row["roi"], signed=True),
                          _points(row["mean_clv_probability"])])
        row = walk_forward[bet]
        table.append([bet, "walk-forward at the close, tiers A–C", row["games"], row["bets"], _rate(row["hit_rate"]),
                      f"{row['units']:+.2f}", _rate(row["roi"], signed=True), _points(row["clv"])])
    print(markdown_table(["bet type", "", "games", "bets", "hit rate", "units", "ROI", "mean CLV (prob. pts)"], table))
    print()
    print(markdown_table(
        ["bet type (replay bets)", "mean CLV", "= market moved after the bet", "+ vig of the price taken",
         "CLV line pts", "taken at the closing price"],
        [[bet, _points(row["clv"]), _points(row["market_moved"]), _points(row["vig_paid"]),
          "–" if row["line_points"] != row["line_points"] else f"{row['line_points']:+.2f}",
          f"{row['same_price']:.0%}"] for bet, row in replayed.items()]))
    bets.to_csv(workspace / "replay-bets.csv", index=False)
    print(f"\nthe replay's bets with both CLV parts: {workspace / 'replay-bets.csv'}")


def _rate(value: float, signed: bool = False) -> str:
    return "–" if value != value else (f"{value:+.1%}" if signed else f"{value:.1%}")


def _points(value: float) -> str:
    return "–" if value != value else f"{100 * value:+.2f}"


if __name__ == "__main__":
    main()
