"""Where tests find the files that are never shipped, and when they may skip.

Tests read the real files from ``$ROYALEY_SHARED_DATA`` (``make test`` and ``.ci/run`` pass
../shared/data when it exists). They skip only when the files are absent on a developer
machine; in CI (``CI`` set) an absent file fails.
"""

from __future__ import annotations

import os

import pytest

from royaley_pipeline.config import load_settings
from royaley_pipeline.sources.external_history import external_file


def shared_data_path():
    return load_settings().shared_data_path


def require_external(role: str):
    """The path of a role's file, skipping (outside CI) when it is not there."""
    path = external_file(role, shared_data_path())
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{role} data file not found under $ROYALEY_SHARED_DATA")
        pytest.skip(f"{role} data file not available (not redistributed)")
    return path
