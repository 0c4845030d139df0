"""The feature frame the AutoML estimators are fitted on and score: floats, string column names."""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_float_frame(features) -> pd.DataFrame:
    """``features`` (a frame or an array) as a float DataFrame with a fresh index."""
    if isinstance(features, pd.DataFrame):
        return features.astype(float).reset_index(drop=True)
    return pd.DataFrame(np.asarray(features, dtype=float)).rename(columns=str)
