"""Live raw assets: one per source, partitioned by sport × day, each checked after it writes.

A partition run fetches and validates every payload of its source before writing anything, then
writes in one transaction; a bad payload fails only that source's partition (with a ``Failure``
that is not retried, since the same payload would fail again) while transient trouble that the
client's own retries could not ride out is retried by the asset's ``RetryPolicy``.
"""

import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    RetryPolicy,
    multi_asset,
)

from royaley_pipeline.collectors import espn, odds_api, open_meteo, pinnacle, sportsdb
from royaley_pipeline.collectors.common import slate_window
from royaley_pipeline.collectors.errors import ServiceUnavailableError
from royaley_pipeline.collectors.files import collect_nflverse, collect_tennis
from royaley_pipeline.collectors.settings import CollectorsResource
from royaley_pipeline.partitions import parse_sport_date_keys, sport_day_partitions
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.run_clock import run_time
from royaley_pipeline.sources.errors import SourceRecordError
from royaley_pipeline.sources.frames import SourceBatch, validate_batch
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sources.venues import VenueDirectory
from royaley_pipeline.storage.collected import (
    count_collected,
    store_collected,
    store_event_odds,
    store_weather,
    weather_targets,
)

LIVE_GROUP = "collectors"
ESPN_GAMES = AssetKey(["raw", "espn", "games"])
ESPN_INJURIES = AssetKey(["raw", "espn", "injuries"])
ODDS_API_SNAPSHOTS = AssetKey(["raw", "the_odds_api", "odds_snapshots"])
PINNACLE_SNAPSHOTS = AssetKey(["raw", "pinnacle", "odds_snapshots"])
OPEN_METEO_WEATHER = AssetKey(["raw", "open_meteo", "weather"])
SPORTSDB_EVENTS = AssetKey(["raw", "thesportsdb", "events"])
TENNIS_MATCHES = AssetKey(["raw", "sackmann", "matches"])
NFLVERSE_GAMES = AssetKey(["raw", "nflverse", "games"])
ODDS_ASSETS = (ODDS_API_SNAPSHOTS, PINNACLE_SNAPSHOTS)
# What the features read from the live feeds (declared as lineage on the monthly features asset).
LIVE_FEATURE_INPUTS = (ESPN_GAMES, ESPN_INJURIES, ODDS_API_SNAPSHOTS, PINNACLE_SNAPSHOTS, OPEN_METEO_WEATHER,
                       SPORTSDB_EVENTS, TENNIS_MATCHES, NFLVERSE_GAMES)

# Op-level retries for what the clients' own retries could not ride out (an outage of minutes).
RETRY_POLICY = RetryPolicy(
    max_retries=2,
    delay=float(os.environ.get("ROYALEY_COLLECTOR_RETRY_DELAY", "60")),
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)
ODDS_FRESHNESS = timedelta(hours=36)


def _spec(key: AssetKey, description: str, deps=()) -> AssetSpec:
    return AssetSpec(key, description=description, group_name=LIVE_GROUP, kinds={"sql"},
                     owners=["team:data"], deps=list(deps))


def _check(key: AssetKey, name: str, description: str) -> AssetCheckSpec:
    return AssetCheckSpec(name, asset=key, description=description)


def _live(specs, checks):
    return multi_asset(
        specs=specs, check_specs=checks, partitions_def=sport_day_partitions,
        retry_policy=RETRY_POLICY, can_subset=False,
    )


def _window(context: AssetExecutionContext):
    return parse_sport_date_keys(sport_day_partitions, context.partition_keys)


@contextmanager
def _guarded():
    """Bad payloads and rejected requests fail the partition without op retries (the same answer
    would fail again); an unavailable service is left to the retry policy."""
    try:
        yield
    except ServiceUnavailableError:
        raise
    except SourceRecordError as error:
        raise Failure(description=str(error), allow_retries=False) from None


def _days(window):
    return [(sport, day) for sport in window.sports for day in window.days()]


# --- ESPN: games, venues and injuries -------------------------------------------------------------

@_live(
    [
        _spec(ESPN_GAMES, "ESPN scoreboard: schedule, status, scores and venues of the day's games."),
        _spec(ESPN_INJURIES, "ESPN summaries: injury reports of the teams playing that day."),
    ],
    [_check(ESPN_GAMES, "espn_collection_contract", "Games collected, scores non-negative, reports fresh.")],
)
def espn_games(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    """Scoreboard and per-event summaries; everything is validated before one write per sport-day."""
    engine, client, teams, venues = database.engine(), collectors.espn(), TeamDirectory(), VenueDirectory()
    totals = {"games_written": 0, "injuries_written": 0}
    unknown_venues, skipped, empty = set(), [], []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport not in espn.LEAGUES:
                    skipped.append(sport)
                    continue
                slate = espn.parse_scoreboard(client.fetch_scoreboard(sport, day), sport, teams)
                if slate.games.empty:
                    empty.append(f"{sport} {day}: the scoreboard listed no games (empty slate)")
                games = slate.games.copy()
                resolved = games["venue"].map(venues.resolve)
                unknown_venues |= set(games.loc[resolved.isna() & games["venue"].notna(), "venue"])
                games["venue"] = resolved.fillna(games["venue"])
                injuries = [
                    espn.parse_injuries(client.fetch_summary(sport, gid), sport, gid, teams)
                    for gid in games["source_game_id"]
                ]
                injury_frame = pd.concat(injuries, ignore_index=True) if injuries else None
                batch = validate_batch(SourceBatch(games=games))
                summary = store_collected(engine, sport, batch, injury_frame)
                context.log.info(f"ESPN {sport} {day}: {summary}")
                totals["games_written"] += summary.games.games
                totals["injuries_written"] += summary.injuries
    finally:
        client.close()
    common = _common(context, skipped)
    yield MaterializeResult(asset_key=ESPN_GAMES, metadata={
        **common, "rows_written": totals["games_written"],
        "unknown_venues": ", ".join(sorted(unknown_venues)) or "none"})
    yield MaterializeResult(asset_key=ESPN_INJURIES, metadata={**common, "rows_written": totals["injuries_written"]})
    yield _contract(context, database, "espn_collection_contract", ESPN_GAMES, _espn_problems, empty)


def _espn_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors = [f"{counts['negative_scores']} negative score(s)"] if counts["negative_scores"] else []
    warnings = ["no games on this day (empty slate)"] if counts["games"] == 0 else []
    return errors, warnings


# --- The Odds API ---------------------------------------------------------------------------------

@_live(
    [_spec(ODDS_API_SNAPSHOTS, "The Odds API: spreads, moneylines and totals per bookmaker, as snapshots.",
           deps=[ESPN_GAMES])],
    [_check(ODDS_API_SNAPSHOTS, "the_odds_api_collection_contract", "Snapshots present, fresh and priced.")],
)
def the_odds_api_snapshots(context: AssetExecutionContext, database: DatabaseResource,
                           collectors: CollectorsResource):
    """Appends the day's odds; records the quota headers and stops before the quota runs out."""
    client = collectors.odds_api(known_remaining=_last_remaining_quota(context))
    if client is None:
        context.log.warning("ODDS_API_KEY is not set: The Odds API is skipped")
        yield from _skipped(context, ODDS_API_SNAPSHOTS, "the_odds_api_collection_contract", "no API key")
        return
    engine, teams = database.engine(), TeamDirectory()
    written, unmatched, skipped = 0, [], []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport not in odds_api.SPORT_KEYS:
                    skipped.append(sport)
                    continue
                odds = odds_api.parse_odds(client.fetch_odds(sport, day), sport, teams)
                summary = store_event_odds(engine, sport, odds)
                written += summary.snapshots_written
                unmatched += summary.unmatched_events
    finally:
        client.close()
    if unmatched:
        context.log.warning(f"The Odds API events without a stored game: {unmatched}")
    quota = client.quota
    yield MaterializeResult(asset_key=ODDS_API_SNAPSHOTS, metadata={
        **_common(context, skipped), "rows_written": written, "snapshots_written": written,
        "unmatched_events": ", ".join(unmatched) or "none",
        "requests_remaining": quota.remaining if quota.remaining is not None else -1,
        "requests_used": quota.used if quota.used is not None else -1,
    })
    yield _contract(context, database, "the_odds_api_collection_contract", ODDS_API_SNAPSHOTS, _odds_problems)


def _last_remaining_quota(context: AssetExecutionContext) -> int | None:
    """The remaining quota the last materialisation recorded, so a new run can stop in time."""
    event = context.instance.get_latest_materialization_event(ODDS_API_SNAPSHOTS)
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get("requests_remaining")
    remaining = getattr(value, "value", value)
    return int(remaining) if isinstance(remaining, (int, float)) and remaining >= 0 else None


def _odds_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors, warnings = [], []
    if counts["prices_between_minus_100_and_100"]:
        errors.append(f"{counts['prices_between_minus_100_and_100']} American price(s) strictly between -100 and 100")
    if counts["largest_abs_line"] is not None and counts["largest_abs_line"] > 400:
        errors.append(f"a line of {counts['largest_abs_line']} points")
    if counts["odds_snapshots"] == 0:
        warnings.append("no odds snapshots for this day")
    latest = counts["latest_odds_capture"]
    if latest is not None:
        # Fresh means captured close to the slate, not close to "now", so backfills judge the same.
        captured = pd.Timestamp(latest)
        captured = captured.tz_localize("UTC") if captured.tzinfo is None else captured.tz_convert("UTC")
        slate_start = pd.Timestamp(slate_window(day)[0])
        if captured < slate_start - ODDS_FRESHNESS:
            warnings.append(f"latest snapshot {latest} is more than {ODDS_FRESHNESS} before the slate")
    return errors, warnings


# --- Pinnacle -------------------------------------------------------------------------------------

@_live(
    [_spec(PINNACLE_SNAPSHOTS, "Pinnacle: the sharp reference book's main lines, as snapshots.",
           deps=[ESPN_GAMES])],
    [_check(PINNACLE_SNAPSHOTS, "pinnacle_collection_contract", "Sharp snapshots present, fresh and priced.")],
)
def pinnacle_snapshots(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    """Fixtures and odds of the day's pre-game events, appended as book ``pinnacle``."""
    client = collectors.pinnacle()
    if client is None:
        context.log.warning("PINNACLE_USERNAME / PINNACLE_PASSWORD are not set: Pinnacle is skipped")
        yield from _skipped(context, PINNACLE_SNAPSHOTS, "pinnacle_collection_contract", "no credentials")
        return
    engine, teams = database.engine(), TeamDirectory()
    written, unmatched, skipped = 0, [], []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport not in pinnacle.LEAGUES:
                    skipped.append(sport)
                    continue
                odds = pinnacle.parse_pinnacle(
                    client.fetch_fixtures(sport), client.fetch_odds(sport), sport, day, teams)
                summary = store_event_odds(engine, sport, odds)
                written += summary.snapshots_written
                unmatched += summary.unmatched_events
    finally:
        client.close()
    yield MaterializeResult(asset_key=PINNACLE_SNAPSHOTS, metadata={
        **_common(context, skipped), "rows_written": written, "snapshots_written": written,
        "sharp_reference_book": pinnacle.SHARP_REFERENCE_BOOK, "unmatched_events": ", ".join(unmatched) or "none"})
    yield _contract(context, database, "pinnacle_collection_contract", PINNACLE_SNAPSHOTS, _odds_problems)


# --- Open-Meteo -----------------------------------------------------------------------------------

@_live(
    [_spec(OPEN_METEO_WEATHER, "Open-Meteo: kick-off weather at outdoor venues (indoor games flagged).",
           deps=[ESPN_GAMES])],
    [_check(OPEN_METEO_WEATHER, "open_meteo_collection_contract", "Weather rows present and plausible.")],
)
def open_meteo_weather(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    """Forecast (recent days) or archive (older days) at each outdoor venue's coordinates."""
    engine, client = database.engine(), collectors.open_meteo()
    rows, without_coordinates = [], []
    today = run_time(context).date()
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                targets = weather_targets(engine, sport, day)
                archive = day < today - timedelta(days=collectors.forecast_days_back)
                for game in targets.itertuples(index=False):
                    row = {"game_id": game.game_id, "source": open_meteo.SOURCE, "observed_at": game.start_time,
                           "is_indoor": bool(game.is_indoor), "temperature_f": np.nan, "wind_mph": np.nan,
                           "precipitation_probability": np.nan}
                    if not game.is_indoor:
                        if pd.isna(game.latitude) or pd.isna(game.longitude):
                            without_coordinates.append(f"{game.venue or 'unknown venue'} ({game.source_game_id})")
                            continue
                        fetched = client.fetch_hourly(game.latitude, game.longitude, day, archive=archive)
                        row.update(open_meteo.parse_kickoff_weather(fetched, game.start_time))
                    rows.append(row)
    finally:
        client.close()
    written = store_weather(engine, pd.DataFrame(rows)) if rows else 0
    if without_coordinates:
        context.log.warning(f"outdoor venues without coordinates: {without_coordinates}")
    yield MaterializeResult(asset_key=OPEN_METEO_WEATHER, metadata={
        **_common(context, []), "rows_written": written,
        "venues_without_coordinates": ", ".join(without_coordinates) or "none"})
    yield _contract(context, database, "open_meteo_collection_contract", OPEN_METEO_WEATHER, _weather_problems)


def _weather_problems(counts, day: date) -> tuple[list[str], list[str]]:
    errors = []
    if counts["min_temperature_f"] is not None and not -60 <= counts["min_temperature_f"] <= 130:
        errors.append(f"temperature {counts['min_temperature_f']} °F")
    if counts["max_wind_mph"] is not None and not 0 <= counts["max_wind_mph"] <= 150:
        errors.append(f"wind {counts['max_wind_mph']} mph")
    warnings = ["games without weather rows"] if counts["weather"] < counts["games"] else []
    return errors, warnings


# --- TheSportsDB ----------------------------------------------------------------------------------

@_live(
    [_spec(SPORTSDB_EVENTS, "TheSportsDB: events of leagues the other feeds miss, onto shared games.")],
    [_check(SPORTSDB_EVENTS, "thesportsdb_collection_contract", "Events collected, scores non-negative.")],
)
def thesportsdb_events(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    client = collectors.sportsdb()
    if client is None:
        context.log.warning("THESPORTSDB_API_KEY is not set: TheSportsDB is skipped")
        yield from _skipped(context, SPORTSDB_EVENTS, "thesportsdb_collection_contract", "no API key")
        return
    engine, teams, venues = database.engine(), TeamDirectory(), VenueDirectory()
    written, skipped = 0, []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport not in sportsdb.LEAGUES:
                    skipped.append(sport)
                    continue
                games = sportsdb.parse_events(client.fetch_events_day(sport, day), sport, teams)
                games["venue"] = games["venue"].map(venues.resolve).fillna(games["venue"])
                summary = store_collected(engine, sport, validate_batch(SourceBatch(games=games)))
                written += summary.games.games
    finally:
        client.close()
    yield MaterializeResult(asset_key=SPORTSDB_EVENTS, metadata={**_common(context, skipped), "rows_written": written})
    yield _contract(context, database, "thesportsdb_collection_contract", SPORTSDB_EVENTS, _espn_problems)


# --- Files: Sackmann tennis and nflverse ----------------------------------------------------------

@_live(
    [_spec(TENNIS_MATCHES, "Sackmann-format ATP matches (URL or path) of the day, with players.")],
    [_check(TENNIS_MATCHES, "tennis_collection_contract", "Matches collected, sets non-negative.")],
)
def tennis_matches(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    engine, client = database.engine(), collectors.tennis_files()
    written, skipped = 0, []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport != "ATP":
                    skipped.append(sport)
                    continue
                batch = validate_batch(collect_tennis(collectors.tennis_location, day=day, client=client))
                written += store_collected(engine, sport, batch).games.games
    finally:
        client.close()
    yield MaterializeResult(asset_key=TENNIS_MATCHES, metadata={**_common(context, skipped), "rows_written": written})
    yield _contract(context, database, "tennis_collection_contract", TENNIS_MATCHES, _espn_problems)


@_live(
    [_spec(NFLVERSE_GAMES, "nflverse games of the day with closing lines, roof, surface and weather.")],
    [_check(NFLVERSE_GAMES, "nflverse_collection_contract", "Games collected, scores non-negative.")],
)
def nflverse_games(context: AssetExecutionContext, database: DatabaseResource, collectors: CollectorsResource):
    engine, client, teams = database.engine(), collectors.nflverse_files(), TeamDirectory()
    written, skipped = 0, []
    try:
        with _guarded():
            for sport, day in _days(_window(context)):
                if sport != "NFL":
                    skipped.append(sport)
                    continue
                batch = validate_batch(
                    collect_nflverse(collectors.nflverse_location, day=day, client=client, teams=teams))
                written += store_collected(engine, sport, batch).games.games
    finally:
        client.close()
    yield MaterializeResult(asset_key=NFLVERSE_GAMES, metadata={**_common(context, skipped), "rows_written": written})
    yield _contract(context, database, "nflverse_collection_contract", NFLVERSE_GAMES, _espn_problems)


# --- shared ---------------------------------------------------------------------------------------

def _common(context: AssetExecutionContext, skipped: list[str]) -> dict:
    window = _window(context)
    return {"sports": ", ".join(window.sports), "first_date": str(window.start), "last_date": str(window.end),
            "sports_not_covered": ", ".join(sorted(set(skipped))) or "none"}


def _skipped(context: AssetExecutionContext, key: AssetKey, check: str, reason: str):
    yield MaterializeResult(asset_key=key, metadata={**_common(context, []), "rows_written": 0, "skipped": reason})
    yield AssetCheckResult(asset_key=key, check_name=check, passed=True, severity=AssetCheckSeverity.WARN,
                           metadata={"skipped": reason})


def _contract(context: AssetExecutionContext, database: DatabaseResource, name: str, key: AssetKey, rules,
              warnings: list[str] | None = None):
    """Row counts, value ranges and freshness of the partition's stored rows, as one check result;
    ``warnings`` adds what the run itself saw (e.g. a payload with no games)."""
    window = _window(context)
    errors, warnings, counts = [], list(warnings or []), {}
    for sport, day in _days(window):
        day_counts = count_collected(database.engine(), sport, day)
        day_errors, day_warnings = rules(day_counts, day)
        errors += [f"{sport} {day}: {e}" for e in day_errors]
        warnings += [f"{sport} {day}: {w}" for w in day_warnings]
        counts[f"{sport} {day}"] = {k: (str(v) if isinstance(v, (datetime, date)) else v) for k, v in day_counts.items()}
    return AssetCheckResult(
        asset_key=key, check_name=name, passed=not errors and not warnings,
        severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
        metadata={"errors": "; ".join(errors) or "none", "warnings": "; ".join(warnings) or "none",
                  "counts": counts},
    )


LIVE_ASSETS = [espn_games, the_odds_api_snapshots, pinnacle_snapshots, open_meteo_weather, thesportsdb_events,
               tennis_matches, nflverse_games]
