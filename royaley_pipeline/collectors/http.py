"""One HTTP session per client, with timeouts and retries that honour ``Retry-After``.

Retries (tenacity) cover connection errors, timeouts, 429 and 5xx, with exponential backoff and
full jitter; a 4xx other than 429 fails at once because asking again cannot help. Secrets travel
as query parameters, path segments or headers that are never part of the *described* request: all
errors and logs show ``Fetched.request``/``describe`` output, which has them masked, and network
exceptions are re-raised without their original text (which carries the full URL).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests
from dagster import Config
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from royaley_pipeline.collectors.errors import PayloadError, RequestRejectedError, ServiceUnavailableError

logger = logging.getLogger(__name__)
# urllib3 writes every request line, query string included, at DEBUG: keep keys out of the logs.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MASK = "***"


class RetrySettings(Config):
    """How hard a client tries; tests shrink the waits here rather than patching sleep.

    A Dagster ``Config`` so the collectors resource holds it as one nested field (``retry``)
    instead of a copy of each setting.
    """

    attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 1.0
    max_retry_after: float = 120.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass(frozen=True)
class Fetched:
    """One answered request: what was asked (redacted), when, and what came back."""

    source: str
    request: str
    status: int
    headers: dict[str, str]
    text: str
    received_at: datetime

    def json(self, *, expect_type: type | None = None):
        """The body as JSON, or a ``PayloadError`` for HTML pages and truncated bodies."""
        try:
            payload = json.loads(self.text)
        except ValueError as error:
            content_type = self.headers.get("content-type", "unknown")
            start = self.text.lstrip()[:1]
            what = "an HTML page" if start == "<" else f"not valid JSON ({error.msg} at char {error.pos})"
            raise PayloadError(
                self.source, self.request, None, f"expected JSON but got {what}; content-type {content_type}"
            ) from None
        if expect_type is not None and not isinstance(payload, expect_type):
            raise PayloadError(
                self.source,
                self.request,
                None,
                f"expected a JSON {expect_type.__name__} but got {type(payload).__name__}",
            )
        return payload


class _RetryableAnswer(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class _NetworkFailure(Exception):
    """A connection error or timeout, with a message that carries no URL."""


@dataclass
class ServiceClient:
    """Base of every collector client: base URL, secrets to mask, one session, retries."""

    source: str
    base_url: str
    retry: RetrySettings = field(default_factory=RetrySettings)
    secrets: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.secrets = tuple(secret for secret in self.secrets if secret)
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "royaley-pipeline/0.1"})
        self.session.headers.update(self.headers)
        if self.auth is not None:
            self.session.auth = self.auth

    def close(self) -> None:
        self.session.close()

    def describe(self, path: str, params: dict | None = None, *, base_url: str | None = None) -> str:
        """The request as it may be shown: secrets in the path or parameters masked."""
        url = f"{(base_url or self.base_url).rstrip('/')}/{path.lstrip('/')}"
        shown = {key: value for key, value in (params or {}).items() if value is not None}
        text = url + (f"?{urlencode(shown)}" if shown else "")
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def get(
        self, path: str, params: dict | None = None, *, secret_params: dict | None = None,
        base_url: str | None = None,
    ) -> Fetched:
        """GET with retries; ``secret_params`` are sent but never described. ``base_url`` overrides
        the client's for services spread over several hosts (Open-Meteo's archive)."""
        request = self.describe(path, params, base_url=base_url)
        url = f"{(base_url or self.base_url).rstrip('/')}/{path.lstrip('/')}"
        query = {key: value for key, value in {**(params or {}), **(secret_params or {})}.items() if value is not None}
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=retry_if_exception_type((_RetryableAnswer, _NetworkFailure)),
            before_sleep=lambda state: logger.warning(
                "%s %s: %s; retrying (attempt %d of %d)",
                self.source,
                request,
                state.outcome.exception(),
                state.attempt_number + 1,
                self.retry.attempts,
            ),
            reraise=True,
        )
        try:
            response = retrying(self._send, url, query)
        except _RetryableAnswer as failure:
            raise ServiceUnavailableError(
                self.source, request, None, f"still HTTP {failure.status} after {self.retry.attempts} attempts"
            ) from None
        except _NetworkFailure as failure:
            raise ServiceUnavailableError(
                self.source, request, None, f"{failure} after {self.retry.attempts} attempts"
            ) from None
        if response.status_code >= 400:
            raise RequestRejectedError(
                self.source, request, None, f"HTTP {response.status_code}: {self._mask(response.text[:200])}"
            )
        return Fetched(
            source=self.source,
            request=request,
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            text=response.text,
            received_at=datetime.now(UTC),
        )

    def _send(self, url: str, query: dict) -> requests.Response:
        try:
            response = self.session.get(
                url, params=query, timeout=(self.retry.connect_timeout, self.retry.read_timeout)
            )
        except requests.Timeout:
            raise _NetworkFailure("timed out") from None
        except requests.ConnectionError:
            raise _NetworkFailure("connection failed") from None
        except requests.RequestException as error:  # e.g. a body cut off mid-transfer
            raise _NetworkFailure(f"transfer failed ({type(error).__name__})") from None
        if response.status_code in RETRYABLE_STATUSES:
            raise _RetryableAnswer(response.status_code, parse_retry_after(response.headers.get("Retry-After")))
        return response

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(
            multiplier=self.retry.backoff_initial, max=self.retry.backoff_max, jitter=self.retry.jitter
        )(state)
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _RetryableAnswer) and failure.retry_after is not None:
            return min(max(failure.retry_after, 0.0), self.retry.max_retry_after)
        return backoff

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
