"""The code location is built from a Settings object, and importing the package reads nothing
from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from royaley_pipeline.assets.live import LIVE_SOURCES
from royaley_pipeline.config import load_settings
from royaley_pipeline.definitions import build_definitions
from royaley_pipeline.errors import BadRequest

# Values load_settings refuses: any module that read its settings when imported would fail to import.
HOSTILE = {
    "ROYALEY_COLLECTOR_RETRY_DELAY": "soon",
    "ROYALEY_H2O_NTHREADS": "many",
    "ROYALEY_SCHEDULED_SPORTS": "CURLING",
}


def test_the_live_assets_retry_after_the_settings_delay(tmp_path):
    settings = load_settings({"ROYALEY_HOME": str(tmp_path / "royaley"), "ROYALEY_COLLECTOR_RETRY_DELAY": "7.5"})
    definitions = build_definitions(settings)
    for source in LIVE_SOURCES.values():
        policy = definitions.resolve_assets_def(source.keys[0]).op.retry_policy
        assert policy.delay == 7.5 and policy.max_retries == 2, source.name


def test_a_malformed_retry_delay_is_a_bad_request_naming_it(tmp_path):
    with pytest.raises(BadRequest, match="ROYALEY_COLLECTOR_RETRY_DELAY='soon' is not a number"):
        load_settings({"ROYALEY_HOME": str(tmp_path), "ROYALEY_COLLECTOR_RETRY_DELAY": "soon"})


def test_importing_the_package_reads_no_setting(tmp_path):
    modules = ["royaley_pipeline.definitions", "royaley_pipeline.runner", "royaley_pipeline.cli",
               "royaley_pipeline.api.app", "royaley_pipeline.schedules", "royaley_pipeline.sensors",
               "royaley_pipeline.api.server", "royaley_pipeline.alerts", "royaley_pipeline.resources"]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\nprint('imported')"
    environment = {**os.environ, **HOSTILE, "ROYALEY_HOME": str(tmp_path / "royaley")}
    done = subprocess.run([sys.executable, "-c", code, *modules], env=environment, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "imported"
    with pytest.raises(BadRequest):  # the same environment is refused once the settings are asked for
        load_settings(HOSTILE)
