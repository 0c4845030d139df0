"""What a replay prints: the runs each schedule and sensor launched, the predictions it stored,
and (through `royaley ledger`'s table) the ledger of the bets it settled."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from royaley_pipeline.domain.ledger import LedgerFilter
from royaley_pipeline.replay.driver import ReplayResult
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline.storage.settlements import load_ledger


def replay_database_url(result: ReplayResult) -> str:
    return f"sqlite:///{result.plan.home / 'royaley.db'}"


def replay_predictions(result: ReplayResult) -> pd.DataFrame:
    """The predictions the replay stored, in slate order."""
    frame = load_predictions(engine_for(replay_database_url(result)), result.plan.sport)
    return frame.sort_values(["game_date", "start_time", "source_game_id", "bet_type"], kind="stable")


def replay_ledger_query(result: ReplayResult) -> LedgerFilter:
    """The replay's bets: its sport over the stretch's game days."""
    return LedgerFilter(result.plan.sport, result.plan.start, result.plan.end)


def replay_ledger(result: ReplayResult) -> pd.DataFrame:
    """The ledger of the replay's settled bets (``domain.ledger``: overall, per tier, per bet type)."""
    table, _ = load_ledger(engine_for(replay_database_url(result)), replay_ledger_query(result))
    return table


def replay_tables(result: ReplayResult) -> list[Table]:
    return [runs_table(result), predictions_table(result)]


def runs_table(result: ReplayResult) -> Table:
    table = Table(title=f"Runs of the replay ({result.plan.sport}, {result.plan.start} + {result.plan.days} days)")
    for column in ("requested by", "job", "runs", "failed", "wall s"):
        table.add_column(column, justify="left" if column in ("requested by", "job") else "right")
    runs = pd.DataFrame([vars(run) for run in result.log.runs])
    if runs.empty:
        return table
    grouped = runs.groupby(["requested_by", "job_name"], sort=False).agg(
        runs=("success", "size"), succeeded=("success", "sum"), seconds=("seconds", "sum"))
    for (requested_by, job), row in zip(grouped.index, grouped.itertuples(index=False), strict=True):
        table.add_row(requested_by, job, str(int(row.runs)), str(int(row.runs - row.succeeded)), f"{row.seconds:.1f}")
    return table


def predictions_table(result: ReplayResult) -> Table:
    predictions = replay_predictions(result)
    table = Table(title="Predictions stored (the latest of each game and bet type)")
    for column in ("date", "games", "predictions", "tier A", "tier B", "tier C", "stake sum", "predicted at (UTC)"):
        table.add_column(column, justify="left" if column in ("date", "predicted at (UTC)") else "right")
    for day, rows in predictions.groupby("game_date", sort=True):
        tiers = rows["tier"].value_counts()
        times = sorted({f"{moment:%m-%d %H:%M}" for moment in rows["predicted_at"]})
        table.add_row(str(day)[:10], str(rows["source_game_id"].nunique()), str(len(rows)),
                      *(str(tiers.get(tier, 0)) for tier in "ABC"), f"{rows['kelly_stake'].sum():.3f}",
                      ", ".join(times))
    return table
