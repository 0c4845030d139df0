"""How a bad source record fails an asset: at once, without retries, naming the record.

The same file or payload would fail again, so the asset's ``RetryPolicy`` (meant for a service
that is down for a minute) must not run it twice more. The Dagster ``Failure`` carries the error's
one line as its description and source, record and field as metadata, so the UI shows them on the
failed step; the original error stays the cause, so callers reading the run (the CLI, the API)
can tell bad input from an internal error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Failure

from royaley_pipeline.collectors.errors import ServiceUnavailableError
from royaley_pipeline.sources.errors import SourceRecordError


@contextmanager
def bad_records_fail_without_retry() -> Iterator[None]:
    """Turn a ``SourceRecordError`` into a ``Failure`` that is not retried; an unavailable service
    (transient) is left to the retry policy."""
    try:
        yield
    except ServiceUnavailableError:
        raise
    except SourceRecordError as error:
        metadata = {"source": error.source, "record": error.record or "-", "field": error.field or "-"}
        raise Failure(description=str(error), metadata=metadata, allow_retries=False) from error
