"""Walk-forward NFL model quality 2015–2024, compared with the market and with Elo on the SAME games.

The data is what the pipeline stores: `collection_job` fills a temporary SQLite database with the
bundled history (1999-09 to 2025-02), and the feature matrix is built from
`load_feature_inputs` exactly as the features asset does. Our models are the training service's
out-of-fold forecasts (each season predicted by a model fitted on earlier seasons only).

Forecasts compared, each scored only on games every forecast in its table has:
  model      TrainingService + SklearnTrainer (logistic, hist_gradient_boosting), first test season 2015
  market     the de-vigged closing moneyline (`market_home_win_probability`)
  our Elo    `home_elo_win_probability`, the pipeline's own Elo feature on its own
  538 Elo    FiveThirtyEight's published pre-game `elo_prob1` (2015–2020 only), joined by date and teams

Ties are excluded (no moneyline winner). Spread and total picks are graded at the closing line
against the 52.38% break-even of a -110 price, with a 95% Wilson interval; pushes are excluded.

    python benchmarks/model_quality.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine_header, markdown_table

FIRST_TEST_SEASON, LAST_SEASON = 2015, 2024
LAST_538_SEASON = 2020
ALGORITHMS = ("logistic", "hist_gradient_boosting")
BREAK_EVEN_AT_MINUS_110 = 110 / 210
FIVETHIRTYEIGHT = Path(__file__).resolve().parent.parent / "royaley_pipeline/data/fivethirtyeight/nfl_elo_games.csv"


# --- data: what the pipeline stores ---------------------------------------------------------------


def fill_database(home: Path) -> str:
    """Run `collection_job` once over the bundled history into a fresh SQLite database; its URL."""
    from dagster import DagsterInstance

    from royaley_pipeline.config import load_settings
    from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config
    from royaley_pipeline.partitions import sport_month_key
    from royaley_pipeline.runner import definitions as build_definitions

    settings = load_settings({"ROYALEY_HOME": str(home)})
    settings.ensure_directories()
    job = build_definitions(settings).resolve_job_def("collection_job")
    tags = {RANGE_START_TAG: sport_month_key("NFL", date(1999, 9, 1)),
            RANGE_END_TAG: sport_month_key("NFL", date(LAST_SEASON + 1, 2, 1))}
    instance = DagsterInstance.local_temp(str(settings.dagster_home))
    result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config(), raise_on_error=False)
    if not result.success:
        raise RuntimeError(f"collection_job failed (run {result.run_id})")
    return settings.database_url


def feature_matrix(database_url: str) -> pd.DataFrame:
    """The matrix the features asset would store, with start times for walk-forward ordering."""
    from royaley_pipeline.domain.features import build_feature_matrix
    from royaley_pipeline.sports import get_sport
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.features import load_feature_inputs

    return build_feature_matrix(sport=get_sport("NFL"), **load_feature_inputs(engine_for(database_url), "NFL"))


# --- forecasts -------------------------------------------------------------------------------------


def out_of_fold(matrix: pd.DataFrame, bet_type: str, algorithm: str) -> pd.DataFrame:
    """Walk-forward forecasts for 2015–2024 from the production training service."""
    from royaley_pipeline.domain.features import FEATURE_COLUMNS, LABEL_COLUMN, MARKET_PROBABILITY_COLUMN
    from royaley_pipeline.domain.trainers import SklearnTrainer
    from royaley_pipeline.domain.training import TrainingService

    service = TrainingService(SklearnTrainer(algorithm), first_test_season=FIRST_TEST_SEASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the calibration folds
        result = service.run(matrix[matrix["season"] <= LAST_SEASON], FEATURE_COLUMNS[bet_type],
                             LABEL_COLUMN[bet_type], MARKET_PROBABILITY_COLUMN[bet_type])
    return result.out_of_fold


def fivethirtyeight_home_probability(matrix: pd.DataFrame) -> pd.Series:
    """538's `elo_prob1` turned into our home team's probability, indexed like ``matrix``.

    Joined on date and the unordered pair of canonical team codes (538 writes WSH, LAR, OAK and
    keeps a franchise's code across relocations; the reference directory maps every spelling),
    because on neutral sites 538's team1 need not be the team our source lists as home.
    """
    from royaley_pipeline.sources.teams import TeamDirectory

    raw = pd.read_csv(FIVETHIRTYEIGHT)
    raw = raw[raw["season"].between(FIRST_TEST_SEASON, LAST_538_SEASON)].reset_index(drop=True)
    directory = TeamDirectory()
    for column in ("team1", "team2"):
        raw[column] = directory.resolve_column(raw, column, "NFL", source="538", key_column="date")
    raw["pair"] = [frozenset(pair) for pair in zip(raw["team1"], raw["team2"], strict=True)]
    raw["game_date"] = pd.to_datetime(raw["date"])
    ours = pd.DataFrame({
        "row": matrix.index, "game_date": pd.to_datetime(matrix["game_date"]), "home_team": matrix["home_team"],
        "pair": [frozenset(pair) for pair in zip(matrix["home_team"], matrix["away_team"], strict=True)],
    })
    joined = ours.merge(raw[["game_date", "pair", "team1", "elo_prob1"]], on=["game_date", "pair"], how="inner")
    if joined["row"].duplicated().any():
        raise RuntimeError("a game matched two 538 rows: the join key is not unique")
    home_probability = np.where(joined["team1"] == joined["home_team"], joined["elo_prob1"], 1 - joined["elo_prob1"])
    return pd.Series(home_probability, index=joined["row"].to_numpy()).reindex(matrix.index)


def moneyline_forecasts(matrix: pd.DataFrame) -> pd.DataFrame:
    """One row per labelled 2015–2024 game, one column per forecast (NaN where a forecast is absent)."""
    context = matrix.assign(fivethirtyeight=fivethirtyeight_home_probability(matrix))
    context = context[["game_id", "market_home_win_probability", "home_elo_win_probability", "fivethirtyeight"]]
    frames = {algorithm: out_of_fold(matrix, "moneyline", algorithm) for algorithm in ALGORITHMS}
    forecasts = frames["logistic"][["game_id", "season", "label"]].copy()
    for algorithm, frame in frames.items():
        forecasts[f"model {algorithm}"] = forecasts["game_id"].map(frame.set_index("game_id")["probability"])
    forecasts = forecasts.merge(context, on="game_id", how="left")
    return forecasts.rename(columns={
        "market_home_win_probability": "closing market (de-vigged)",
        "home_elo_win_probability": "our Elo",
        "fivethirtyeight": "538 Elo (published)",
    })


# --- tables ------------------------------------------------------------------------------------------


def score_table(forecasts: pd.DataFrame, columns: list[str]) -> tuple[str, int]:
    """Brier, log loss, accuracy per forecast on the games where all ``columns`` exist."""
    from royaley_pipeline.domain.metrics import probability_metrics

    common = forecasts.dropna(subset=columns)
    rows = []
    for column in columns:
        scores = probability_metrics(common["label"], common[column])
        rows.append([column, f"{scores['brier']:.4f}", f"{scores['log_loss']:.4f}",
                     f"{scores['accuracy']:.2%}", scores["n"]])
    return markdown_table(["forecast", "Brier", "log loss", "accuracy", "n"], rows), len(common)


def wilson_interval(hits: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval: honest near 50% and for a few hundred bets, unlike p ± 2σ."""
    if n == 0:
        return float("nan"), float("nan")
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def pick_rows(matrix: pd.DataFrame) -> list[list]:
    """Hit rate of the model's side (home/over when p ≥ 0.5) at the closing line, pushes excluded."""
    from royaley_pipeline.domain.metrics import probability_metrics

    rows = []
    for bet_type, side in (("spread", "home cover"), ("total", "over")):
        for algorithm in ALGORITHMS:
            frame = out_of_fold(matrix, bet_type, algorithm)
            frame = frame[frame["season"].between(FIRST_TEST_SEASON, LAST_SEASON)]
            picks_event = frame["probability"] >= 0.5
            hits = int((picks_event == frame["label"].astype(bool)).sum())
            n = len(frame)
            low, high = wilson_interval(hits, n)
            priced = frame.dropna(subset=["market_probability"])
            model = probability_metrics(priced["label"], priced["probability"])
            market = probability_metrics(priced["label"], priced["market_probability"])
            rows.append([
                bet_type, algorithm, n, f"{picks_event.mean():.1%} {side}", f"{hits / n:.2%}",
                f"{low:.2%} – {high:.2%}", f"{BREAK_EVEN_AT_MINUS_110:.2%}",
                f"{model['brier']:.4f}", f"{market['brier']:.4f}",
            ])
    return rows


def main() -> None:
    global ALGORITHMS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a database the pipeline already filled (skips ingestion)")
    parser.add_argument("--algorithms", nargs="+", choices=ALGORITHMS, default=list(ALGORITHMS),
                        help="hist_gradient_boosting takes ~30 min of the run on 2 cores")
    arguments = parser.parse_args()
    ALGORITHMS = tuple(arguments.algorithms)
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    with tempfile.TemporaryDirectory(prefix="royaley_bench_quality_") as scratch:
        database_url = arguments.database_url or fill_database(Path(scratch))
        matrix = feature_matrix(database_url)
        forecasts = moneyline_forecasts(matrix)
        picks = pick_rows(matrix)

    models = [f"model {algorithm}" for algorithm in ALGORITHMS]
    print(machine_header(f"NFL moneyline walk-forward {FIRST_TEST_SEASON}–{LAST_SEASON}, same games per table"))
    print()
    print(f"**{FIRST_TEST_SEASON}–{LAST_SEASON}, every game with a closing moneyline (ties excluded)**")
    print()
    table, n = score_table(forecasts, [*models, "closing market (de-vigged)", "our Elo"])
    print(table)
    print()
    print(f"**{FIRST_TEST_SEASON}–{LAST_538_SEASON}, games where all four forecasts exist**")
    print()
    table, n = score_table(forecasts[forecasts["season"] <= LAST_538_SEASON],
                           [*models, "closing market (de-vigged)", "our Elo", "538 Elo (published)"])
    print(table)
    labelled = forecasts[forecasts["season"] <= LAST_538_SEASON]
    print()
    print(f"538 matched {labelled['538 Elo (published)'].notna().sum():,} of {len(labelled):,} labelled "
          f"{FIRST_TEST_SEASON}–{LAST_538_SEASON} games.")
    print()
    print(f"**Spread and total picks at the closing line, {FIRST_TEST_SEASON}–{LAST_SEASON} (pushes excluded)**")
    print()
    print(markdown_table(
        ["bet type", "model", "bets", "side taken", "hit rate", "95% Wilson", "break-even -110",
         "model Brier", "market Brier"], picks))


if __name__ == "__main__":
    main()
