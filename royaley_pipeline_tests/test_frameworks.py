"""The framework registry: one entry per framework, asked for availability, trainers and pins."""

import importlib.metadata

import pytest

from royaley_pipeline.frameworks import (
    FRAMEWORKS,
    FrameworkUnavailableError,
    check_framework,
    get_framework,
    unavailable_reason,
)


def test_each_framework_has_one_entry_named_for_it():
    assert FRAMEWORKS == ("sklearn", "h2o", "autogluon")
    assert [get_framework(name).name for name in FRAMEWORKS] == list(FRAMEWORKS)
    assert [name for name in FRAMEWORKS if get_framework(name).needs_h2o_cluster] == ["h2o"]


def test_unknown_frameworks_are_named_with_the_choices():
    assert unavailable_reason("xgboost") == "unknown framework 'xgboost'; choose one of sklearn, h2o, autogluon"
    with pytest.raises(FrameworkUnavailableError, match="unknown framework 'xgboost'"):
        check_framework("xgboost")
    with pytest.raises(ValueError, match="choose one of sklearn, h2o, autogluon"):
        get_framework("xgboost")


def test_sklearn_always_runs_and_its_trainer_follows_the_flags():
    assert check_framework("sklearn") == "sklearn"
    trainer = get_framework("sklearn").trainer("hist_gradient_boosting", max_runtime_seconds=5, search=False)
    assert (trainer.name, trainer.params["search"]) == ("sklearn-hist-gradient-boosting", False)


def test_logged_models_pin_the_installed_framework_packages():
    pins = get_framework("autogluon").requirements()
    assert f"cloudpickle=={importlib.metadata.version('cloudpickle')}" in pins
    assert f"lightgbm=={importlib.metadata.version('lightgbm')}" in pins
    assert any(pin.startswith("autogluon.tabular==") for pin in pins)
