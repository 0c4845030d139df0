"""`royaley`: the commands of the original scripts, each materialising assets through Dagster."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from royaley_pipeline import runner
from royaley_pipeline.api.auth import InsecureBindError
from royaley_pipeline.api.server import serve
from royaley_pipeline.assets.predictions import PredictionConfig
from royaley_pipeline.domain.ledger import LedgerFilter, ledger_markdown
from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.domain.settlement import BET, ROLES
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.frameworks import FRAMEWORKS, check_framework
from royaley_pipeline.history_window import check_date_range, games_written, history_start
from royaley_pipeline.launch import (
    COLLECTION_JOB,
    FEATURES_JOB,
    PREDICTIONS_JOB,
    SETTLEMENT_JOB,
    Origin,
    console_log_level,
    run_config,
    training_config,
)
from royaley_pipeline.output_files import check_writable, write_json_atomically
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.run_failures import run_failure
from royaley_pipeline.run_liveness import fail_runs_whose_process_is_gone
from royaley_pipeline.sources.catalog import sports_with_history
from royaley_pipeline.sports import SPORTS, check_bet_type, get_sport
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.games import count_rows, next_game_date
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline.storage.quality_report import latest_slate_date
from royaley_pipeline.storage.settlements import load_ledger
from royaley_pipeline.validation import bet_types_to_train

# Piped output (make run in CI, logs) has no terminal width; keep the slate readable there.
console = Console(width=None if sys.stdout.isatty() else 160)


class RunFailedError(Exception):
    """A Dagster run that failed inside for a reason other than bad input: an internal error."""

    def __init__(self, message: str, run_id: str) -> None:
        super().__init__(message)
        self.run_id = run_id


def main(argv: list[str] | None = None) -> int:
    """Exit 0 on success, 2 for a bad request (one line, no traceback), 1 for an internal error in a
    run (with the run id and where to read its logs)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = None
    try:
        settings = runner.prepare_environment()
        for run_id in fail_runs_whose_process_is_gone(runner.instance()):
            console.print(f"[yellow]run {run_id} was left STARTED by a process that is gone; marked failed[/]")
        return args.handler(args, settings)
    except BadRequest as error:
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        return 2
    except RunFailedError as error:
        console.print(f"[bold red]internal error:[/] {error}", soft_wrap=True)
        console.print(f"run {error.run_id}: {runner.where_to_look(error.run_id, settings)}", soft_wrap=True)
        return 1
    except Exception as error:  # noqa: BLE001 - no run started: say so in one line, keep the traceback in a file
        console.print(f"[bold red]internal error[/] (no run started): {_first_line(error)}", soft_wrap=True)
        console.print(f"traceback: {_save_traceback(settings)}", soft_wrap=True)
        return 1


def _first_line(error: BaseException) -> str:
    """The root cause's first line: e.g. a database that refuses connections, not SQLAlchemy's framing."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    lines = str(error).strip().splitlines() or [""]
    return f"{type(error).__name__}: {lines[0]}"


def _save_traceback(settings) -> str:
    """Write the current exception's traceback under the home (or the temp folder) and return the path."""
    import tempfile
    import traceback

    folder = (settings.home if settings is not None else Path(tempfile.gettempdir())) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cli-error-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.txt"
    path.write_text(traceback.format_exc())
    return str(path)


class _Parser(argparse.ArgumentParser):
    """argparse with a bad flag reported as one line, like every other bad request (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="royaley", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="load the historical sources into the database")
    _sport_flags(ingest)
    _date_range_flags(ingest)
    ingest.set_defaults(handler=cmd_ingest)

    features = commands.add_parser("features", help="compute point-in-time features")
    _sport_flags(features)
    _date_range_flags(features)
    features.set_defaults(handler=cmd_features)

    train = commands.add_parser("train", help="train, validate and register models")
    _sport_flags(train)
    train.add_argument("--bet-type", help="spread, moneyline, total or match_winner")
    train.add_argument("--all-bet-types", action="store_true", help="every bet type the sport offers")
    train.add_argument("--framework", default="sklearn", choices=FRAMEWORKS)
    train.add_argument(
        "--algorithm", default=None, help="sklearn: logistic | hist_gradient_boosting; h2o: automl | gbm"
    )
    train.add_argument(
        "--mock", action="store_true", help="the quickest real model: logistic on the Elo win probability"
    )
    train.add_argument("--max-runtime", type=int, default=None, help="seconds per model (H2O / AutoGluon)")
    train.add_argument("--first-test-season", type=int, default=None)
    train.set_defaults(handler=cmd_train)

    predict = commands.add_parser("predict", help="score a date's games with the champion models")
    _sport_flags(predict, everything="every sport with games that day (one line per sport skipped)")
    predict.add_argument("--date", type=_iso_date, default=None,
                         help="YYYY-MM-DD (default: today in ROYALEY_SCHEDULE_TIMEZONE)")
    predict.add_argument("--as-of", type=_instant, default=None,
                         help="predict as at this past instant (ISO 8601, UTC unless zoned): only odds, weather "
                         "and injury reports observed before it are used (default: now)")
    _slate_filters(predict)
    predict.set_defaults(handler=cmd_predict)

    promote = commands.add_parser("promote", help="make a registered model version the champion")
    promote.add_argument("--sport", required=True)
    promote.add_argument("--bet-type", required=True)
    promote.add_argument("--version", type=int, default=None)
    promote.add_argument("--rollback", action="store_true", help="give champion back to the version it replaced")
    promote.add_argument("--reason", default="manual promotion")
    promote.add_argument("--actor", default="cli")
    promote.set_defaults(handler=cmd_promote)

    settle = commands.add_parser("settle", help="settle the predictions of final games (what the sensor does)")
    _sport_flags(settle, everything="every sport with bundled data")
    settle.add_argument("--date", type=_iso_date, default=None, help="YYYY-MM-DD (default: yesterday)")
    settle.add_argument("--start", type=_iso_date, default=None)
    settle.add_argument("--end", type=_iso_date, default=None)
    settle.set_defaults(handler=cmd_settle)

    ledger = commands.add_parser("ledger", help="how the settled bets fared, by tier and bet type")
    _sport_flags(ledger, everything="every sport (the default)")
    ledger.add_argument("--since", type=_iso_date, default=None, help="first game date (YYYY-MM-DD)")
    ledger.add_argument("--until", type=_iso_date, default=None, help="last game date (YYYY-MM-DD)")
    ledger.add_argument("--tier", default=None, help="A, B, C or D")
    ledger.add_argument("--bet-type", default=None, help="spread, moneyline, total or match_winner")
    ledger.set_defaults(handler=cmd_ledger)

    models = commands.add_parser("models", help="list registered model versions")
    models.add_argument("--sport")
    models.add_argument("--bet-type")
    models.set_defaults(handler=cmd_models)

    ui = commands.add_parser("ui", help="start the Dagster UI (dagster dev) on this instance")
    ui.add_argument("--port", default="3000")
    ui.set_defaults(handler=cmd_ui)

    api = commands.add_parser("api", help="serve the REST API (OpenAPI docs at /docs)")
    api.add_argument("--host", default="127.0.0.1", help="needs ROYALEY_API_TOKEN unless loopback")
    api.add_argument("--port", type=int, default=8000)
    api.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    api.set_defaults(handler=cmd_api)

    collect = commands.add_parser("collect", help="collect a day (or days) from the live sources")
    collect.add_argument("--source", default=None,
                         help="comma-separated: espn,odds_api,pinnacle,open_meteo,thesportsdb,tennis,nflverse "
                              "(default: all)")
    collect.add_argument("--sport", help=f"one of {', '.join(SPORTS)}")
    collect.add_argument("--all", action="store_true", help="every scheduled sport (ROYALEY_SCHEDULED_SPORTS)")
    collect.add_argument("--date", type=_iso_date, default=None, help="default: today in the schedules' timezone")
    collect.add_argument("--start", type=_iso_date, default=None)
    collect.add_argument("--end", type=_iso_date, default=None)
    collect.set_defaults(handler=cmd_collect)

    replay = commands.add_parser(
        "replay", help="replay a past stretch day by day through the schedules and sensors, on a fresh instance")
    replay.add_argument("--sport", required=True, help="NFL or NBA (the sports with replayable history)")
    replay.add_argument("--start", type=_iso_date, required=True, help="first day of the stretch (YYYY-MM-DD)")
    replay.add_argument("--days", type=int, default=14)
    replay.add_argument("--home", default=None,
                        help="the replay's own folder (default: $ROYALEY_HOME/replays/SPORT-START-DAYSd)")
    replay.add_argument("--history-from", type=int, default=None,
                        help="first season of history to store and train on (default: all bundled seasons)")
    replay.add_argument("--trainer", choices=["sklearn"], default="sklearn",
                        help="champions trained before the stretch: the production logistic model")
    replay.set_defaults(handler=cmd_replay)

    run = commands.add_parser("run", help="the whole flow: ingest → features → train → predict")
    run.add_argument("--sport", default="NFL")
    run.add_argument(
        "--date",
        type=_iso_date,
        default=None,
        help="slate date (default: the latest date with games and closing lines)",
    )
    _slate_filters(run)
    run.set_defaults(handler=cmd_run)
    return parser


def _sport_flags(parser: argparse.ArgumentParser, everything: str = "every sport with bundled data") -> None:
    parser.add_argument("--sport", help=f"one of {', '.join(SPORTS)}")
    parser.add_argument("--all", action="store_true", help=everything)


def _date_range_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", type=_iso_date, default=None, help="default: the sport's first month")
    parser.add_argument("--end", type=_iso_date, default=None, help="default: today")


def _slate_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-edge", type=_edge, default=None, help="smallest edge shown, e.g. 0.05")
    parser.add_argument("--tier", choices=["A", "B", "C", "D"], default=None)
    parser.add_argument("--output", default=None, help="write the slate to this JSON file")


def _edge(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an edge (a number from 0, e.g. 0.05 for 5%)")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _instant(text: str) -> pd.Timestamp:
    try:
        moment = pd.Timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an instant (e.g. 2024-12-22T11:00:00Z)") from None
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _sports(args, settings) -> list[str]:
    if getattr(args, "all", False):
        return sports_with_history(settings)
    if not args.sport:
        raise BadRequest("give --sport CODE or --all")
    return [get_sport(args.sport).code]


def _run_or_fail(description: str, launch, outcome=None) -> None:
    """Run; a failure caused by bad input is a BadRequest, any other failure an internal error.
    ``outcome`` turns the successful result into what the tick line says (e.g. games written)."""
    with console.status(f"[bold]{description}[/] (a Dagster run; watch it in `make ui`)"):
        result = launch()
    if not result.success:
        failure = run_failure(result.all_events)
        if failure.bad_input:
            raise BadRequest(f"{description}: {failure.message} (run {result.run_id})")
        raise RunFailedError(f"{description}: {failure.describe()}", result.run_id)
    said = f": {outcome(result)}" if outcome else ""
    console.print(f"[green]✓[/] {description}{said} [dim](run {result.run_id})[/]")


def _games_written(result) -> str:
    count = games_written(result)
    return f"{count:,} games written" if count else "[yellow]0 games written[/] (no games in these dates)"


def _date_ranges(args, settings) -> list[tuple[str, date, date]]:
    """Each sport's window, all checked before the first run starts.

    With ``--all`` a ``--start`` before a sport's history starts that sport at its first month, and a
    sport whose history begins after ``--end`` is left out with a line; for one sport it is a bad request.
    """
    today, ranges = date.today(), []
    for sport in _sports(args, settings):
        start = args.start
        if getattr(args, "all", False) and start is not None:
            first = history_start(sport)
            if args.end is not None and first > args.end:
                console.print(f"{sport}: skipped, its history starts {first}, after --end {args.end}")
                continue
            start = max(start, first)
        ranges.append((sport, *check_date_range(sport, start, args.end, today)))
    return ranges


def cmd_ingest(args, settings) -> int:
    return _run_date_range("ingest", COLLECTION_JOB, args, settings, outcome=_games_written)


def cmd_features(args, settings) -> int:
    return _run_date_range("features", FEATURES_JOB, args, settings)


def _run_date_range(command: str, job_name: str, args, settings, outcome=None) -> int:
    """One run of ``job_name`` per requested sport over its checked ``--start``..``--end``."""
    for sport, start, end in _date_ranges(args, settings):
        _run_or_fail(
            f"{command} {sport} {start}..{end}",
            lambda s=sport, a=start, b=end: runner.run_sport_dates(job_name, s, a, b),
            outcome=outcome,
        )
    return 0


def cmd_train(args, settings) -> int:
    if not args.mock:
        check_framework(args.framework)
    config = run_config(training_config(
        framework=args.framework,
        algorithm=args.algorithm,
        mock=True if args.mock else None,
        max_runtime_seconds=args.max_runtime,
        first_test_season=args.first_test_season,
    ), log_level=console_log_level(Origin.CLI))
    for sport_code in _sports(args, settings):
        sport = get_sport(sport_code)
        for bet_type in bet_types_to_train(sport, args.bet_type, args.all_bet_types or args.all):
            _run_or_fail(
                f"train {sport.code} {bet_type} ({'mock' if args.mock else args.framework})",
                lambda code=sport.code, bt=bet_type: runner.run_model(code, bt, config=config),
            )
    return 0


def cmd_predict(args, settings) -> int:
    """Today's games by default. A sport without games that day is not an error: it is said, with
    the next date that has stored games, and skipped (exit 0). ``--output`` is one JSON file for the
    whole request, checked before any run and written atomically at the end."""
    engine = engine_for(settings.database_url)
    day = args.date or settings.today()
    if args.as_of is not None and args.as_of > pd.Timestamp.now(tz="UTC"):
        raise BadRequest(f"--as-of {args.as_of.isoformat()} is in the future")
    config = run_config(prediction=PredictionConfig(as_of=args.as_of.isoformat())) if args.as_of else None
    output = check_writable(Path(args.output)) if args.output else None
    if args.all and args.sport:
        raise BadRequest("give --sport CODE or --all, not both")
    sports = list(SPORTS) if args.all else _sports(args, settings)
    slates, skipped = [], []
    for sport in sports:
        if count_rows(engine, sport, day, day)["games"] == 0:
            following = next_game_date(engine, sport, day)
            reason = f"no {sport} games on {day}; " + (
                f"next stored games: {following}" if following else "none stored after it")
            skipped.append({"sport": sport, "reason": reason, "next_date": following and following.isoformat()})
            console.print(f"[yellow]–[/] {reason}")
            continue
        _run_or_fail(
            f"predict {sport} {day}",
            lambda s=sport: runner.run_sport_dates(PREDICTIONS_JOB, s, day, day, config=config),
        )
        slates.append(_stored_slate(engine, sport, day, args))
    if slates:
        _show_slate(slates)
    if output:
        _write_slate(output, day, slates, skipped)
    return 0


def cmd_promote(args, settings) -> int:
    sport = get_sport(args.sport)
    check_bet_type(sport, args.bet_type)
    registry = ModelRegistry.for_settings(settings)
    name = ModelName(sport.code, args.bet_type)
    if args.rollback:
        decision = registry.rollback(name, reason=args.reason, actor=args.actor)
        console.print(f"[green]✓[/] {name}: {decision.reason}")
        return 0
    if args.version is None:
        raise BadRequest("give --version N (or --rollback)")
    registry.promote(name, int(args.version), reason=args.reason, actor=args.actor)
    console.print(f"[green]✓[/] {name} v{args.version} is champion")
    return 0


def cmd_models(args, settings) -> int:
    versions = ModelRegistry.for_settings(settings).list_versions(
        sport=args.sport, bet_type=args.bet_type
    )
    table = Table(title="Registered models")
    for column in ("name", "version", "aliases", "framework", "overall"):
        table.add_column(column)
    for version in versions:
        table.add_row(
            version.name,
            str(version.version),
            ", ".join(version.aliases),
            str(version.framework),
            json.dumps(version.metrics)[:80],
        )
    console.print(table)
    return 0


def cmd_settle(args, settings) -> int:
    """Settle one day (yesterday by default) or a range: every prediction of a game now final."""
    if args.date and (args.start or args.end):
        raise BadRequest("give --date or --start/--end, not both")
    start = args.date or args.start or settings.today() - timedelta(days=1)
    end = args.date or args.end or start
    if end < start:
        raise BadRequest(f"--end {end} is before --start {start}")
    for sport in _sports(args, settings):
        _run_or_fail(f"settle {sport} {start}..{end}",
                     lambda s=sport: runner.run_sport_dates(SETTLEMENT_JOB, s, start, end))
    return 0


def cmd_ledger(args, settings) -> int:
    """The ledger of settled bets; which prediction of a game is the bet is the settlement's rule."""
    if args.all and args.sport:
        raise BadRequest("give --sport CODE or --all, not both")
    query = LedgerFilter(args.sport, args.since, args.until, args.tier, args.bet_type)
    print_ledger(engine_for(settings.database_url), query)
    return 0


def print_ledger(engine, query: LedgerFilter) -> None:
    """The ledger ``query`` selects, as `royaley ledger` and `royaley replay` print it."""
    table, settled = load_ledger(engine, query)
    scope = ", ".join(filter(None, [query.sport or "all sports", query.since and f"from {query.since}",
                                    query.until and f"until {query.until}", query.tier and f"tier {query.tier}",
                                    query.bet_type]))
    counts = settled["role"].value_counts().reindex(list(ROLES), fill_value=0)
    console.print(f"[bold]Ledger[/] ({scope}): {len(settled)} settled predictions, "
                  + ", ".join(f"{count} {role}" for role, count in counts.items()))
    console.print(ledger_markdown(table), soft_wrap=True)
    console.print(f"[dim]A {BET!r} is the first prediction of a game and bet type made before kick-off with a "
                  "stake; later re-predictions and predictions made after kick-off are settled but not "
                  "counted. Kelly bankroll from 100, in kick-off order.[/]", soft_wrap=True)


def cmd_run(args, settings) -> int:
    """`make run`: the whole graph for one sport on the bundled data, then the slate and quality."""
    sport = get_sport(args.sport)
    output = check_writable(Path(args.output)) if args.output else None
    engine = engine_for(settings.database_url)
    start, end = check_date_range(sport.code, None, None, date.today())
    _run_or_fail(
        f"ingest + features {sport.code} {start}..{end}",
        lambda: runner.run_sport_dates(COLLECTION_JOB, sport.code, start, end),
        outcome=_games_written,
    )
    for bet_type in sport.bet_types:
        _run_or_fail(f"train {sport.code} {bet_type}", lambda bt=bet_type: runner.run_model(sport.code, bt))
    day = args.date or latest_slate_date(engine, sport.code)
    if day is None:
        raise BadRequest(f"no {sport.code} game with a closing line in the database")
    _require_games(engine, sport.code, day)
    _run_or_fail(
        f"predict {sport.code} {day}",
        lambda: runner.run_sport_dates(PREDICTIONS_JOB, sport.code, day, day),
    )
    slates = [_stored_slate(engine, sport.code, day, args)]
    _show_slate(slates)
    if output:
        _write_slate(output, day, slates, [])
    _show_quality(settings, sport)
    return 0


def cmd_collect(args, settings) -> int:
    from royaley_pipeline.collection_runs import CollectionRequest, collect, collection_days, parse_sources

    sources = parse_sources(args.source)
    if args.all == bool(args.sport):
        raise BadRequest("give --sport CODE or --all")
    sports = tuple(settings.scheduled_sports) if args.all else (get_sport(args.sport).code,)
    start, end = collection_days(args.date, args.start, args.end, settings.schedule_timezone)
    request = CollectionRequest(sources, sports, start, end)
    job = runner.definitions(settings).resolve_job_def("live_collection_job")

    def progress(outcome) -> None:
        mark = "[red]✗[/]" if not outcome.success else ("[yellow]–[/]" if outcome.skipped else "[green]✓[/]")
        detail = outcome.error or outcome.skipped or f"{sum(outcome.rows_written.values())} row(s)"
        console.print(f"{mark} {outcome.source} {outcome.sport} {outcome.day}: {detail} [dim](run {outcome.run_id})[/]",
                      highlight=False)

    outcomes = collect(request, runner.instance(), job, progress)
    console.print(_collection_table(outcomes))
    failed = [outcome for outcome in outcomes if not outcome.success]
    for outcome in failed:
        console.print(f"[bold red]error:[/] {outcome.source} {outcome.sport} {outcome.day}: {outcome.error}",
                      highlight=False)
    return 1 if failed else 0


def _collection_table(outcomes) -> Table:
    table = Table(title="Live collection")
    for column in ("source", "sport", "day", "table", "rows written", "quota left", "skipped / error"):
        table.add_column(column, justify="right" if column in ("rows written", "quota left") else "left")
    for outcome in outcomes:
        note = outcome.error or outcome.skipped or ""
        tables = outcome.rows_written or {"–": 0}
        for name, rows in tables.items():
            quota = "" if outcome.quota_remaining is None else str(outcome.quota_remaining)
            table.add_row(outcome.source, outcome.sport, str(outcome.day), name, str(rows), quota, note)
    return table


def cmd_replay(args, settings) -> int:
    from pathlib import Path

    from royaley_pipeline.replay.driver import ReplayFailure, ReplayPlan, run_replay
    from royaley_pipeline.replay.report import replay_database_url, replay_ledger_query, replay_tables

    sport = get_sport(args.sport).code
    home = Path(args.home) if args.home else settings.home / "replays" / f"{sport}-{args.start}-{args.days}d"
    plan = ReplayPlan(sport, args.start, args.days, home.resolve(), history_from_season=args.history_from,
                      trainer=args.trainer)
    plan.validate()
    try:
        result = run_replay(plan, progress=lambda message: console.print(message, highlight=False))
    except ReplayFailure as failure:
        console.print(f"[bold red]replay failed:[/] {failure}")
        return 1
    for table in replay_tables(result):
        console.print(table)
    print_ledger(engine_for(replay_database_url(result)), replay_ledger_query(result))
    failed = result.log.failures()
    if failed:
        console.print(f"[bold red]{len(failed)} run(s) failed[/]: "
                      + ", ".join(f"{run.job_name} {run.partition_key} (run {run.run_id})" for run in failed))
        return 1
    console.print(f"[dim]replay folder {plan.home}: `ROYALEY_HOME={plan.home} royaley ui` shows its runs[/]")
    return 0


def cmd_ui(args, settings) -> int:
    """Exec `dagster dev` on the same DAGSTER_HOME as the CLI, so its runs are in the UI."""
    workspace = Path(__file__).resolve().parent.parent / "workspace.yaml"
    command = ["dagster", "dev", "-p", str(args.port)]
    if workspace.exists():
        command += ["-w", str(workspace)]
    else:
        command += ["-m", "royaley_pipeline.definitions"]
    console.print(f"DAGSTER_HOME={settings.dagster_home}; starting: {' '.join(command)}")
    os.execvp(command[0], command)
    return 0


def cmd_api(args, settings) -> int:
    """Serve the REST API on the same instance, registry and database as the other commands."""
    try:
        serve(settings, args.host, args.port, args.log_level)
    except InsecureBindError as error:
        raise BadRequest(str(error)) from None
    return 0


def _require_games(engine, sport: str, day: date) -> None:
    if count_rows(engine, sport, day, day)["games"] == 0:
        raise BadRequest(
            f"no {sport} games on {day} in the database (ingest them first, or pick another --date)"
        )


def _stored_slate(engine, sport: str, day: date, args):
    return load_predictions(engine, sport, day, min_edge=args.min_edge, tier=args.tier)


def _write_slate(output: Path, day: date, slates, skipped: list[dict]) -> None:
    """One JSON document for the whole request: every sport's predictions and the sports skipped."""
    slate = pd.concat(slates, ignore_index=True) if slates else pd.DataFrame()
    document = {
        "date": day.isoformat(),
        "sports": sorted(slate["sport"].unique().tolist()) if len(slate) else [],
        "skipped": skipped,
        "predictions": json.loads(slate.to_json(orient="records", date_format="iso")) if len(slate) else [],
    }
    write_json_atomically(output, document)
    console.print(f"slate written to {output} ({len(document['predictions'])} predictions)")


def _show_slate(slates) -> None:
    slate = pd.concat(slates, ignore_index=True) if slates else pd.DataFrame()
    table = Table(title=f"Slate ({len(slate)} bets)")
    for column in (
        "sport",
        "game",
        "bet",
        "side",
        "line",
        "price",
        "model p",
        "market p",
        "edge",
        "tier",
        "stake",
    ):
        table.add_column(
            column, justify="right" if column not in ("sport", "game", "bet", "side") else "left"
        )
    for row in slate.itertuples():
        table.add_row(
            row.sport,
            row.source_game_id,
            row.bet_type,
            row.side,
            _fmt(row.line, "+.1f"),
            _fmt(row.price_american, "+.0f"),
            _fmt(row.probability, ".3f"),
            _fmt(row.market_probability, ".3f"),
            _fmt(row.edge, "+.1%"),
            row.tier,
            _fmt(row.kelly_stake, ".2%"),
        )
    console.print(table)


def _show_quality(settings, sport) -> None:
    table = Table(
        title=f"{sport.code} champions: walk-forward quality vs the de-vigged closing market, same games",
        caption="each test season is scored by a model fitted only on earlier seasons (from 2015)",
    )
    for column in (
        "bet type",
        "version",
        "data seasons",
        "games",
        "model Brier",
        "market Brier",
        "model log loss",
        "market log loss",
    ):
        table.add_column(column, justify="right")
    for version in ModelRegistry.for_settings(settings).list_versions(sport=sport.code):
        if "champion" not in version.aliases:
            continue
        metrics = version.metrics
        table.add_row(
            version.model.bet_type,
            str(version.version),
            _seasons(version),
            _fmt(metrics.get("overall_market_n"), ".0f"),
            _fmt(metrics.get("overall_model_brier_on_market_games"), ".4f"),
            _fmt(metrics.get("overall_market_brier"), ".4f"),
            _fmt(metrics.get("overall_model_log_loss_on_market_games"), ".4f"),
            _fmt(metrics.get("overall_market_log_loss"), ".4f"),
        )
    console.print(table)


def _seasons(version) -> str:
    window = version.data_window
    first, last = window.get("first_season"), window.get("last_season")
    return f"{first}–{last}" if first and last else "–"


def _fmt(value, spec: str) -> str:
    try:
        if value is None or value != value:
            return "–"
        return format(float(value), spec)
    except (TypeError, ValueError):
        return str(value)


if __name__ == "__main__":
    sys.exit(main())
