"""Settings: every environment variable the pipeline reads, read in one place, when asked.

``load_settings()`` is called when a command, the API or the code location starts (and by a sensor
when it evaluates), never when a module is imported. Defaults are embedded under ``ROYALEY_HOME`` so
that the CLI, the Dagster assets and the tests agree on where data lives. Secrets (``*_secret``
fields, and URLs that may carry passwords) reach Dagster resources as ``EnvVar``s: see
``config_value``. The live sources declare their own variables beside their clients
(``SourceSetting``s in ``collectors/``), resolved against the variables read here (``source_value``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dagster import EnvVar

from royaley_pipeline.errors import BadRequest
from royaley_pipeline.sports import SPORTS, get_sport

PACKAGE_DATA = Path(__file__).parent / "data"
NFELO_FILE = Path("nfelo") / "nfelo_games.csv"  # its place inside the shared data folder
DEFAULT_SCHEDULE_TIMEZONE = "America/New_York"

DATABASE_URL = "ROYALEY_DATABASE_URL"
MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"
API_TOKEN = "ROYALEY_API_TOKEN"
ALERT_WEBHOOK_URL = "ROYALEY_ALERT_WEBHOOK_URL"


@dataclass(frozen=True)
class SourceSetting:
    """A value of the collectors resource that a live source declares beside its client: ``name``
    (e.g. ``sportsdb_base_url``), set by the environment variable ``variable`` (none: a resource
    value only), else ``default``. A ``secret`` read from the process reaches runs as an ``EnvVar``."""

    name: str
    variable: str = ""
    default: str = ""
    secret: bool = False


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str = field(repr=False)  # may carry a password
    mlflow_tracking_uri: str = field(repr=False)
    features_path: Path
    datasets_path: Path
    predictions_path: Path
    dagster_home: Path
    source_data_path: Path
    shared_data_path: Path | None = None
    """``ROYALEY_SHARED_DATA``: a folder of files that cannot be redistributed (nfelo), if any."""
    nfelo_path: Path | None = None
    """``ROYALEY_NFELO_PATH``, else ``nfelo/nfelo_games.csv`` under the shared data folder, else None."""
    schedule_timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    scheduled_sports: tuple[str, ...] = field(default_factory=lambda: default_scheduled_sports())
    """``ROYALEY_SCHEDULED_SPORTS``; unset or empty: every sport a live source covers."""
    collector_retry_delay: float = 60.0
    h2o_url: str | None = None
    h2o_nthreads: int = 2
    h2o_max_mem_size: str = "2G"
    retraining_framework: str | None = None
    """``ROYALEY_RETRAINING_FRAMEWORK``: the Sunday retraining's trainer (sklearn, h2o, autogluon; checked
    against the framework registry when the schedules are built); empty: ``frameworks.DEFAULT_FRAMEWORK``,
    what measured best."""
    retraining_algorithm: str | None = None
    """``ROYALEY_RETRAINING_ALGORITHM``: e.g. logistic, hist_gradient_boosting (sklearn), automl, gbm (h2o);
    empty: the framework's default."""
    retraining_max_runtime: int | None = None
    """``ROYALEY_RETRAINING_MAX_RUNTIME``: seconds per H2O AutoML / AutoGluon fit; empty: the trainer's 60."""
    dagster_graphql_url: str | None = None
    api_token: str | None = field(default=None, repr=False)
    alert_webhook_url: str | None = field(default=None, repr=False)
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The variables as read, for those declared outside this module (``SourceSetting``s)."""
    process_variables: frozenset[str] = frozenset()
    """Names of the variables read from the process environment (not from a mapping given to
    ``load_settings``): only those can be handed to Dagster as ``EnvVar``."""
    api_allowed_hosts: tuple[str, ...] = ()
    """Host names the REST API answers to (``ROYALEY_API_ALLOWED_HOSTS``, comma-separated); empty:
    loopback names only when there is no token, any name with one."""
    api_max_body_bytes: int = 64 * 1024
    api_max_queued_trainings: int = 4
    mlflow_ui_url: str | None = None
    """``ROYALEY_MLFLOW_UI_URL``: the MLflow UI users open; Dagster metadata then links to runs and versions."""
    dagster_ui_url: str | None = None
    """``ROYALEY_DAGSTER_UI_URL``: the Dagster UI users open; MLflow runs then carry a ``dagster_run_url``."""
    git_url: str | None = None
    """``ROYALEY_GIT_URL``: the repository's web address; assets' code references then link to it."""
    git_branch: str = "main"

    def today(self) -> date:
        """Today's date where the schedules run (``schedule_timezone``), not the machine's."""
        try:
            zone = ZoneInfo(self.schedule_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequest(f"ROYALEY_SCHEDULE_TIMEZONE={self.schedule_timezone!r} is not a time zone "
                             "(e.g. America/New_York)") from None
        return datetime.now(zone).date()

    def ensure_directories(self) -> None:
        for path in (self.home, self.features_path, self.datasets_path, self.predictions_path,
                     self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)

    @property
    def mlflow_artifact_location(self) -> str | None:
        """Where a local MLflow store keeps artifacts: under the home, beside ``mlflow.db`` (MLflow's
        default is ``./mlruns`` of whichever process trains first), so the store and its models move
        together (``mlflow_locations``); None for a tracking server, which keeps its own."""
        if self.mlflow_tracking_uri.startswith(("http://", "https://")):
            return None
        return str(self.home / "mlartifacts")

    def config_value(self, variable: str, value):
        """``EnvVar(variable)`` when ``value`` came from the process environment, so a resource
        reads it at run time and it never enters the definitions; else the value itself."""
        return EnvVar(variable) if variable in self.process_variables else value

    def source_value(self, setting: SourceSetting) -> str:
        """A declared setting's value: the variable's when set (an ``EnvVar`` for a secret from the
        process), else the default."""
        value = self.environment.get(setting.variable) if setting.variable else None
        if not value:
            return setting.default
        return self.config_value(setting.variable, value) if setting.secret else value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``environ`` (the process environment by default). A malformed value is a
    BadRequest naming the variable."""
    env = os.environ if environ is None else environ
    home = Path(env.get("ROYALEY_HOME", "./.royaley")).resolve()
    shared = _path(env, "ROYALEY_SHARED_DATA")
    nfelo = _path(env, "ROYALEY_NFELO_PATH")
    if "ROYALEY_NFELO_PATH" not in env and shared is not None:
        nfelo = shared / NFELO_FILE
    return Settings(
        home=home,
        database_url=env.get(DATABASE_URL, f"sqlite:///{home / 'royaley.db'}"),
        mlflow_tracking_uri=env.get(MLFLOW_TRACKING_URI, f"sqlite:///{home / 'mlflow.db'}"),
        features_path=Path(env.get("FEATURES_PATH", home / "features")),
        datasets_path=Path(env.get("DATASETS_PATH", home / "datasets")),
        predictions_path=Path(env.get("ROYALEY_PREDICTIONS_PATH", home / "predictions")),
        dagster_home=Path(env.get("DAGSTER_HOME", home / "dagster")),
        source_data_path=Path(env.get("ROYALEY_SOURCE_DATA", PACKAGE_DATA)),
        shared_data_path=shared,
        nfelo_path=nfelo,
        schedule_timezone=env.get("ROYALEY_SCHEDULE_TIMEZONE", DEFAULT_SCHEDULE_TIMEZONE),
        scheduled_sports=_sports(env.get("ROYALEY_SCHEDULED_SPORTS") or ",".join(default_scheduled_sports())),
        collector_retry_delay=_number(env, "ROYALEY_COLLECTOR_RETRY_DELAY", "60", float),
        h2o_url=env.get("ROYALEY_H2O_URL") or None,
        h2o_nthreads=_number(env, "ROYALEY_H2O_NTHREADS", "2", int),
        h2o_max_mem_size=env.get("ROYALEY_H2O_MAX_MEM_SIZE", "2G"),
        retraining_framework=env.get("ROYALEY_RETRAINING_FRAMEWORK") or None,
        retraining_algorithm=env.get("ROYALEY_RETRAINING_ALGORITHM") or None,
        retraining_max_runtime=_positive(env, "ROYALEY_RETRAINING_MAX_RUNTIME"),
        dagster_graphql_url=env.get("ROYALEY_DAGSTER_GRAPHQL_URL") or None,
        api_token=env.get(API_TOKEN) or None,
        alert_webhook_url=env.get(ALERT_WEBHOOK_URL) or None,
        environment=dict(env),
        process_variables=frozenset(os.environ) if environ is None else frozenset(),
        api_allowed_hosts=tuple(
            host.strip() for host in env.get("ROYALEY_API_ALLOWED_HOSTS", "").split(",") if host.strip()
        ),
        api_max_body_bytes=_number(env, "ROYALEY_API_MAX_BODY_BYTES", str(64 * 1024), int),
        api_max_queued_trainings=_number(env, "ROYALEY_API_MAX_QUEUED_TRAININGS", "4", int),
        mlflow_ui_url=env.get("ROYALEY_MLFLOW_UI_URL") or None,
        dagster_ui_url=env.get("ROYALEY_DAGSTER_UI_URL") or None,
        git_url=env.get("ROYALEY_GIT_URL") or None,
        git_branch=env.get("ROYALEY_GIT_BRANCH", "main"),
    )


def default_scheduled_sports() -> tuple[str, ...]:
    """Every sport some live source covers (its ``sources`` in the registry), in registry order;
    WTA has history but no live source yet, so no daily slate."""
    return tuple(code for code, sport in SPORTS.items() if sport.sources)


def _positive(env: Mapping[str, str], variable: str) -> int | None:
    text = env.get(variable)
    if not text:
        return None
    if not text.isdigit() or int(text) <= 0:
        raise BadRequest(f"{variable}={text!r} is not a positive number of seconds")
    return int(text)


def _path(env: Mapping[str, str], variable: str) -> Path | None:
    value = env.get(variable)
    return Path(value).expanduser() if value else None


def _sports(codes: str) -> tuple[str, ...]:
    try:
        return tuple(get_sport(code.strip()).code for code in codes.split(",") if code.strip())
    except BadRequest as error:
        raise BadRequest(f"ROYALEY_SCHEDULED_SPORTS: {error}") from None


def _number(env: Mapping[str, str], variable: str, default: str, kind: type):
    text = env.get(variable, default)
    try:
        return kind(text)
    except ValueError:
        raise BadRequest(f"{variable}={text!r} is not a number") from None
