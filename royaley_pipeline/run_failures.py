"""Reading why a Dagster run failed: the root cause of a step's error, and whether it was bad input.

Used by the CLI (exit 2 for bad input, 1 for an internal error), the API's run status and the
failure sensor's alert, so all three tell the same story about the same run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from royaley_pipeline.collectors.errors import CollectorError
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.sources.errors import SourceRecordError


def root_cause(error):
    """The innermost cause of a serialised error (``SerializableErrorInfo``)."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def root_cause_message(error) -> str | None:
    """The innermost cause's message: what actually went wrong, without framing."""
    error = root_cause(error)
    if error is None:
        return None
    message = error.message.strip()
    prefix = re.match(rf"^[\w.]*{re.escape(error.cls_name)}: ", message) if error.cls_name else None
    return message[prefix.end():] if prefix else message


def _subclass_names(*bases: type) -> set[str]:
    names, pending = set(), list(bases)
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def bad_input_error_names() -> frozenset[str]:
    """Errors that mean the request or its input data was wrong, not the pipeline: a BadRequest, or
    a source record that cannot be read (a live service failing is not the caller's mistake)."""
    return frozenset(_subclass_names(BadRequest, SourceRecordError) - _subclass_names(CollectorError))


@dataclass(frozen=True)
class RunFailure:
    """The first failing step of a run and its root cause."""

    step: str | None
    message: str
    bad_input: bool

    def describe(self) -> str:
        return f"step {self.step} failed: {self.message}" if self.step else self.message


def run_failure(events) -> RunFailure:
    """The first step failure among a run's events (``DagsterEvent``s), else the run failure."""
    for event in events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            cause = root_cause(error)
            return RunFailure(event.step_key, root_cause_message(error) or "failed",
                              cause.cls_name in bad_input_error_names())
    for event in events:
        if event.is_run_failure:
            return RunFailure(None, event.message or "run failed", False)
    return RunFailure(None, "run failed", False)


def failure_message(result) -> str:
    """One line for a failed ``execute_in_process`` result: the failing step and its root cause."""
    return run_failure(result.all_events).describe()
