"""Choosing on the last training season: the inner, time-ordered hold-out every choice uses.

Hyper-parameters (``SklearnTrainer.tuned``) and the calibration method (``choose_calibration_method``)
are both chosen the same way: each candidate is fitted on the training seasons before the last one
and scored by log loss on that last training season, which plays "the future" without the real
test season ever being seen. Ties go to the earliest candidate, which callers list simplest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from royaley_pipeline.domain.metrics import clip_probabilities, probability_metrics


@dataclass(frozen=True)
class HoldoutChoice:
    """The winning candidate (None when the split was too thin to choose) and the evidence."""

    best: Any | None
    reason: str
    season: int | None = None
    log_loss: dict[Any, float] = field(default_factory=dict)


def choose_on_last_season(
    candidates: Sequence[Any],
    build: Callable[[Any], BaseEstimator],
    features: pd.DataFrame,
    outcomes: Sequence[int] | np.ndarray | pd.Series,
    seasons: Sequence[int] | np.ndarray | pd.Series,
    min_rows: int = 0,
) -> HoldoutChoice:
    """The candidate whose ``build(candidate)`` scores the lowest log loss on the last season given.

    Rows must be training rows only. No choice is made (``best`` is None, ``reason`` says why)
    with fewer than two seasons, fewer than ``min_rows`` rows before the last season, or one
    outcome only on either side of the split.
    """
    y = np.asarray(outcomes, dtype=int)
    season_array = np.asarray(seasons, dtype=int)
    present = np.unique(season_array)
    if present.size < 2:
        return HoldoutChoice(None, f"only {present.size} training season(s): no inner hold-out")
    holdout_season = int(present[-1])
    holdout = season_array == holdout_season
    inner = ~holdout
    if inner.sum() < min_rows or np.unique(y[inner]).size < 2 or np.unique(y[holdout]).size < 2:
        return HoldoutChoice(
            None,
            f"inner split too thin to choose ({int(inner.sum())} rows before {holdout_season}, "
            f"{int(holdout.sum())} in it)",
        )
    scores = {}
    for candidate in candidates:
        model = build(candidate).fit(features[inner], y[inner])
        probability = clip_probabilities(model.predict_proba(features[holdout])[:, 1])
        scores[candidate] = probability_metrics(y[holdout], probability)["log_loss"]
    best = min(candidates, key=lambda candidate: scores[candidate])
    return HoldoutChoice(best, f"lowest log loss on held-out training season {holdout_season}", holdout_season, scores)
