"""The daily loop of a past stretch, run through the project's own schedules and sensors.

A replay lives in its own folder (database, MLflow store, Dagster instance), so it never touches
the user's. It starts from the bundled history cut at the stretch's first day (everything the
pipeline could have stored by then), trains the champions on it, and then, day by day, moves the
replay service's clock and evaluates the real schedules at their cron times with
``build_schedule_context(scheduled_execution_time=…)``; every run they request is executed on
the replay's instance, then every sensor is evaluated (``build_sensor_context`` for the cursor
sensors, ``build_run_status_sensor_context`` for the run-status ones) until none asks for more,
as the Dagster daemon would. Each run carries the simulated time it started at (``run_clock``), so
predictions are stamped and priced as of then. The collectors reach the replay service through
their base-URL settings.
"""

from __future__ import annotations

import os
import shutil
import time as time_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from dagster import (
    DagsterInstance,
    RunRequest,
    RunStatusSensorDefinition,
    build_schedule_context,
    build_sensor_context,
)

from royaley_pipeline.collectors.common import lookahead_days
from royaley_pipeline.collectors.settings import collectors_from_settings
from royaley_pipeline.config import PACKAGE_DATA, load_settings
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.launch import Origin, run_config, run_tags, training_config
from royaley_pipeline.replay.history import REPLAY_SPORTS, history_files, load_replay_history
from royaley_pipeline.replay.service import ReplayClock, ReplayServer, build_app, replay_environment
from royaley_pipeline.run_clock import AS_OF_TAG
from royaley_pipeline.sports import get_sport

MARKER = ".royaley-replay"  # a replay folder is recognised (and may be replaced) by this file
DAILY_TICKS = (("daily_collection_schedule", time(4, 0)), ("daily_predictions_schedule", time(6, 0)))
RUN_SPACING = timedelta(minutes=1)  # simulated time between runs launched at one tick
SENSOR_ROUNDS = 10  # a tick's sensors settle in three rounds; more would mean a loop


class ReplayError(BadRequest):
    """A replay that cannot be run as asked (printed as one line by the CLI, exit 2)."""


class ReplayFailure(RuntimeError):
    """A replay whose set-up runs failed (exit 1, with the failing step's error)."""


@dataclass(frozen=True)
class ReplayPlan:
    sport: str
    start: date
    days: int
    home: Path
    history_from_season: int | None = None  # older seasons are left out (faster; Elo starts later)
    bet_types: tuple[str, ...] = ()  # empty: every bet type the sport offers
    trainer: str = "sklearn"  # the production logistic model: main refuses a --mock model as champion

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def validate(self) -> None:
        if self.sport not in REPLAY_SPORTS:
            raise ReplayError(f"the replay serves {', '.join(REPLAY_SPORTS)}; {self.sport} has no replayable history")
        if self.days < 1:
            raise ReplayError(f"--days must be at least 1, got {self.days}")
        if self.trainer != "sklearn":
            raise ReplayError(f"--trainer must be sklearn (a mock model never becomes champion), got {self.trainer!r}")
        sport = get_sport(self.sport)
        unknown = [bet for bet in self.bet_types if bet not in sport.bet_types]
        if unknown:
            raise ReplayError(f"{self.sport} does not offer bet type {unknown[0]!r}; it offers "
                              f"{', '.join(sport.bet_types)}")


@dataclass
class RunRecord:
    """One run the replay executed: what asked for it, when (simulated), and how it ended."""

    requested_by: str
    job_name: str
    partition_key: str | None
    as_of: pd.Timestamp
    run_id: str
    success: bool
    seconds: float = 0.0  # wall time of the run, for the runs table and the benchmark


@dataclass
class ReplayLog:
    runs: list[RunRecord] = field(default_factory=list)

    def failures(self) -> list[RunRecord]:
        return [run for run in self.runs if not run.success]


def environment_for(plan: ReplayPlan, source_data: Path, nfelo: Path | None, base_url: str) -> dict[str, str]:
    """Every setting the replay's runs read: the replay folder for all storage, the history cut
    at the start, the replayed services, and only the replayed sport on the schedules."""
    home = plan.home
    return {
        "ROYALEY_HOME": str(home),
        "ROYALEY_DATABASE_URL": f"sqlite:///{home / 'royaley.db'}",
        "MLFLOW_TRACKING_URI": f"sqlite:///{home / 'mlflow.db'}",
        "FEATURES_PATH": str(home / "features"),
        "DATASETS_PATH": str(home / "datasets"),
        "ROYALEY_PREDICTIONS_PATH": str(home / "predictions"),
        "DAGSTER_HOME": str(home / "dagster"),
        "ROYALEY_SOURCE_DATA": str(source_data),
        "ROYALEY_NFELO_PATH": str(nfelo) if nfelo else "",
        "ROYALEY_SCHEDULED_SPORTS": plan.sport,
        "ROYALEY_COLLECTOR_RETRY_DELAY": "1",
        **replay_environment(base_url),
    }


@contextmanager
def patched_environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_home(home: Path) -> None:
    """A fresh replay folder: an existing one is replaced only if a replay made it."""
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise ReplayError(f"{home} exists and is not a replay folder: choose another --home")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("made by `royaley replay`; replaced by the next replay into this folder\n")


def cut_history(plan: ReplayPlan, source_data: Path, nfelo_path: Path | None) -> tuple[Path, Path | None]:
    """Copies of the sport's history files holding only what was known before the stretch.

    Games from the first day on (and, for nfelo, every week not wholly before it) are dropped, so
    the month refresh that follows each collection cannot bring in a score or a closing line the
    pipeline would not yet have had. Other files are linked unchanged.
    """
    target = plan.home / "history"
    target.mkdir(parents=True, exist_ok=True)
    for entry in Path(source_data).iterdir():
        if entry.name not in ("nflverse", "nba"):
            (target / entry.name).symlink_to(entry.resolve())
    first = pd.Timestamp(plan.start)
    from_season = plan.history_from_season
    nflverse = pd.read_csv(Path(source_data) / "nflverse" / "games.csv", dtype=str, keep_default_na=False)
    kept = nflverse[pd.to_datetime(nflverse["gameday"]) < first]
    if from_season is not None:
        kept = kept[kept["season"].astype(int) >= from_season]
    (target / "nflverse").mkdir(exist_ok=True)
    kept.to_csv(target / "nflverse" / "games.csv", index=False, lineterminator="\n")
    nba = pd.read_csv(Path(source_data) / "nba" / "nba_2008-2025.csv", dtype=str, keep_default_na=False)
    nba_kept = nba[pd.to_datetime(nba["date"]) < first]
    if from_season is not None:
        nba_kept = nba_kept[nba_kept["season"].astype(int) > from_season]  # the file names seasons by their end
    (target / "nba").mkdir(exist_ok=True)
    nba_kept.to_csv(target / "nba" / "nba_2008-2025.csv", index=False, lineterminator="\n")
    if nfelo_path is None or not Path(nfelo_path).is_file():
        return target, None
    nfelo = pd.read_csv(nfelo_path, dtype=str, keep_default_na=False)
    whole_weeks = _weeks_wholly_before(nflverse, first)
    parts = nfelo["game_id"].str.extract(r"^(\d{4})_(\d{1,2})_")
    week_key = parts[0] + "_" + parts[1].str.zfill(2)
    nfelo_kept = nfelo[week_key.isin(whole_weeks & set(kept["season"] + "_" + kept["week"].str.zfill(2)))]
    nfelo_cut = target / "nfelo_games.csv"
    nfelo_kept.to_csv(nfelo_cut, index=False, lineterminator="\n")
    return target, nfelo_cut


def first_history_day(cut_source: Path, plan: ReplayPlan) -> date:
    """The first game day of the cut history of the plan's sport."""
    if plan.sport == "NFL":
        days = pd.read_csv(cut_source / "nflverse" / "games.csv", usecols=["gameday"])["gameday"]
    else:
        days = pd.read_csv(cut_source / "nba" / "nba_2008-2025.csv", usecols=["date"])["date"]
    if days.empty:
        raise ReplayError(f"no {plan.sport} history before {plan.start} to train on")
    return pd.to_datetime(days).min().date()


def _weeks_wholly_before(nflverse: pd.DataFrame, first: pd.Timestamp) -> set[str]:
    week = nflverse["season"] + "_" + nflverse["week"].str.zfill(2)
    last_day = pd.to_datetime(nflverse["gameday"]).groupby(week).max()
    return set(last_day[last_day < first].index)


class DailyLoop:
    """Evaluates schedules and sensors of ``definitions`` at simulated times and runs their requests."""

    def __init__(self, definitions, instance: DagsterInstance, clock: ReplayClock, timezone: str,
                 progress: Callable[[str], None] = lambda message: None) -> None:
        self.definitions = definitions
        self.instance = instance
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.progress = progress
        self.log = ReplayLog()
        self._cursors: dict[str, str | None] = {}
        self._moment: pd.Timestamp | None = None

    def day(self, day: date) -> None:
        for schedule_name, at in DAILY_TICKS:
            self.tick(schedule_name, datetime.combine(day, at, self.zone))

    def warm_up(self, day: date) -> None:
        """The collection tick of a day before the stretch, sensors not yet on: the pipeline had been
        collecting before the replay starts, so the stretch's first games were seen (and priced) on
        the days before them, as a running deployment's are (``collection_lookahead_days``)."""
        self.tick("daily_collection_schedule", datetime.combine(day, DAILY_TICKS[0][1], self.zone), settle=False)

    def tick(self, schedule_name: str, when: datetime, settle: bool = True) -> None:
        """Evaluate one schedule at ``when``, run what it asks for, then settle the sensors."""
        self._moment = pd.Timestamp(when).tz_convert("UTC")
        schedule = self.definitions.resolve_schedule_def(schedule_name)
        context = build_schedule_context(instance=self.instance, scheduled_execution_time=when,
                                         repository_def=self.definitions.get_repository_def())
        requests = schedule.evaluate_tick(context).run_requests or []
        self.progress(f"{when:%Y-%m-%d %H:%M} {schedule_name}: {len(requests)} run(s)")
        for request in requests:
            self._execute(schedule_name, schedule.job_name, request)
        if settle:
            self._settle_sensors()

    def _next_moment(self) -> pd.Timestamp:
        moment = self._moment
        self._moment = moment + RUN_SPACING
        self.clock.set(moment)
        return moment

    def _execute(self, requested_by: str, job_name: str, request: RunRequest) -> RunRecord:
        as_of = self._next_moment()
        job = self.definitions.resolve_job_def(request.job_name or job_name)
        tags = {**(request.tags or {}), **run_tags(Origin.REPLAY), AS_OF_TAG: as_of.isoformat(),
                "royaley/requested_by": requested_by}
        config = request.run_config or run_config()
        began = time_module.perf_counter()
        result = job.execute_in_process(
            instance=self.instance, partition_key=request.partition_key, tags=tags, run_config=config,
            raise_on_error=False,
        )
        record = RunRecord(requested_by, job.name, request.partition_key, as_of, result.run_id, result.success,
                           time_module.perf_counter() - began)
        self.log.runs.append(record)
        state = "ok" if result.success else "FAILED"
        self.progress(f"  {as_of:%H:%M}Z {job.name} {request.partition_key or ''} ({requested_by}): {state}")
        return record

    def start_sensors(self) -> None:
        """Switch every sensor on: its first evaluation sets its cursor (run-status sensors then watch
        runs from here on), as when a sensor is started in the UI."""
        for sensor in self.definitions.sensors:
            self._evaluate(sensor)

    def _settle_sensors(self) -> None:
        for _ in range(SENSOR_ROUNDS):
            launched = 0
            for sensor in self._sensors_in_order():
                for request in self._evaluate(sensor):
                    self._execute(sensor.name, request.job_name or sensor.job_name, request)
                    launched += 1
            if not launched:
                return
        raise ReplayError(f"sensors kept requesting runs after {SENSOR_ROUNDS} rounds")

    def _sensors_in_order(self) -> list:
        """Run-status sensors first: a collection's features refresh runs before the odds it stored
        re-price the slate (the daemon gives no order; this one is the order the pipeline intends)."""
        sensors = list(self.definitions.sensors)
        return sorted(sensors, key=lambda sensor: not isinstance(sensor, RunStatusSensorDefinition))

    def _evaluate(self, sensor) -> list[RunRequest]:
        """One tick of a sensor, as the daemon evaluates it: its cursor in, its requests and cursor out."""
        context = build_sensor_context(instance=self.instance, cursor=self._cursors.get(sensor.name),
                                       definitions=self.definitions, sensor_name=sensor.name)
        data = sensor.evaluate_tick(context)
        self._cursors[sensor.name] = data.cursor
        return list(data.run_requests or [])


@dataclass(frozen=True)
class ReplayResult:
    plan: ReplayPlan
    log: ReplayLog


def train_champions(plan: ReplayPlan, first_day: date, progress: Callable[[str], None],
                    instance: DagsterInstance) -> None:
    """Store the cut history (one collection run) and train each bet type's first champion on it:
    the Elo-baseline logistic model (``--mock``), trained in seconds, unless ``plan.trainer`` says
    ``sklearn`` (the production logistic model with its search)."""
    from royaley_pipeline import runner
    from royaley_pipeline.run_failures import failure_message

    last_day = plan.start - timedelta(days=1)
    result = runner.run_sport_dates("collection_job", plan.sport, first_day, last_day, origin=Origin.REPLAY,
                                    dagster_instance=instance)
    if not result.success:
        raise ReplayFailure(f"storing the history before {plan.start} failed: {failure_message(result)}")
    progress(f"history {plan.sport} {first_day}..{last_day} stored")
    config = run_config(training_config(framework=plan.trainer))
    for bet_type in plan.bet_types or get_sport(plan.sport).bet_types:
        result = runner.run_model(plan.sport, bet_type, config=config, origin=Origin.REPLAY, dagster_instance=instance)
        if not result.success:
            raise ReplayFailure(f"training {plan.sport} {bet_type} failed: {failure_message(result)}")
        progress(f"champion {plan.sport} {bet_type} trained ({plan.trainer}) on games before {plan.start}")


def run_replay(plan: ReplayPlan, progress: Callable[[str], None] = print) -> ReplayResult:
    """Prepare the replay folder, cut the history, start the service, train, and loop over the days."""
    plan.validate()
    settings = load_settings()
    source_data = settings.source_data_path if Path(settings.source_data_path).is_dir() else PACKAGE_DATA
    files = history_files(settings)
    # The collection ticks of the look-ahead days before the stretch warm it up (``DailyLoop.warm_up``);
    # the service serves from the day before the first tick (whose finals that tick collects) to the
    # day after the stretch (the last day's finals are collected, and settled, that morning).
    lookahead = lookahead_days(collectors_from_settings(settings).value("collection_lookahead_days"))
    warm_up = [plan.start - timedelta(days=offset) for offset in range(lookahead, 0, -1)]
    first_tick_day = warm_up[0] if warm_up else plan.start
    history = load_replay_history(files, plan.sport, first_tick_day - timedelta(days=1), plan.end + timedelta(days=1))
    in_stretch = history.games["game_date"].between(plan.start, plan.end)
    if not in_stretch.any():
        raise ReplayError(f"no {plan.sport} games between {plan.start} and {plan.end} in the bundled history")
    prepare_home(plan.home)
    cut_source, cut_nfelo = cut_history(plan, Path(source_data), settings.nfelo_path)
    first_tick = datetime.combine(first_tick_day, time(0), ZoneInfo("UTC"))
    clock = ReplayClock(first_tick)
    with ReplayServer(build_app({plan.sport: history}, clock)) as server:
        with patched_environment(environment_for(plan, cut_source, cut_nfelo, server.base_url)):
            from royaley_pipeline import runner
            from royaley_pipeline.definitions import build_definitions

            runner.prepare_environment()
            # Entered, so the instance's own state storage is the current one for the replay (a
            # stale one from an earlier instance in this process would break loading definitions).
            with DagsterInstance.get() as instance:
                train_champions(plan, first_history_day(cut_source, plan), progress, instance)
                replay_settings = load_settings()
                definitions = build_definitions(replay_settings)
                loop = DailyLoop(definitions, instance, clock, replay_settings.schedule_timezone, progress)
                for day in warm_up:
                    loop.warm_up(day)
                loop.start_sensors()
                for offset in range(plan.days + 1):
                    day = plan.start + timedelta(days=offset)
                    if offset < plan.days:
                        loop.day(day)
                    else:  # the morning after: yesterday's finals, then whatever settles them
                        loop.tick("daily_collection_schedule", datetime.combine(day, time(4), loop.zone))
    return ReplayResult(plan, loop.log)
