"""A home carries its models: copied elsewhere and the original deleted, the copy still lists, loads
and predicts with them, and trains new ones into itself (issue 15, item 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mlflow import MlflowClient

from royaley_pipeline.model_flavours import UnsafeModelError
from royaley_pipeline_tests.test_cli import royaley
from royaley_pipeline_tests.test_model_flavours import champion, registry_in, tamper, trained  # noqa: F401

SLATE_DAY = "2017-12-24"


def recorded_locations(tracking_uri: str) -> list[str]:
    """Every artifact location the MLflow store records for our experiments, runs and versions."""
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    experiments = [e for e in client.search_experiments() if e.name != "Default"]
    ids = [e.experiment_id for e in experiments]
    return ([e.artifact_location for e in experiments] + [run.info.artifact_uri for run in client.search_runs(ids)]
            + [model.artifact_location for model in client.search_logged_models(experiment_ids=ids)])


def move(source: Path, target: Path) -> None:
    """``cp -a`` then ``rm -rf``: nothing of the original is left to fall back on."""
    shutil.copytree(source, target, symlinks=True)
    shutil.rmtree(source)


def test_a_copied_home_predicts_with_its_models_after_the_original_is_deleted(tmp_path):
    first, second = tmp_path / "first" / "royaley", tmp_path / "second" / "royaley"
    ingest = royaley(first, "ingest", "--sport", "NFL", "--start", "2015-09-01", "--end", "2018-02-28")
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    train = royaley(first, "train", "--sport", "NFL", "--bet-type", "moneyline", "--algorithm", "logistic",
                    "--first-test-season", "2017")
    assert train.returncode == 0, train.stdout + train.stderr
    before = royaley(first, "predict", "--sport", "NFL", "--date", SLATE_DAY, "--output", str(first / "slate.json"))
    assert before.returncode == 0, before.stdout + before.stderr
    expected = json.loads((first / "slate.json").read_text())["predictions"]
    assert expected, "the first home predicted nothing: the comparison below would prove nothing"
    assert all(location.startswith(first.as_uri()) for location in recorded_locations(f"sqlite:///{first}/mlflow.db"))

    move(first.parent, second.parent)

    listing = royaley(second, "models", "--sport", "NFL")
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "royaley-nfl-moneyline" in listing.stdout and "champion" in listing.stdout
    after = royaley(second, "predict", "--sport", "NFL", "--date", SLATE_DAY, "--output", str(second / "again.json"))
    assert after.returncode == 0, after.stdout + after.stderr
    predicted = json.loads((second / "again.json").read_text())["predictions"]
    assert [(row["source_game_id"], row["bet_type"], row["probability"]) for row in predicted] == [
        (row["source_game_id"], row["bet_type"], row["probability"]) for row in expected]
    # New models go into the copy too, and nothing recreated the old home.
    mock = royaley(second, "train", "--sport", "NFL", "--bet-type", "spread", "--mock", "--first-test-season", "2017")
    assert mock.returncode == 0, mock.stdout + mock.stderr
    locations = recorded_locations(f"sqlite:///{second}/mlflow.db")
    assert len(locations) == 6 and all(location.startswith(second.as_uri() + "/") for location in locations), locations
    assert len(list((second / "mlartifacts").rglob("MLmodel"))) == 2
    assert not first.parent.exists()


def test_a_moved_pickled_model_still_loads_only_with_its_registered_files(tmp_path, trained):  # noqa: F811
    """The digest check still holds in the copy: the files moved unchanged load, an edited one is refused."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    champion(registry_in(first), trained, "h2o", "spread")  # the pyfunc wrapper, a pickle
    move(first, second)
    registry = registry_in(second)
    assert registry.load_champion("NFL", "spread").version == 1
    assert not first.exists()
    (folder,) = [path.parent for path in (second / "artifacts").rglob("MLmodel")]
    marker = tmp_path / "code-ran"
    tamper(folder, marker)
    with pytest.raises(UnsafeModelError, match="differ from those registered"):
        registry.load_champion("NFL", "spread")
    assert not marker.exists()
