"""`royaley`: the commands of the original scripts, each materialising assets through Dagster."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from royaley_pipeline import runner
from royaley_pipeline.api.auth import InsecureBindError
from royaley_pipeline.api.server import serve
from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.frameworks import FRAMEWORKS, check_framework
from royaley_pipeline.history_window import check_date_range, games_written
from royaley_pipeline.launch import COLLECTION_JOB, FEATURES_JOB, PREDICTIONS_JOB, run_config, training_config
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.run_failures import run_failure
from royaley_pipeline.sources.catalog import sports_with_history
from royaley_pipeline.sports import SPORTS, check_bet_type, get_sport
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.games import count_rows
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline.storage.quality_report import latest_slate_date
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
        return args.handler(args, settings)
    except BadRequest as error:
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        return 2
    except RunFailedError as error:
        console.print(f"[bold red]internal error:[/] {error}", soft_wrap=True)
        console.print(f"run {error.run_id}: {runner.where_to_look(error.run_id, settings)}", soft_wrap=True)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="royaley", description=__doc__)
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
    _sport_flags(predict)
    predict.add_argument("--date", type=_iso_date, default=None, help="YYYY-MM-DD (default: today)")
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


def _sport_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sport", help=f"one of {', '.join(SPORTS)}")
    parser.add_argument("--all", action="store_true", help="every sport with bundled data")


def _date_range_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", type=_iso_date, default=None, help="default: the sport's first month")
    parser.add_argument("--end", type=_iso_date, default=None, help="default: today")


def _slate_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-edge", type=float, default=None)
    parser.add_argument("--tier", choices=["A", "B", "C", "D"], default=None)
    parser.add_argument("--output", default=None, help="write the slate to this JSON file")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _sports(args) -> list[str]:
    if getattr(args, "all", False):

        return sports_with_history()
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


def _date_ranges(args) -> list[tuple[str, date, date]]:
    """Each sport's window, all checked before the first run starts."""
    return [(sport, *check_date_range(sport, args.start, args.end, date.today())) for sport in _sports(args)]


def cmd_ingest(args, settings) -> int:
    return _run_date_range("ingest", COLLECTION_JOB, args, outcome=_games_written)


def cmd_features(args, settings) -> int:
    return _run_date_range("features", FEATURES_JOB, args)


def _run_date_range(command: str, job_name: str, args, outcome=None) -> int:
    """One run of ``job_name`` per requested sport over its checked ``--start``..``--end``."""
    for sport, start, end in _date_ranges(args):
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
    ))
    for sport_code in _sports(args):
        sport = get_sport(sport_code)
        for bet_type in bet_types_to_train(sport, args.bet_type, args.all_bet_types or args.all):
            _run_or_fail(
                f"train {sport.code} {bet_type} ({'mock' if args.mock else args.framework})",
                lambda code=sport.code, bt=bet_type: runner.run_model(code, bt, config=config),
            )
    return 0


def cmd_predict(args, settings) -> int:
    engine = engine_for(settings.database_url)
    day = args.date or date.today()
    _check_output(args.output)
    slates = []
    for sport in _sports(args):
        _require_games(engine, sport, day)
        _run_or_fail(
            f"predict {sport} {day}", lambda s=sport: runner.run_sport_dates(PREDICTIONS_JOB, s, day, day)
        )
        slates.append(_stored_slate(engine, sport, day, args))
    _show_slate(slates, args)
    return 0


def cmd_promote(args, settings) -> int:
    sport = get_sport(args.sport)
    check_bet_type(sport, args.bet_type)
    registry = ModelRegistry(settings.mlflow_tracking_uri)
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
    versions = ModelRegistry(settings.mlflow_tracking_uri).list_versions(
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


def cmd_run(args, settings) -> int:
    """`make run`: the whole graph for one sport on the bundled data, then the slate and quality."""
    sport = get_sport(args.sport)
    _check_output(args.output)
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
    _show_slate([_stored_slate(engine, sport.code, day, args)], args)
    _show_quality(settings, sport)
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


def _check_output(output: str | None) -> None:
    """Refuse an output file that cannot be written before any run starts."""
    if output is None:
        return

    folder = Path(output).expanduser().resolve().parent
    if not folder.is_dir():
        raise BadRequest(f"--output {output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (Path(output).exists() and not os.access(output, os.W_OK)):
        raise BadRequest(f"--output {output}: not writable")


def _stored_slate(engine, sport: str, day: date, args):
    return load_predictions(engine, sport, day, min_edge=args.min_edge, tier=args.tier)


def _show_slate(slates, args) -> None:
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
    if args.output:
        slate.to_json(args.output, orient="records", date_format="iso", indent=2)
        console.print(f"slate written to {args.output}")


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
    for version in ModelRegistry(settings.mlflow_tracking_uri).list_versions(sport=sport.code):
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
