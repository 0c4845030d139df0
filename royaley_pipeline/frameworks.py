"""Which training frameworks this installation can run, asked before a run is launched.

The CLI, the REST API and the model asset all ask here, so a missing Java runtime or an
AutoGluon that was not installed is reported the same way everywhere, before any work starts.
"""

from __future__ import annotations

import importlib.util
import shutil

from royaley_pipeline.errors import BadRequest

FRAMEWORKS = ("sklearn", "h2o", "autogluon")


class FrameworkUnavailableError(BadRequest):
    """The framework is known but cannot run here; the message says why and what to use instead."""


def unavailable_reason(framework: str) -> str | None:
    """Why ``framework`` cannot train on this machine, or None when it can."""
    if framework not in FRAMEWORKS:
        return f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}"
    if framework == "h2o":
        if importlib.util.find_spec("h2o") is None:
            return "H2O is not installed (pip install h2o); use --framework sklearn"
        if shutil.which("java") is None:
            return "H2O needs a Java runtime (java not found on PATH); use --framework sklearn"
    if framework == "autogluon" and importlib.util.find_spec("autogluon") is None:
        return "AutoGluon is not installed (pip install '.[autogluon]'); use --framework sklearn"
    return None


def check_framework(framework: str) -> str:
    """Return ``framework`` if it can run here, else raise FrameworkUnavailableError."""
    reason = unavailable_reason(framework)
    if reason is not None:
        raise FrameworkUnavailableError(reason)
    return framework
