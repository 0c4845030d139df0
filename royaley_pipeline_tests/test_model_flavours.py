"""Loading a model cannot run code from the model store (the tamper of issue 15, both ways).

A champion's ``MLmodel`` edited to ``serialization_format: cloudpickle`` next to a ``model.pkl`` whose
unpickling creates a marker file: MLflow's own loader runs it (shown first, so the test has teeth);
``load_champion`` refuses it and the marker stays absent. A pickled pyfunc model loads only while its
files match the digests recorded in the application database at registration.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import mlflow
import pytest
import yaml

from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.model_flavours import UnsafeModelError
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.model_digests import recorded_digests
from royaley_pipeline_tests.domain.test_training import run_service, synthetic_league


class Marker:
    """Unpickling this creates ``path``: the stand-in for a shell command."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (os.makedirs, (self.path,))


@pytest.fixture(scope="module")
def trained():
    return run_service(synthetic_league(range(2012, 2016), games_per_season=120), calibration="sigmoid")


def registry_in(folder: Path, *, with_database: bool = True) -> ModelRegistry:
    database = engine_for(f"sqlite:///{folder / 'royaley.db'}") if with_database else None
    return ModelRegistry(f"sqlite:///{folder}/mlflow.db", artifact_location=str(folder / "artifacts"),
                         database=database)


def champion(registry: ModelRegistry, result, framework: str, bet_type: str) -> Path:
    """Register and promote ``result`` as ``framework``; the folder holding the model's files."""
    result.params["framework"] = framework
    version = registry.log_training(result, sport="NFL", bet_type=bet_type, feature_set_version="v2")
    registry.promote(ModelName("NFL", bet_type), version.version, reason="test", actor="test")
    stored = [path.parent for path in Path(registry.artifact_location).rglob("MLmodel")]
    assert len(stored) == 1, stored  # one model per store in these tests
    return stored[0]


def tamper(model_folder: Path, marker: Path) -> None:
    mlmodel = model_folder / "MLmodel"
    description = yaml.safe_load(mlmodel.read_text())
    if "sklearn" in description["flavors"]:
        description["flavors"]["sklearn"].update(serialization_format="cloudpickle", pickled_model="model.pkl")
    description["flavors"]["python_function"]["model_path"] = "model.pkl"
    mlmodel.write_text(yaml.safe_dump(description))
    (model_folder / "model.pkl").write_bytes(pickle.dumps(Marker(marker)))


def test_a_scikit_learn_champion_edited_to_cloudpickle_is_refused_and_nothing_runs(tmp_path, trained):
    registry = registry_in(tmp_path)
    folder = champion(registry, trained, "sklearn", "moneyline")
    assert registry.load_champion("NFL", "moneyline").version == 1  # the skops model loads
    marker = tmp_path / "code-ran"
    tamper(folder, marker)
    with pytest.raises(UnsafeModelError, match="stored as 'cloudpickle', not 'skops'"):
        registry.load_champion("NFL", "moneyline")
    assert not marker.exists()
    with registry._store():  # MLflow's own loader trusts the edited MLmodel: the tamper is real
        mlflow.sklearn.load_model("models:/royaley-nfl-moneyline/1")
    assert marker.exists()


def test_a_pickled_model_loads_only_with_the_files_registered(tmp_path, trained):
    registry = registry_in(tmp_path)
    folder = champion(registry, trained, "h2o", "spread")  # the pyfunc wrapper, a pickle
    digests = recorded_digests(registry.database, "royaley-nfl-spread", 1)
    assert "MLmodel" in digests and all(len(value) == 64 for value in digests.values())
    assert registry.load_champion("NFL", "spread").version == 1
    with pytest.raises(UnsafeModelError, match="no file digests were recorded"):
        registry_in(tmp_path, with_database=False).load_champion("NFL", "spread")
    marker = tmp_path / "code-ran"
    tamper(folder, marker)
    with pytest.raises(UnsafeModelError, match="differ from those registered"):
        registry.load_champion("NFL", "spread")
    assert not marker.exists()
