"""Run-failure alerts posted as JSON to a webhook (Slack-compatible ``text`` plus structured fields)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx

from royaley_pipeline.config import ALERT_WEBHOOK_URL


@dataclass(frozen=True)
class FailureAlert:
    run_id: str
    job_name: str
    partition_key: str | None
    failed_steps: list[str]
    failed_assets: list[str]
    error: str

    def payload(self) -> dict:
        where = ", ".join(self.failed_assets or self.failed_steps) or self.job_name
        partition = f" [{self.partition_key}]" if self.partition_key else ""
        return {"text": f"Royaley run {self.run_id} failed at {where}{partition}: {self.error}", **asdict(self)}


class AlertDeliveryError(RuntimeError):
    """The webhook did not take the alert. Its message never holds the URL: a webhook URL is a
    credential (whoever has it can post to the channel), and this error is stored on the sensor's
    tick, which the Dagster UI shows."""


def post_alert(url: str, alert: FailureAlert, timeout: float = 10.0) -> int:
    """POST the alert; connection errors are retried twice. An error status, or a webhook that
    cannot be reached, raises AlertDeliveryError (httpx's own errors name the URL)."""
    transport = httpx.HTTPTransport(retries=2)
    failure = None
    try:
        with httpx.Client(transport=transport, timeout=timeout) as client:
            response = client.post(url, json=alert.payload())
    except httpx.HTTPError as error:
        failure = f"could not be reached ({type(error).__name__})"
    else:
        if response.is_error:
            failure = f"answered HTTP {response.status_code}"
    if failure is not None:  # raised outside the except block: no chained httpx error names the URL
        raise AlertDeliveryError(f"the alert webhook ({ALERT_WEBHOOK_URL}) {failure}")
    return response.status_code
