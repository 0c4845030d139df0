"""A real Dagster instance and a real pipeline home (SQLite, MLflow, Parquet) per test module."""

from __future__ import annotations

import os
from datetime import date

import pytest
from dagster import DagsterInstance

from royaley_pipeline.config import load_settings
from royaley_pipeline.launch import TRAINING_JOB, Origin, range_tags, run_config, run_tags, training_config
from royaley_pipeline.partitions import model_key
from royaley_pipeline.runner import definitions, execute
from royaley_pipeline.storage.database import engine_for


class Pipeline:
    """Runs the code location's jobs the way the CLI, schedules and UI backfills do."""

    def __init__(self, home, environ: dict[str, str] | None = None):
        # The session's shared H2O cluster (royaley_pipeline_tests/conftest.py) is announced in the environment.
        shared = {name: os.environ[name] for name in ("ROYALEY_H2O_URL",) if name in os.environ}
        self.settings = load_settings({"ROYALEY_HOME": str(home), **shared, **(environ or {})})
        self.settings.ensure_directories()
        self.defs = definitions(self.settings)
        self.instance = DagsterInstance.local_temp(str(home / "dagster"))

    def run_range(self, job_name: str, sport: str, start: date, end: date):
        """One run over [start, end]: months for monthly jobs, days for daily ones."""
        return self._execute(job_name, tags=range_tags(job_name, sport, start, end))

    run_months = run_days = run_range

    def train(self, sport: str, bet_type: str, **config):
        return self._execute(TRAINING_JOB, partition_key=model_key(sport, bet_type),
                             config=run_config(training_config(**config)))

    def _execute(self, job_name: str, tags: dict[str, str] | None = None, **kwargs):
        return execute(job_name, tags={**run_tags(Origin.CLI), **(tags or {})}, dagster_instance=self.instance,
                       defs=self.defs, **kwargs)

    @property
    def engine(self):
        return engine_for(self.settings.database_url)


@pytest.fixture
def pipeline(tmp_path) -> Pipeline:
    return Pipeline(tmp_path)
