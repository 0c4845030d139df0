"""Errors of live collection; each names the source, the request (URL without secrets) and the field.

They extend ``SourceRecordError`` so callers that already catch bad source records catch these too.
"""

from __future__ import annotations

from royaley_pipeline.sources.errors import SourceRecordError


class CollectorError(SourceRecordError):
    """A collection that failed; ``request`` is the redacted URL, safe to log and show."""

    def __init__(self, source: str, request: str, field: str | None, message: str) -> None:
        self.request = request
        super().__init__(source, f"request {request}", field, message)


class ServiceUnavailableError(CollectorError):
    """The service kept failing (connection errors, timeouts, 429 or 5xx) after every retry."""


class RequestRejectedError(CollectorError):
    """A 4xx answer that retrying cannot fix (bad key, unknown sport, bad parameters)."""


class QuotaExhaustedError(CollectorError):
    """The remaining request quota is at or below the reserve: stop before the service says no."""


class PayloadError(CollectorError):
    """The answer arrived but is not what the documentation promises (HTML, truncated, renamed)."""
