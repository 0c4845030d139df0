"""Runs whose process is gone: marked failed instead of staying STARTED for ever.

The CLI and the API execute runs in their own process (``execute_in_process``). If that process is
killed (SIGKILL, OOM, a closed terminal), nothing writes the run's end and the instance shows it
STARTED indefinitely. Dagster's run monitoring (``run_monitoring`` in the instance config, done by
the daemon) catches this for run launchers that can check their workers (Docker, Kubernetes); it
cannot see into a CLI or API process. So every in-process run carries the host and process that
executes it (`process_tags`), and `fail_runs_whose_process_is_gone` — called when a command starts
and when the API reports a run's status — reports a run failed through the instance
(``report_run_failed``, the same event run monitoring writes) when that process no longer exists
on this host. Runs of other hosts (another container) are left to their own host or to the daemon:
a pid means nothing outside its host.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

HOST_TAG = "royaley/host"
PID_TAG = "royaley/pid"
PROCESS_START_TAG = "royaley/process_start"
UNFINISHED = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), which tells a reused pid apart."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 else None


def process_tags() -> dict[str, str]:
    """Tags naming the process that executes a run started here."""
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}
    start = _process_start(os.getpid())
    if start is not None:
        tags[PROCESS_START_TAG] = start
    return tags


def process_alive(pid: int, start: str | None = None) -> bool:
    """Whether process ``pid`` still exists on this host (and is the same process, when ``start``
    is known)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    return start is None or _process_start(pid) in (None, start)


def fail_runs_whose_process_is_gone(instance: DagsterInstance, run_ids: list[str] | None = None) -> list[str]:
    """Report failed every unfinished run executed on this host by a process that no longer
    exists; returns their ids. ``run_ids`` limits the check to those runs."""
    host = socket.gethostname()
    runs = instance.get_runs(RunsFilter(run_ids=run_ids, statuses=UNFINISHED, tags={HOST_TAG: host}))
    failed = []
    for run in runs:
        pid_text = run.tags.get(PID_TAG, "")
        if not pid_text.isdigit() or process_alive(int(pid_text), run.tags.get(PROCESS_START_TAG)):
            continue
        instance.report_run_failed(
            run, message=f"the process executing this run (pid {pid_text} on {host}) is gone: it was killed "
            "or crashed before the run could finish"
        )
        failed.append(run.run_id)
    return failed
