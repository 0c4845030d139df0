"""A real Dagster instance and a real pipeline home (SQLite, MLflow, Parquet) per test module."""

from __future__ import annotations

from datetime import date

import pytest
from dagster import DagsterInstance

from royaley_pipeline.config import load_settings
from royaley_pipeline.definitions import build_definitions
from royaley_pipeline.partitions import model_key, sport_day_key, sport_month_key
from royaley_pipeline.runner import RANGE_END_TAG, RANGE_START_TAG, quiet


class Pipeline:
    """Runs the code location's jobs the way the CLI, schedules and UI backfills do."""

    def __init__(self, home, environ: dict[str, str] | None = None):
        self.settings = load_settings({"ROYALEY_HOME": str(home), **(environ or {})})
        self.settings.ensure_directories()
        self.defs = build_definitions(self.settings)
        self.instance = DagsterInstance.local_temp(str(home / "dagster"))

    def run_months(self, job_name: str, sport: str, start: date, end: date, run_config=None):
        tags = {RANGE_START_TAG: sport_month_key(sport, start), RANGE_END_TAG: sport_month_key(sport, end)}
        return self._execute(job_name, tags=tags, run_config=run_config)

    def run_days(self, job_name: str, sport: str, start: date, end: date, run_config=None):
        tags = {RANGE_START_TAG: sport_day_key(sport, start), RANGE_END_TAG: sport_day_key(sport, end)}
        return self._execute(job_name, tags=tags, run_config=run_config)

    def train(self, sport: str, bet_type: str, **config):
        run_config = {"ops": {"models__game_outcome_model": {"config": config}}} if config else None
        return self._execute("training_job", partition_key=model_key(sport, bet_type), run_config=run_config)

    def _execute(self, job_name: str, run_config=None, **kwargs):
        job = self.defs.resolve_job_def(job_name)
        return job.execute_in_process(
            instance=self.instance, run_config=quiet(run_config), raise_on_error=False, **kwargs
        )

    @property
    def engine(self):
        return self.defs.resources["database"].engine()


@pytest.fixture
def pipeline(tmp_path) -> Pipeline:
    return Pipeline(tmp_path)
