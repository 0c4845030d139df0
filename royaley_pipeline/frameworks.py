"""The training frameworks, one entry each: whether it can run here, its trainer, and its MLflow flavour.

Everything that differs by framework is answered by its entry: the CLI, the REST API and the
model asset ask ``unavailable_reason`` before any work starts (so a missing Java runtime reads the
same everywhere), ``trainers.build_trainer`` asks for the trainer, and the registry asks how to
log and load the model. Adding a framework is one entry here plus its trainer module.

Heavy imports (scikit-learn, H2O, AutoGluon, MLflow) happen inside the methods, so asking which
frameworks exist costs nothing.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from typing import TYPE_CHECKING, Any

from royaley_pipeline.errors import BadRequest

if TYPE_CHECKING:
    import pandas as pd

    from royaley_pipeline.domain.trainers import Trainer
    from royaley_pipeline.domain.training import TrainingResult


class FrameworkUnavailableError(BadRequest):
    """The framework is known but cannot run here; the message says why and what to use instead."""


class Framework:
    """One training framework. Subclasses answer what differs; the defaults suit a pyfunc model."""

    name: str = ""
    distributions: tuple[str, ...] = ()
    """Packages pinned (at their installed versions) in the logged model's requirements."""
    needs_h2o_cluster: bool = False

    def unavailable_reason(self) -> str | None:
        """Why this framework cannot train on this machine, or None when it can."""
        return None

    def trainer(self, algorithm: str | None, *, max_runtime_seconds: int, search: bool) -> Trainer:
        raise FrameworkUnavailableError(f"framework {self.name!r} has no trainer")

    def log_model(self, result: TrainingResult, name: str, example: pd.DataFrame) -> Any:
        """Log ``result.model`` to the active MLflow run and register it as ``name``; MLflow's ModelInfo."""
        from royaley_pipeline.model_flavours import log_pyfunc_model

        return log_pyfunc_model(result, name, example, self.requirements())

    def load_model(self, uri: str) -> Any:
        """The fitted estimator (with ``predict_proba``) stored at ``uri``."""
        from royaley_pipeline.model_flavours import load_pyfunc_model

        return load_pyfunc_model(uri)

    def requirements(self) -> list[str]:
        """Exact pins of the framework's packages in this environment, for the logged model."""
        pins = [f"cloudpickle=={importlib.metadata.version('cloudpickle')}"]
        return pins + [f"{name}=={importlib.metadata.version(name)}" for name in self.distributions]


class Sklearn(Framework):
    name = "sklearn"

    def trainer(self, algorithm: str | None, *, max_runtime_seconds: int, search: bool) -> Trainer:
        from royaley_pipeline.domain.trainers import SklearnTrainer

        return SklearnTrainer(algorithm or "logistic", search=search)

    def log_model(self, result: TrainingResult, name: str, example: pd.DataFrame) -> Any:
        from royaley_pipeline.model_flavours import log_sklearn_model

        return log_sklearn_model(result, name, example)

    def load_model(self, uri: str) -> Any:
        from royaley_pipeline.model_flavours import load_sklearn_model

        return load_sklearn_model(uri)


class H2O(Framework):
    name = "h2o"
    distributions = ("h2o",)
    needs_h2o_cluster = True

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("h2o") is None:
            return "H2O is not installed (pip install h2o); use --framework sklearn"
        if shutil.which("java") is None:
            return "H2O needs a Java runtime (java not found on PATH); use --framework sklearn"
        return None

    def trainer(self, algorithm: str | None, *, max_runtime_seconds: int, search: bool) -> Trainer:
        from royaley_pipeline.trainers.h2o import H2OTrainer

        return H2OTrainer(algorithm or "automl", max_runtime_seconds=max_runtime_seconds)

    def log_model(self, result: TrainingResult, name: str, example: pd.DataFrame) -> Any:
        """The calibrated MOJO as a pyfunc; each MOJO also on its own under ``h2o_mojo/`` for MOJO tools."""
        from royaley_pipeline.model_flavours import log_bytes

        members = [c.estimator for c in getattr(result.model, "calibrated_classifiers_", [])] or [result.model]
        for index, member in enumerate(m for m in members if hasattr(m, "mojo_")):
            log_bytes(member.mojo_, f"h2o_mojo/model_{index}.zip")
        return super().log_model(result, name, example)


class AutoGluon(Framework):
    name = "autogluon"
    distributions = ("autogluon.tabular", "lightgbm")

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("autogluon") is None:
            return "AutoGluon is not installed (pip install '.[autogluon]'); use --framework sklearn"
        return None

    def trainer(self, algorithm: str | None, *, max_runtime_seconds: int, search: bool) -> Trainer:
        from royaley_pipeline.trainers.autogluon import AutoGluonTrainer

        return AutoGluonTrainer(time_limit_seconds=max_runtime_seconds)


_ENTRIES: dict[str, Framework] = {entry.name: entry for entry in (Sklearn(), H2O(), AutoGluon())}
FRAMEWORKS = tuple(_ENTRIES)
DEFAULT_FRAMEWORK = Sklearn.name


def get_framework(name: str) -> Framework:
    """The entry for ``name``; BadRequest naming the known frameworks otherwise."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise BadRequest(f"unknown framework {name!r}; choose one of {', '.join(FRAMEWORKS)}") from None


def unavailable_reason(framework: str) -> str | None:
    """Why ``framework`` cannot train on this machine, or None when it can."""
    if framework not in _ENTRIES:
        return f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}"
    return _ENTRIES[framework].unavailable_reason()


def check_framework(framework: str) -> str:
    """Return ``framework`` if it can run here, else raise FrameworkUnavailableError."""
    reason = unavailable_reason(framework)
    if reason is not None:
        raise FrameworkUnavailableError(reason)
    return framework
