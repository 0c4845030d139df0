"""One factory turns a declarative ``LiveSource`` into a partitioned, checked Dagster asset.

Every live source runs the same loop per sport × day partition: build the client (or report the
source as not configured), skip the sports the sport registry does not list for the source, fetch
and parse each sport-day, store it, close the client, then check the stored rows against the
source's contract. A bad payload fails only that source's partition (a ``Failure`` that is not
retried, since the same payload would fail again); transient trouble the client's own retries
could not ride out is left to the asset's ``RetryPolicy``.

Each source is its own asset (a multi-asset when it writes several tables, subsettable), so any
one source, or any subset of them, can be selected and materialised alone.

Every materialisation carries the same metadata keys, whatever the source: ``table``,
``rows_written``, ``skipped`` (the reason the whole source did not run, or ``none``),
``sports_not_covered``, ``quota_remaining`` (-1 for a source without a quota, or none reported),
plus the partition's ``sports``, ``first_date`` and ``last_date``, and ``collected_through``: the
last slate day the run fetched, later than ``last_date`` for a source that ``looks_ahead`` (the
schedule and odds of the next ``collection_lookahead_days`` days, stored with the partition's;
``rows_written`` counts them too; ``rows_written_own_days`` counts only the partition's own days,
for the tables whose collector tells them apart). Only a day that is today or later by the run's
clock looks ahead: yesterday's finals, or a backfill, are collected as they were.
"""


import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Backoff,
    Jitter,
    MaterializeResult,
    RetryPolicy,
    multi_asset,
)
from sqlalchemy.engine import Engine

from royaley_pipeline.assets.catalog import (
    TABLE_SCHEMAS,
    code_reference,
    code_version,
    row_count,
    schema_metadata,
)
from royaley_pipeline.assets.failures import bad_records_fail_without_retry
from royaley_pipeline.collectors.common import lookahead_days, slate_date
from royaley_pipeline.collectors.settings import CollectorsResource
from royaley_pipeline.partitions import SportDateWindow, parse_sport_date_keys, sport_day_partitions
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.run_clock import run_time
from royaley_pipeline.sources.frames import SourceBatch, validate_batch
from royaley_pipeline.sports import SPORTS, get_sport
from royaley_pipeline.storage.collected import count_collected, store_collected

LIVE_GROUP = "collectors"
factory_module = sys.modules[__name__]
NO_QUOTA = -1

Rules = Callable[[Mapping[str, Any], date], tuple[list[str], list[str]]]
"""Stored counts of one sport-day → (errors, warnings) of the source's contract."""


def live_key(source: str, table: str) -> AssetKey:
    """``raw/<source>_<table>``, e.g. ``raw/espn_games``: the graph labels a node with the key's last
    part, so the source is in it (a bare ``games`` would repeat the historical ``raw/games``)."""
    return AssetKey(["raw", f"{source}_{table}"])


@dataclass(frozen=True)
class Table:
    """One asset of a source: ``raw/<source>_<name>``; ``name`` is the table it writes."""

    name: str
    description: str


@dataclass(frozen=True)
class Contract:
    """The asset check run on the source's first table after every write."""

    name: str
    description: str
    rules: Rules


@dataclass
class SportDay:
    """What ``LiveSource.collect`` gets for one sport-day, and where it reports what it did."""

    context: AssetExecutionContext
    engine: Engine
    client: Any
    collectors: CollectorsResource
    sport: str
    day: date
    league: str  # the source's identifier of the sport's league, from the registry
    source: str  # the source's name, e.g. espn
    written: Counter = field(default_factory=Counter)  # rows per table name
    # rows per table of ``day`` itself, look-ahead days left out (for the tables the source splits)
    written_own_day: Counter = field(default_factory=Counter)
    notes: dict[str, set[str]] = field(default_factory=dict)  # metadata lists, e.g. unmatched events
    warnings: list[str] = field(default_factory=list)  # what the run saw, added to the contract

    lookahead: int = 0  # days after ``day`` to fetch too (``LiveSource.looks_ahead``), else 0

    @property
    def through(self) -> date:
        """The last slate day this sport-day's collection covers."""
        return self.day + timedelta(days=self.lookahead)

    def selected(self, table: str) -> bool:
        return live_key(self.source, table) in self.context.selected_asset_keys

    def note(self, name: str, values) -> None:
        self.notes.setdefault(name, set()).update(values)

    def store_games(self, table: str, batch: SourceBatch, injuries: pd.DataFrame | None = None) -> None:
        """Validate and store a batch of games (with their odds, weather, injuries) in one transaction."""
        summary = store_collected(self.engine, self.sport, validate_batch(batch), injuries)
        self.written.update({table: summary.games.games, "injuries": summary.injuries})


@dataclass(frozen=True)
class LiveSource:
    """Everything that differs between two live sources; ``live_asset`` supplies the rest.

    ``name`` is the middle of the asset keys and the key of ``Sport.sources`` in the registry;
    the client is None when the source is not configured (a missing key), which is reported as
    ``skipped`` with ``not_configured`` as the reason, never as a failure.
    """

    name: str
    tables: tuple[Table, ...]  # the first is the one the contract checks
    collect: Callable[[SportDay], None]
    contract: Contract
    collector: Any = None
    """The source's ``collectors/`` module: its ``client(collectors)`` builds the client unless
    ``client`` is given, and its secret ``SETTINGS`` are what "not configured" names."""
    client: Callable[[CollectorsResource, AssetExecutionContext], Any] | None = None
    deps: tuple[AssetKey, ...] = ()
    notes: tuple[str, ...] = ()  # metadata of the first table listing what ``collect`` noted ("none" if nothing)
    metadata: Callable[[Any], Mapping[str, Any]] = lambda client: {}  # of the closed client, e.g. its quota
    quota_remaining: Callable[[Any], int | None] = lambda client: None
    looks_ahead: bool = False  # fetches the next ``collection_lookahead_days`` days with each day

    def lookahead(self, collectors: CollectorsResource) -> int:
        return lookahead_days(collectors.value("collection_lookahead_days")) if self.looks_ahead else 0

    def key(self, table: str) -> AssetKey:
        return live_key(self.name, table)

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        return tuple(self.key(table.name) for table in self.tables)

    def build_client(self, collectors: CollectorsResource, context: AssetExecutionContext) -> Any:
        return self.client(collectors, context) if self.client else self.collector.client(collectors)

    @property
    def not_configured(self) -> str:
        """Why the client is None: its collector's secret variables are not set."""
        variables = [setting.variable for setting in getattr(self.collector, "SETTINGS", ()) if setting.secret]
        return f"{' / '.join(variables)} {'is' if len(variables) == 1 else 'are'} not set"

    @property
    def sports(self) -> tuple[str, ...]:
        """The sports the registry lists for this source."""
        return tuple(code for code, sport in SPORTS.items() if self.name in sport.sources)


DEFAULT_RETRY_DELAY = 60.0  # seconds; the code location uses ``Settings.collector_retry_delay``


def retry_policy(delay: float = DEFAULT_RETRY_DELAY) -> RetryPolicy:
    """Op-level retries for what the clients' own retries could not ride out (an outage of minutes)."""
    return RetryPolicy(max_retries=2, delay=delay, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


def live_asset(source: LiveSource, policy: RetryPolicy | None = None) -> AssetsDefinition:
    """The partitioned, checked, subsettable asset of one source."""
    checked = source.keys[0]
    module = sys.modules[source.collect.__module__]
    specs = [
        AssetSpec(source.key(table.name), description=table.description, group_name=LIVE_GROUP, kinds={"sql"},
                  owners=["team:data"], deps=list(source.deps), code_version=code_version(module, factory_module),
                  metadata={**code_reference(module),
                            **(schema_metadata(TABLE_SCHEMAS[table.name]) if table.name in TABLE_SCHEMAS else {})})
        for table in source.tables
    ]
    check = AssetCheckSpec(source.contract.name, asset=checked, description=source.contract.description)

    @multi_asset(name=f"{source.name}_{source.tables[0].name}", specs=specs, check_specs=[check], partitions_def=sport_day_partitions,
                 retry_policy=policy or retry_policy(), can_subset=True)
    def _asset(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
        yield from _run(source, context, database, collectors)

    return _asset


def _run(source: LiveSource, context: AssetExecutionContext, database: DatabaseResource,
         collectors: CollectorsResource):
    window = parse_sport_date_keys(sport_day_partitions, context.partition_keys)
    lookahead, today = source.lookahead(collectors), slate_date(run_time(context))
    client = source.build_client(collectors, context)
    if client is None:
        context.log.warning(f"{source.not_configured}: {source.name} is skipped")
        yield from _skipped(source, context, window, f"not configured ({source.not_configured})")
        return
    engine = database.engine()
    written, own_days = Counter(), Counter()
    notes, warnings, not_covered = {name: set() for name in source.notes}, [], []
    through = window.end
    try:
        with bad_records_fail_without_retry():
            for sport, day in _sport_days(window):
                league = get_sport(sport).sources.get(source.name)
                if league is None:
                    not_covered.append(sport)
                    continue
                sport_day = SportDay(context, engine, client, collectors, sport, day, league, source.name,
                                     lookahead=lookahead if day >= today else 0)
                through = max(through, sport_day.through)
                source.collect(sport_day)
                context.log.info(f"{source.name} {sport} {day}: {dict(sport_day.written)}")
                written.update(sport_day.written)
                own_days.update(sport_day.written if not sport_day.lookahead else sport_day.written_own_day)
                for name, values in sport_day.notes.items():
                    notes.setdefault(name, set()).update(values)
                warnings += sport_day.warnings
    finally:
        client.close()
    quota = source.quota_remaining(client)
    common = {**_window_metadata(window), "collected_through": str(through), "skipped": "none",
              "sports_not_covered": ", ".join(sorted(set(not_covered))) or "none",
              "quota_remaining": NO_QUOTA if quota is None else quota}
    for index, table in enumerate(source.tables):
        key = source.key(table.name)
        if key not in context.selected_asset_keys:
            continue
        extra = {} if index else {**{name: ", ".join(sorted(values)) or "none" for name, values in notes.items()},
                                  **source.metadata(client)}
        yield MaterializeResult(asset_key=key, metadata={
            **common, "table": table.name, **row_count(written[table.name]), "rows_written": written[table.name],
            **({"rows_written_own_days": own_days[table.name]} if table.name in own_days else {}), **extra})
    if AssetCheckKey(source.keys[0], source.contract.name) in context.selected_asset_check_keys:
        yield _contract(source, database.engine(), window, warnings)


def _sport_days(window: SportDateWindow):
    return [(sport, day) for sport in window.sports for day in window.days()]


def _window_metadata(window: SportDateWindow) -> dict[str, str]:
    return {"sports": ", ".join(window.sports), "first_date": str(window.start), "last_date": str(window.end),
            "collected_through": str(window.end)}


def _skipped(source: LiveSource, context: AssetExecutionContext, window: SportDateWindow, reason: str):
    common = {**_window_metadata(window), "skipped": reason, "sports_not_covered": "none",
              "quota_remaining": NO_QUOTA}
    for table in source.tables:
        if source.key(table.name) in context.selected_asset_keys:
            yield MaterializeResult(asset_key=source.key(table.name),
                                    metadata={**common, "table": table.name, **row_count(0), "rows_written": 0})
    if AssetCheckKey(source.keys[0], source.contract.name) in context.selected_asset_check_keys:
        yield AssetCheckResult(asset_key=source.keys[0], check_name=source.contract.name, passed=True,
                               severity=AssetCheckSeverity.WARN, metadata={"skipped": reason})


def _contract(source: LiveSource, engine: Engine, window: SportDateWindow, seen: list[str]) -> AssetCheckResult:
    """Row counts, value ranges and freshness of the partition's stored rows of the sports the
    source covers, as one check result; ``seen`` adds what the run itself noticed (e.g. a payload
    with no games)."""
    errors, warnings, counts = [], list(seen), {}
    for sport, day in _sport_days(window):
        if sport not in source.sports:
            continue
        day_counts = count_collected(engine, sport, day)
        day_errors, day_warnings = source.contract.rules(day_counts, day)
        errors += [f"{sport} {day}: {e}" for e in day_errors]
        warnings += [f"{sport} {day}: {w}" for w in day_warnings]
        counts[f"{sport} {day}"] = {k: (str(v) if isinstance(v, (datetime, date)) else v) for k, v in day_counts.items()}
    return AssetCheckResult(
        asset_key=source.keys[0], check_name=source.contract.name, passed=not errors and not warnings,
        severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
        metadata={"errors": "; ".join(errors) or "none", "warnings": "; ".join(warnings) or "none",
                  "counts": counts},
    )
