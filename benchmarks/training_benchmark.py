"""Training cost per framework, and walk-forward quality per sport against the market and Elo.

Two tables, both on data the pipeline itself stored (`collection_job` over the bundled history
into a temporary SQLite database, features built exactly as the features asset builds them):

1. cost: one NFL moneyline training (walk-forward test seasons 2022–2024 plus the production fit,
   calibration chosen on inner folds) per framework, each in its own child process; wall time and
   peak resident memory of the whole process tree (the H2O JVM and MOJO scorers included). The
   Elo baseline (`--mock`) is the naive reference every ratio is taken against.
2. quality: the production sklearn trainer (logistic, inner-fold search) walk-forward by season
   (NFL moneyline 2015–2024, NBA 2015–2023 by default; ``--sports`` for the others, ``QUALITY``),
   next to the de-vigged closing market and the Elo-only baseline, all scored on the same games,
   and the backtest by signal tier of those forecasts at the closing price (the model asset's
   ``backtest``). ``--bet-types`` walks several bet types forward on one ingest of each sport.

    python benchmarks/training_benchmark.py [--max-runtime 10] [--skip-quality] [--skip-cost] [--sports NHL,MLB]
        [--bet-types moneyline,spread,total]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import date
from pathlib import Path

from _common import REPOSITORY, machine_header, markdown_table, python

QUALITY = {  # first walk-forward test season, last season, bet type
    "NFL": (2015, 2024, "moneyline"), "NBA": (2015, 2023, "moneyline"),
    "NHL": (2014, 2023, "moneyline"), "MLB": (2013, 2022, "moneyline"), "NCAAF": (2021, 2023, "moneyline"),
    "NCAAB": (2015, 2020, "moneyline"), "WTA": (2013, 2022, "match_winner"), "ATP": (2017, 2022, "match_winner"),
}
DEFAULT_QUALITY_SPORTS = "NFL,NBA"
COST_SPORT, COST_BET_TYPE, COST_FIRST_TEST_SEASON, COST_LAST_SEASON = "NFL", "moneyline", 2022, 2024
COST_CASES = [
    ("mock (Elo baseline)", "sklearn", None, True),
    ("sklearn logistic + search", "sklearn", "logistic", False),
    ("sklearn hist GB + search", "sklearn", "hist_gradient_boosting", False),
    ("h2o gbm", "h2o", "gbm", False),
    ("h2o automl", "h2o", "automl", False),
    ("autogluon", "autogluon", None, False),
]


def fill_database(home: Path, sport: str, last_season: int) -> str:
    """Run `collection_job` once over the sport's bundled history into a fresh SQLite database."""
    from dagster import DagsterInstance

    from royaley_pipeline.config import load_settings
    from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config
    from royaley_pipeline.partitions import sport_month_key
    from royaley_pipeline.runner import definitions as build_definitions

    shared = {name: os.environ[name] for name in ("ROYALEY_SHARED_DATA",) if os.environ.get(name)}
    settings = load_settings({"ROYALEY_HOME": str(home), **shared})  # the unshipped sports' files
    settings.ensure_directories()
    job = build_definitions(settings).resolve_job_def("collection_job")
    tags = {RANGE_START_TAG: sport_month_key(sport, date(1999, 9, 1)),
            RANGE_END_TAG: sport_month_key(sport, date(last_season + 1, 7, 1))}
    instance = DagsterInstance.local_temp(str(settings.dagster_home))
    result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config(), raise_on_error=False)
    if not result.success:
        raise RuntimeError(f"collection_job failed for {sport} (run {result.run_id})")
    return settings.database_url


def feature_matrix(database_url: str, sport: str, last_season: int):
    from royaley_pipeline.domain.features import build_feature_matrix
    from royaley_pipeline.sports import get_sport
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.features import load_feature_inputs

    inputs = load_feature_inputs(engine_for(database_url), sport)
    matrix = build_feature_matrix(sport=get_sport(sport), **inputs)
    start_times = inputs["games"].set_index("game_id")["start_time"]
    matrix["start_time"] = matrix["game_id"].map(start_times)
    return matrix[matrix["season"] <= last_season]


def walk_forward(matrix, bet_type: str, trainer, first_test_season: int):
    from royaley_pipeline.domain.features import FEATURE_COLUMNS, LABEL_COLUMN, MARKET_PROBABILITY_COLUMN
    from royaley_pipeline.domain.training import TrainingService

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TrainingService(trainer, first_test_season=first_test_season).run(
            matrix, FEATURE_COLUMNS[bet_type], LABEL_COLUMN[bet_type], MARKET_PROBABILITY_COLUMN[bet_type]
        )


# --- one measured training (child process) -----------------------------------------------------------


def train_one(database_url: str, framework: str, algorithm: str | None, mock: bool, max_runtime: int) -> None:
    from contextlib import nullcontext

    from royaley_pipeline.h2o_cluster import h2o_cluster
    from royaley_pipeline.trainers import build_trainer

    matrix = feature_matrix(database_url, COST_SPORT, COST_LAST_SEASON)
    trainer = build_trainer(framework, algorithm, mock=mock, max_runtime_seconds=max_runtime)
    started = time.perf_counter()
    cluster = h2o_cluster(nthreads=2, max_mem_size="2G", ice_root=tempfile.mkdtemp(prefix="royaley_bench_ice_"))
    with cluster if trainer.framework == "h2o" else nullcontext():
        result = walk_forward(matrix, COST_BET_TYPE, trainer, COST_FIRST_TEST_SEASON)
    print(json.dumps({"seconds": time.perf_counter() - started, "log_loss": result.overall["model_log_loss"],
                      "brier": result.overall["model_brier"], "games": result.overall["n"]}))


def tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def run_tree_measured(command: list[str], log_path: Path) -> tuple[float, float, int, str]:
    """Wall time, peak RSS of the process tree (sampled every 0.2 s), exit code and last output line."""
    peak = 0.0
    started = time.perf_counter()
    with log_path.open("w") as log:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=REPOSITORY)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_mb(child.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output, _ = child.communicate()
        done.set()
        sampler.join()
    lines = [line for line in output.splitlines() if line.startswith("{")]
    return time.perf_counter() - started, peak, child.returncode, lines[-1] if lines else ""


def cost_table(database_url: str, max_runtime: int, scratch: Path) -> str:
    rows, reference = [], None
    for label, framework, algorithm, mock in COST_CASES:
        command = [python(), __file__, "--train-one", framework, "--database-url", database_url,
                   "--max-runtime", str(max_runtime)]
        if algorithm:
            command += ["--algorithm", algorithm]
        if mock:
            command += ["--mock"]
        wall, peak, code, line = run_tree_measured(command, scratch / f"{label.split()[0]}.log")
        if code != 0 or not line:
            rows.append([label, "failed", "", "", "", "", f"see {scratch}"])
            continue
        measured = json.loads(line)
        reference = reference or measured["seconds"]
        rows.append([label, f"{measured['seconds']:.1f}", f"{measured['seconds'] / reference:.1f}×",
                     f"{peak:,.0f}", f"{measured['log_loss']:.4f}", f"{measured['brier']:.4f}", measured["games"]])
    return markdown_table(
        ["trainer", "training s", "vs Elo baseline", "peak RSS MB (tree)", "log loss", "Brier", "test games"], rows
    )


# --- quality --------------------------------------------------------------------------------------------


def quality_rows(sport: str, scratch: Path, bet_types: list[str] | None = None) -> tuple[list[list], list[list]]:
    """Quality rows (model, market, Elo on the same games) and backtest rows by tier, per bet type.

    The sport is ingested and its features built once; each bet type is then walked forward on
    that matrix. Timings and the process's peak resident memory so far go to stderr.
    """
    import resource

    from royaley_pipeline.domain.backtest import backtest
    from royaley_pipeline.domain.trainers import SklearnTrainer
    from royaley_pipeline.reports import betting_frame, comparison_on_same_games

    first, last, default_bet_type = QUALITY[sport]
    started = time.perf_counter()
    database_url = fill_database(scratch / sport, sport, last)
    ingested = time.perf_counter()
    matrix = feature_matrix(database_url, sport, last)
    featured = time.perf_counter()
    print(f"{sport}: ingest {ingested - started:.0f} s, features {featured - ingested:.0f} s, {len(matrix)} games",
          file=sys.stderr)
    quality, bets = [], []
    for bet_type in bet_types or [default_bet_type]:
        trained = time.perf_counter()
        result = walk_forward(matrix, bet_type, SklearnTrainer("logistic", search=True), first)
        if os.environ.get("ROYALEY_BENCH_KEEP"):  # the forecasts, to re-report without re-training
            result.out_of_fold.to_parquet(Path(os.environ["ROYALEY_BENCH_KEEP"]) / f"{sport}_{bet_type}_oof.parquet")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{sport} {bet_type}: walk-forward {time.perf_counter() - trained:.0f} s, "
              f"total so far {time.perf_counter() - started:.0f} s, peak RSS so far {peak_mb:,.0f} MB",
              file=sys.stderr)
        label = f"{sport} {bet_type} {first}–{last}"
        quality += [[label, row["forecast"], f"{row['brier']:.4f}", f"{row['log_loss']:.4f}", f"{row['auc']:.4f}",
                     f"{row['accuracy']:.2%}", f"{row['ece']:.4f}", row["n"]]
                    for row in comparison_on_same_games(result.out_of_fold).to_dict("records")]
        priced = betting_frame(bet_type, result.out_of_fold, matrix).dropna(
            subset=["event_decimal_odds", "other_decimal_odds"])
        if len(priced):
            bets += [[label, row["tiers"], row["bets"], f"{row['hit_rate']:.2%}", f"{row['flat_units']:+.1f}",
                      f"{row['flat_roi']:+.2%}", f"{row['kelly_roi']:+.2%}"]
                     for row in backtest(priced).summary.to_dict("records")]
    return quality, bets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-runtime", type=int, default=10, help="seconds per H2O AutoML / AutoGluon fit")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--train-one", help=argparse.SUPPRESS)
    parser.add_argument("--algorithm", help=argparse.SUPPRESS)
    parser.add_argument("--mock", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help="an NFL database the pipeline already filled (skips ingestion)")
    parser.add_argument("--sports", default=DEFAULT_QUALITY_SPORTS,
                        help=f"comma-separated sports for the quality table, of {', '.join(QUALITY)}")
    parser.add_argument("--bet-types", help="comma-separated bet types to walk forward per sport "
                        "(default: the sport's bet type in QUALITY); the sport is ingested once for all")
    arguments = parser.parse_args()
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    if arguments.train_one:
        train_one(arguments.database_url, arguments.train_one, arguments.algorithm, arguments.mock,
                  arguments.max_runtime)
        return
    with tempfile.TemporaryDirectory(prefix="royaley_bench_training_") as scratch:
        scratch = Path(scratch)
        if not arguments.skip_cost:
            database_url = arguments.database_url or fill_database(scratch / "cost", COST_SPORT, COST_LAST_SEASON)
            print(machine_header(
                f"Training cost, {COST_SPORT} {COST_BET_TYPE}, walk-forward {COST_FIRST_TEST_SEASON}–"
                f"{COST_LAST_SEASON} + production fit, max runtime {arguments.max_runtime} s per AutoML fit"
            ))
            print()
            print(cost_table(database_url, arguments.max_runtime, scratch))
            print()
        if not arguments.skip_quality:
            bet_types = arguments.bet_types.split(",") if arguments.bet_types else None
            quality, bets = [], []
            for sport in arguments.sports.split(","):
                sport_quality, sport_bets = quality_rows(sport.strip().upper(), scratch, bet_types)
                quality, bets = quality + sport_quality, bets + sport_bets
            print(machine_header("Walk-forward quality on the same games: model vs closing market vs Elo baseline"))
            print()
            print(markdown_table(["sport, bet type, seasons", "forecast", "Brier", "log loss", "AUC", "accuracy",
                                  "ECE", "games"], quality))
            print()
            print("Backtest of the walk-forward forecasts at the closing price, by signal tier "
                  "(flat 1 unit per bet; Kelly = quarter Kelly capped at 5 %):")
            print()
            print(markdown_table(["sport, bet type, seasons", "tiers", "bets", "hit rate", "flat units", "flat ROI",
                                  "Kelly ROI"], bets))

if __name__ == "__main__":
    sys.exit(main())
