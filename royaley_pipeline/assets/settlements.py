"""Settlement: every stored prediction of a decided game graded, and the ledger it adds up to."""

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from royaley_pipeline.assets.live import ESPN_GAMES
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import RAW_GAMES
from royaley_pipeline.domain.ledger import bankroll_curve, counted_bets, ledger, ledger_markdown
from royaley_pipeline.domain.market import market_lines
from royaley_pipeline.domain.settlement import settle
from royaley_pipeline.partitions import parse_sport_date_keys, same_sport_and_month, sport_day_partitions
from royaley_pipeline.reports import image_markdown, ledger_png
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.run_clock import run_time
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.games import load_games, load_odds_snapshots
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline.storage.settlements import load_settlements, replace_settlements

SETTLEMENTS_GROUP = "settlements"


@asset(
    key=["settlements", "game_settlements"],
    deps=[
        game_predictions,
        AssetDep(AssetSpec(RAW_GAMES).key, partition_mapping=same_sport_and_month),
        ESPN_GAMES,
    ],
    partitions_def=sport_day_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name=SETTLEMENTS_GROUP,
    kinds={"sql", "pandas"},
    owners=["team:betting"],
)
def game_settlements(context: AssetExecutionContext, database: DatabaseResource) -> MaterializeResult:
    """Won / lost / push / void, profit and closing-line value of every prediction of a final game.

    Each sport-day's settlements are replaced in one transaction, so settling again after a score
    correction or a late re-prediction leaves exactly what the data says. Games not final yet are
    left for a later run. The metadata carries the sport's ledger up to the last day settled.
    """
    window = parse_sport_date_keys(sport_day_partitions, context.partition_keys)
    engine = database.engine()
    settled_count, pending, tables, plots = 0, 0, [], []
    settled_at = run_time(context).to_pydatetime()  # the replay's simulated time, else now
    for sport_code in window.sports:
        sport = get_sport(sport_code)
        games = load_games(engine, sport.code, window.start, window.end)
        predictions = load_predictions(engine, sport.code, start=window.start, end=window.end, history=True)
        closing = market_lines(games, load_odds_snapshots(engine, sport.code, window.start, window.end))
        settled = settle(predictions, games, closing)
        pending += len(predictions) - len(settled)
        for day in window.days():
            settled_count += replace_settlements(
                engine, sport.code, day, settled.loc[pd.to_datetime(settled["game_date"]).dt.date == day],
                settled_at,
            )
        history = load_settlements(engine, sport.code, until=window.end)
        tables.append(f"**{sport.code} through {window.end}**\n\n{ledger_markdown(ledger(history))}")
        bets = counted_bets(history)
        if len(bets):
            plots.append(image_markdown(f"{sport.code} bankroll", ledger_png(bankroll_curve(bets), sport.code)))
    context.log.info(f"settled {settled_count} predictions; {pending} wait for their games to finish")
    return MaterializeResult(
        metadata={
            "settled": settled_count,
            "pending": pending,
            "sports": ", ".join(window.sports),
            "first_date": str(window.start),
            "last_date": str(window.end),
            "ledger": MetadataValue.md("\n\n".join(tables) or "_nothing settled_"),
            "bankroll": MetadataValue.md("\n\n".join(plots) or "_no bets settled yet_"),
        }
    )
