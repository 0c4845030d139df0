"""Real source files as text, one cell broken, written back: what every reader's bad-row test does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from royaley_pipeline.sources.errors import SourceRecordError


def text_rows(path: Path) -> pd.DataFrame:
    """A CSV file's rows as the readers see them: every value text, blanks empty."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(folder: Path, frame: pd.DataFrame, name: str) -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def read_broken(folder: Path, sample: pd.DataFrame, row: int, column: str, value: str, name: str,
                read: Callable[[Path], object], error: type[Exception] = SourceRecordError) -> tuple[Path, Exception]:
    """Write ``sample`` with one cell set to ``value`` as ``folder/name`` and read it; the error it raises."""
    broken = sample.copy()
    broken.loc[row, column] = value
    path = write_csv(folder, broken, name)
    with pytest.raises(error) as raised:
        read(path)
    return path, raised.value
