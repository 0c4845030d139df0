"""Run-failure alerts posted as JSON to a webhook (Slack-compatible ``text`` plus structured fields)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx


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


def post_alert(url: str, alert: FailureAlert, timeout: float = 10.0) -> int:
    """POST the alert; connection errors are retried twice, an HTTP error status raises."""
    transport = httpx.HTTPTransport(retries=2)
    with httpx.Client(transport=transport, timeout=timeout) as client:
        response = client.post(url, json=alert.payload())
        response.raise_for_status()
        return response.status_code
