"""Launching training runs and reading their state back from the Dagster instance.

Two honest ways to start the model asset's partition as a Dagster run:

- ``InProcessLauncher`` (default): a run id is generated up front and the job is executed with
  ``execute_in_process(run_id=...)`` on the instance under ``DAGSTER_HOME`` by one worker thread,
  so runs are recorded (events, materialisations, logs) and visible in the UI. One worker means one
  training run at a time, like the production run queue; a run waiting for it is ``queued``.
- ``GraphQLLauncher`` (settings' ``dagster_graphql_url``, ``ROYALEY_DAGSTER_GRAPHQL_URL``, set): the webserver's GraphQL API submits
  the run, so the instance's run coordinator queues it and its daemon launches it through the
  configured run launcher (the path the UI's Materialize button takes).

Either way the API reads status, the failing step, metrics and the model version from the same
instance, so the API must share the webserver's instance (same ``DAGSTER_HOME``/storage).
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlparse

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunConfig

from royaley_pipeline import runner
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.launch import PARTITION_TAG, TRAINING_JOB, Origin, run_config, run_tags, training_config
from royaley_pipeline.partitions import model_key, parse_model_key
from royaley_pipeline.run_failures import run_failure

logger = logging.getLogger(__name__)

_STATUS_NAMES = {
    DagsterRunStatus.QUEUED: "queued",
    DagsterRunStatus.NOT_STARTED: "queued",
    DagsterRunStatus.MANAGED: "started",
    DagsterRunStatus.STARTING: "started",
    DagsterRunStatus.STARTED: "started",
    DagsterRunStatus.SUCCESS: "success",
    DagsterRunStatus.FAILURE: "failure",
    DagsterRunStatus.CANCELING: "canceled",
    DagsterRunStatus.CANCELED: "canceled",
    DagsterRunStatus.SUSPENDED: "suspended",
}
_METRIC_KEYS = ("model_log_loss", "market_log_loss", "model_brier", "market_brier")


@dataclass(frozen=True)
class TrainingRequest:
    sport_code: str
    bet_type: str
    framework: str
    max_runtime_seconds: int | None = None

    @property
    def partition_key(self) -> str:
        return model_key(self.sport_code, self.bet_type)

    def run_config(self) -> RunConfig:
        return run_config(training_config(framework=self.framework, max_runtime_seconds=self.max_runtime_seconds))

    def tags(self) -> dict[str, str]:
        return {PARTITION_TAG: self.partition_key, **run_tags(Origin.API, self.sport_code, self.bet_type)}


@dataclass
class TrainingStatus:
    run_id: str
    status: str
    sport_code: str | None = None
    bet_type: str | None = None
    partition_key: str | None = None
    failed_step: str | None = None
    error: str | None = None
    model_name: str | None = None
    model_version: int | None = None
    promoted_to_champion: bool | None = None
    metrics: dict[str, float | None] = field(default_factory=dict)


class LaunchError(RuntimeError):
    """The run could not be handed to Dagster (e.g. the configured webserver is unreachable)."""


class QueueFullError(RuntimeError):
    """Too many training requests wait already; the client should come back later."""

    def __init__(self, waiting: int, retry_after_seconds: int) -> None:
        super().__init__(
            f"{waiting} training runs are already waiting; try again in {retry_after_seconds} s"
        )
        self.retry_after_seconds = retry_after_seconds


class Launcher(Protocol):
    def launch(self, request: TrainingRequest) -> str: ...

    def pending(self, run_id: str) -> TrainingRequest | None:
        """A request accepted by this launcher whose Dagster run does not exist yet."""
        ...

    def close(self) -> None: ...


class InProcessLauncher:
    """Run the training job on the instance in a single worker thread (runs queue behind it)."""

    RETRY_AFTER_SECONDS = 60  # a sklearn training on the bundled NFL history takes about this long

    def __init__(self, instance: DagsterInstance, max_waiting: int = 4, execute=runner.execute) -> None:
        """``execute`` runs one request (``runner.execute``; a test may hand a slow one to fill the queue)."""
        self.instance = instance
        self.max_waiting = max_waiting
        self._run = execute
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="royaley-training")
        self._pending: dict[str, TrainingRequest] = {}
        self._lock = threading.Lock()

    def launch(self, request: TrainingRequest) -> str:
        run_id = str(uuid.uuid4())
        with self._lock:
            # The running request stays pending until it finishes: one running + max_waiting queued.
            if len(self._pending) > self.max_waiting:
                raise QueueFullError(len(self._pending) - 1, self.RETRY_AFTER_SECONDS)
            self._pending[run_id] = request
        self._executor.submit(self._execute, run_id, request)
        return run_id

    def pending(self, run_id: str) -> TrainingRequest | None:
        with self._lock:
            return self._pending.get(run_id)

    def _execute(self, run_id: str, request: TrainingRequest) -> None:
        try:
            self._run(
                TRAINING_JOB,
                run_id=run_id,
                dagster_instance=self.instance,
                partition_key=request.partition_key,
                config=request.run_config(),
                tags=request.tags(),
            )
        except Exception:  # noqa: BLE001 - a worker must survive a run that could not even start
            logger.exception("training run %s could not be executed", run_id)
        finally:
            with self._lock:
                self._pending.pop(run_id, None)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class GraphQLLauncher:
    """Submit through a Dagster webserver: its run coordinator and daemon launch the run."""

    def __init__(self, url: str) -> None:
        from dagster_graphql import DagsterGraphQLClient

        parsed = urlparse(url)
        if not parsed.hostname:
            raise BadRequest(f"ROYALEY_DAGSTER_GRAPHQL_URL {url!r} is not a URL like http://host:3000")
        self.client = DagsterGraphQLClient(
            parsed.hostname, port_number=parsed.port, use_https=parsed.scheme == "https", timeout=60
        )

    def launch(self, request: TrainingRequest) -> str:
        from dagster_graphql import DagsterGraphQLClientError

        try:
            return self.client.submit_job_execution(
                TRAINING_JOB, run_config=request.run_config().to_config_dict(), tags=request.tags()
            )
        except (DagsterGraphQLClientError, ConnectionError) as error:
            raise LaunchError(f"the Dagster webserver did not accept the run: {error}") from error

    def pending(self, run_id: str) -> TrainingRequest | None:
        return None  # the webserver creates the run record before it answers

    def close(self) -> None:
        return None


def training_status(instance: DagsterInstance, run_id: str, launcher: Launcher | None = None) -> TrainingStatus | None:
    """The state of a training run as the instance records it; None when no such training run exists."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.job_name != TRAINING_JOB:
        request = launcher.pending(run_id) if launcher else None
        if request is None:
            return None
        return TrainingStatus(
            run_id, "queued", request.sport_code, request.bet_type, request.partition_key
        )
    partition_key = run.tags.get(PARTITION_TAG)
    sport, bet_type = parse_model_key(partition_key) if partition_key else (None, None)
    status = TrainingStatus(run_id, _STATUS_NAMES[run.status], sport, bet_type, partition_key)
    if run.status == DagsterRunStatus.FAILURE:
        status.failed_step, status.error = _first_step_failure(instance, run_id)
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        metadata = record.dagster_event.event_specific_data.materialization.metadata
        value = {key: getattr(entry, "value", entry) for key, entry in metadata.items()}
        status.model_name = value.get("model_name")
        status.model_version = int(value["model_version"]) if value.get("model_version") else None
        status.promoted_to_champion = value.get("promoted_to_champion")
        status.metrics = {key: value.get(key) for key in _METRIC_KEYS}
    return status


def _first_step_failure(instance: DagsterInstance, run_id: str) -> tuple[str | None, str | None]:
    failures = {DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}
    failure = run_failure([record.dagster_event for record in instance.all_logs(run_id, of_type=failures)])
    return failure.step, failure.message
