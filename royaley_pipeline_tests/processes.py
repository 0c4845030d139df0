"""Servers the tests start in their own session, stopped with everything they started."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_session(process: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM to the process's session (``start_new_session=True``), SIGKILL after ``timeout`` seconds;
    nothing when the session is already gone."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        process.wait()
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
