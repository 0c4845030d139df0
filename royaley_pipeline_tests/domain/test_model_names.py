"""Model names and version ids: formatted and parsed in one place, round-tripping exactly."""

import pytest

from royaley_pipeline.domain.model_names import ModelName, ModelVersionId
from royaley_pipeline.sports import SPORTS, get_sport


def test_the_name_experiment_and_id_formats():
    name = ModelName("nfl", "moneyline")
    assert (name.sport, str(name), name.experiment) == ("NFL", "royaley-nfl-moneyline", "royaley/nfl/moneyline")
    assert str(name.version(3)) == "royaley-nfl-moneyline:3"
    assert ModelName.like_pattern("NFL", None) == "royaley-nfl-%"
    assert ModelName.like_pattern(None, "total") == "royaley-%-total"


@pytest.mark.parametrize("sport", sorted(SPORTS))
def test_every_offered_model_round_trips(sport):
    for bet_type in get_sport(sport).bet_types:
        name = ModelName(sport, bet_type)
        assert ModelName.parse(str(name)) == name
        version = name.version(12)
        assert ModelVersionId.parse(str(version)) == version


@pytest.mark.parametrize(
    "text", ["royaley-nfl-moneyline", "royaley-nfl-moneyline:0", "nfl-moneyline:1", "royaley-nfl:1",
             "royaley-NFL-moneyline:1", "royaley-nfl-moneyline:1:2", "royaley-nfl-moneyline:x", ""],
)
def test_malformed_ids_are_rejected_with_an_example(text):
    with pytest.raises(ValueError, match=r"is not name:version, e\.g\. royaley-nfl-moneyline:3"):
        ModelVersionId.parse(text)


def test_malformed_names_are_rejected():
    with pytest.raises(ValueError, match="is not royaley-<sport>-<bet type>"):
        ModelName.parse("royaley/nfl/moneyline")
