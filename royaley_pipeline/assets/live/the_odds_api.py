"""The Odds API: spreads, moneylines and totals per bookmaker, appended as snapshots, within the quota.

One request covers the day and the next ``collection_lookahead_days`` days (the price is per
request, not per game), so by kick-off a game has snapshots from the days before it: its first
is its opener. ESPN runs first and stores those days' games, which the snapshots are matched to."""

from __future__ import annotations

from dagster import AssetExecutionContext

from royaley_pipeline.assets.live.contracts import odds_problems
from royaley_pipeline.assets.live.espn import SOURCE as ESPN
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors import odds_api
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.storage.collected import store_event_odds

NAME = "the_odds_api"


def collect(run: SportDay) -> None:
    odds = odds_api.parse_odds(run.client.fetch_odds(run.sport, run.day, run.lookahead), run.sport, TeamDirectory())
    summary = store_event_odds(run.engine, run.sport, odds)
    run.written.update(odds_snapshots=summary.snapshots_written)
    run.written_own_day.update(odds_snapshots=summary.snapshots_by_day.get(run.day, 0))
    run.note("unmatched_events", summary.unmatched_events)


def last_remaining_quota(context: AssetExecutionContext) -> int | None:
    """The remaining quota the last materialisation recorded, so a new run can stop in time."""
    event = context.instance.get_latest_materialization_event(SOURCE.keys[0])
    if event is None or event.asset_materialization is None:
        return None
    metadata = event.asset_materialization.metadata
    value = metadata.get("quota_remaining", metadata.get("requests_remaining"))  # the older runs' key
    remaining = getattr(value, "value", value)
    return int(remaining) if isinstance(remaining, (int, float)) and remaining >= 0 else None


def _usage(client: odds_api.OddsApiClient) -> dict[str, int]:
    quota = client.quota
    return {"requests_remaining": quota.remaining if quota.remaining is not None else -1,
            "requests_used": quota.used if quota.used is not None else -1}


SOURCE = LiveSource(
    name=NAME,
    tables=(Table("odds_snapshots", "The Odds API: spreads, moneylines and totals per bookmaker, as snapshots."),),
    client=lambda collectors, context: odds_api.client(collectors, known_remaining=last_remaining_quota(context)),
    collector=odds_api,
    collect=collect,
    contract=Contract("the_odds_api_collection_contract", "Snapshots present, fresh and priced.", odds_problems),
    deps=ESPN.keys[:1],
    notes=("unmatched_events",),
    metadata=_usage,
    quota_remaining=lambda client: client.quota.remaining,
    looks_ahead=True,
)
