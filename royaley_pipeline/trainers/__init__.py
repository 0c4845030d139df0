"""Trainers per framework, chosen by name: the one place that turns a training config into a Trainer.

scikit-learn and the Elo baseline live in the domain (pure, in-process). H2O and AutoGluon live
here, beside the domain: their estimators talk to a JVM cluster or write model folders, and they
are imported only when asked for, so an installation without them still trains with sklearn.
"""

from __future__ import annotations

from royaley_pipeline.domain.trainers import EloBaselineTrainer, SklearnTrainer, Trainer
from royaley_pipeline.frameworks import check_framework

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
    runtime = max_runtime_seconds or DEFAULT_MAX_RUNTIME_SECONDS
    if framework == "sklearn":
        return SklearnTrainer(algorithm or "logistic", search=search)
    if framework == "h2o":
        from royaley_pipeline.trainers.h2o import H2OTrainer

        return H2OTrainer(algorithm or "automl", max_runtime_seconds=runtime)
    from royaley_pipeline.trainers.autogluon import AutoGluonTrainer

    return AutoGluonTrainer(time_limit_seconds=runtime)
