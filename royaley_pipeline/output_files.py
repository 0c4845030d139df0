"""Files a command writes for its caller (`royaley predict --output`): checked before any run starts,
written atomically, so a reader (the cron job's next step, a web page) never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from royaley_pipeline.errors import BadRequest


class UnwritableOutputError(BadRequest):
    """The output path cannot be written; the message names the path and the reason."""


def check_writable(path: Path) -> Path:
    """Create ``path``'s parent folders and prove a file can be written there, before any work.

    Raises `UnwritableOutputError` for a path that is a folder, or whose folder cannot be created
    or written; the probe file is removed again, so a refused request leaves nothing behind
    except the folders a valid request would also have made.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise UnwritableOutputError(f"--output {path}: is a folder; give a file name such as {path / 'slate.json'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as error:
        raise UnwritableOutputError(f"--output {path}: cannot write there ({error.strerror or error})") from None
    return path


def write_json_atomically(path: Path, payload) -> Path:
    """Write ``payload`` as JSON next to ``path`` and rename it into place (atomic on one file system)."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, 0o644)  # mkstemp makes 0600; a slate is read by other programs
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
