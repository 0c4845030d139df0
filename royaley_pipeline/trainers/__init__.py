"""Trainers per framework, chosen by name: the one place that turns a training config into a Trainer.

scikit-learn and the Elo baseline live in the domain (pure, in-process). H2O and AutoGluon live
here, beside the domain: their estimators talk to a JVM cluster or write model folders, and they
are imported only when asked for (by their entry in ``frameworks``), so an installation without
them still trains with sklearn.
"""

from __future__ import annotations

from royaley_pipeline.domain.trainers import EloBaselineTrainer, Trainer
from royaley_pipeline.frameworks import check_framework, get_framework

DEFAULT_MAX_RUNTIME_SECONDS = 60


def build_trainer(
    framework: str,
    algorithm: str | None = None,
    *,
    mock: bool = False,
    max_runtime_seconds: int | None = None,
    search: bool = True,
) -> Trainer:
    """The trainer for ``framework``; ``mock`` wins over everything (the quick Elo baseline).

    Raises FrameworkUnavailableError (a ValueError) when the framework cannot run here.
    """
    if mock:
        return EloBaselineTrainer()
    check_framework(framework)
    return get_framework(framework).trainer(
        algorithm, max_runtime_seconds=max_runtime_seconds or DEFAULT_MAX_RUNTIME_SECONDS, search=search
    )
