import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.errors import SourceRecordError, UnknownTeamError
from royaley_pipeline.sources.teams import TeamDirectory, load_reference_teams

CANONICAL_CODES_TEXT = {
    "NFL": "ARI ATL BAL BUF CAR CHI CIN CLE DAL DEN DET GB HOU IND JAX KC LA LAC LV MIA MIN NE NO NYG NYJ "
    "PHI PIT SEA SF TB TEN WAS",
    "NBA": "ATL BOS BKN CHA CHI CLE DAL DEN DET GSW HOU IND LAC LAL MEM MIA MIL MIN NOP NYK OKC ORL PHI "
    "PHX POR SAC SAS TOR UTA WAS",
}
NFL_CODES = set(CANONICAL_CODES_TEXT["NFL"].split())
NBA_CODES = set(CANONICAL_CODES_TEXT["NBA"].split())


@pytest.fixture(scope="module")
def teams() -> TeamDirectory:
    return TeamDirectory()


def test_reference_table_has_the_canonical_codes_and_list_aliases():
    reference = load_reference_teams()
    assert list(reference.columns) == ["sport", "code", "name", "aliases"]
    assert set(reference.loc[reference["sport"] == "NFL", "code"]) == NFL_CODES
    assert set(reference.loc[reference["sport"] == "NBA", "code"]) == NBA_CODES
    assert all(isinstance(aliases, list) for aliases in reference["aliases"])
    assert not reference.duplicated(["sport", "code"]).any()


@pytest.mark.parametrize(
    ("sport", "spelling", "canonical"),
    [
        ("NFL", "STL", "LA"),
        ("NFL", "LAR", "LA"),
        ("NFL", "SD", "LAC"),
        ("NFL", "OAK", "LV"),
        ("NFL", "WSH", "WAS"),
        ("NFL", "JAC", "JAX"),
        ("NFL", "kc", "KC"),
        ("NBA", "gs", "GSW"),
        ("NBA", "sa", "SAS"),
        ("NBA", "utah", "UTA"),
        ("NBA", "ny", "NYK"),
        ("NBA", "no", "NOP"),
        ("NBA", "wsh", "WAS"),
        ("NBA", "bkn", "BKN"),
        ("NBA", "okc", "OKC"),
        ("NBA", "NJN", "BKN"),
        ("NBA", "SEA", "OKC"),
    ],
)
def test_aliases_resolve_to_canonical_codes(teams, sport, spelling, canonical):
    assert teams.resolve(sport, spelling, source="test", record="row 2") == canonical


def test_every_code_in_the_embedded_files_resolves(teams):
    nflverse = pd.read_csv(PACKAGE_DATA / "nflverse" / "games.csv", usecols=["home_team", "away_team"])
    nba = pd.read_csv(PACKAGE_DATA / "nba" / "nba_2008-2025.csv", usecols=["home", "away"])
    for sport, codes in (("NFL", pd.unique(nflverse.values.ravel())), ("NBA", pd.unique(nba.values.ravel()))):
        resolved = {teams.resolve(sport, code, source="test", record=None) for code in codes}
        assert resolved <= teams.codes(sport)
    assert {
        teams.resolve("NBA", code, source="t", record=None) for code in pd.unique(nba.values.ravel())
    } == NBA_CODES


def test_nfelo_codes_resolve_when_the_file_is_present(teams):
    path = PACKAGE_DATA.parents[2] / "shared" / "data" / "nfelo" / "nfelo_games.csv"
    if not path.is_file():
        pytest.skip("nfelo file not available")
    game_ids = pd.read_csv(path, usecols=["game_id"])["game_id"].str.split("_", expand=True)
    for code in pd.unique(game_ids[[2, 3]].values.ravel()):
        assert teams.resolve("NFL", code, source="nfelo", record=None) in NFL_CODES


def test_unknown_team_names_source_record_and_code(teams):
    with pytest.raises(UnknownTeamError) as raised:
        teams.resolve(
            "NFL", "XYZ", source="nflverse games.csv", record="row 7 (game_id=x)", field="home_team"
        )
    error = raised.value
    assert isinstance(error, SourceRecordError)
    assert (error.source, error.record, error.field) == (
        "nflverse games.csv",
        "row 7 (game_id=x)",
        "home_team",
    )
    assert str(error) == (
        "nflverse games.csv row 7 (game_id=x): field 'home_team': 'XYZ' is not a known NFL team"
    )


def test_aliases_are_scoped_by_sport(teams):
    assert teams.resolve("NBA", "SEA", source="t", record=None) == "OKC"
    assert teams.resolve("NFL", "SEA", source="t", record=None) == "SEA"
    with pytest.raises(UnknownTeamError):
        teams.resolve("NFL", "GSW", source="t", record=None)


def test_conflicting_alias_is_rejected():
    clash = pd.DataFrame(
        {"sport": ["NFL", "NFL"], "code": ["LA", "LAC"], "name": ["a", "b"], "aliases": [["XLA"], ["XLA"]]}
    )
    with pytest.raises(ValueError, match="XLA"):
        TeamDirectory(clash)


def test_error_message_without_field_or_record():
    assert str(SourceRecordError("f.csv", None, None, "file not found")) == "f.csv: file not found"
