"""The live-source factory: a source is one spec, each source materialises alone, coverage comes
from the sport registry, and every source reports the same metadata keys."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, DagsterEventType, materialize

from royaley_pipeline.assets.live import (
    ESPN_GAMES,
    ESPN_INJURIES,
    LIVE_ASSETS,
    LIVE_SOURCES,
    ODDS_API_SNAPSHOTS,
    live_selection,
)
from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table, live_asset
from royaley_pipeline.collectors import espn
from royaley_pipeline.partitions import sport_day_key
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.runner import definitions
from royaley_pipeline.sources.frames import SourceBatch, validate_batch
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import SPORTS
from royaley_pipeline.storage.collected import store_collected
from royaley_pipeline_tests.collectors.conftest import (  # noqa: F401 - the fixture
    collectors,
    fixture_json,
    make_collectors,
)
from royaley_pipeline_tests.collectors.test_live_assets import (
    NFL_DAY,
    NFL_KEY,
    QUOTA,
    counts,
    instance,  # noqa: F401 - the fixture
    serve_day,
)

UNIFORM = {"sports", "first_date", "last_date", "table", "rows_written", "skipped", "sports_not_covered",
           "quota_remaining"}


def _materialize(selection, database_url, collectors, instance, partition=NFL_KEY, assets=LIVE_ASSETS):  # noqa: F811
    return materialize(assets, selection=selection, partition_key=partition, instance=instance, raise_on_error=False,
                       resources={"database": DatabaseResource(url=database_url), "collectors": collectors})


def _materializations(result) -> dict[AssetKey, dict]:
    return {event.event_specific_data.materialization.asset_key:
            {k: v.value for k, v in event.event_specific_data.materialization.metadata.items()}
            for event in result.all_events if event.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def _checks(result) -> list:
    return [e.event_specific_data for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]


def test_the_registry_declares_each_sources_sports_and_leagues():
    assert LIVE_SOURCES["pinnacle"].sports == ("NFL", "NBA")
    assert LIVE_SOURCES["sackmann"].sports == ("ATP",)
    assert set(LIVE_SOURCES["espn"].sports) == {"NFL", "NCAAF", "NBA", "NCAAB", "NHL", "MLB"}
    assert SPORTS["NFL"].league("the_odds_api") == "americanfootball_nfl"
    with pytest.raises(ValueError, match="pinnacle does not cover NHL"):
        SPORTS["NHL"].league("pinnacle")
    declared = {name for sport in SPORTS.values() for name in sport.sources}
    assert declared == set(LIVE_SOURCES)  # no registry line without a source, no source without sports


def test_espn_games_alone_through_the_live_job(database_url, collectors, httpserver, instance):  # noqa: F811
    """``--select raw/espn_games`` used to fail (the multi-asset could not be subset): now it writes
    the games, fetches no injury summaries and checks the games."""
    serve_day(httpserver)
    job = definitions().resolve_job_def("live_collection_job")
    assert job.get_subset(asset_selection={ESPN_GAMES}).asset_layer.selected_asset_keys == {ESPN_GAMES}
    result = _materialize(AssetSelection.keys(ESPN_GAMES), database_url, collectors, instance)
    assert result.success
    assert counts(database_url) == {"games": 3, "odds_snapshots": 0, "weather": 0, "injuries": 0}
    assert not [entry for entry, _ in httpserver.log if "summary" in entry.path]
    materialized = _materializations(result)
    assert set(materialized) == {ESPN_GAMES}
    assert materialized[ESPN_GAMES]["rows_written"] == 3 and UNIFORM <= set(materialized[ESPN_GAMES])
    assert [check.asset_check_key for check in _checks(result)] == [
        AssetCheckKey(ESPN_GAMES, "espn_collection_contract")]


def test_the_odds_api_alone_by_source_name(database_url, collectors, httpserver, instance):  # noqa: F811
    serve_day(httpserver)
    assert _materialize(live_selection(["espn"]), database_url, collectors, instance).success
    result = _materialize(live_selection(["the_odds_api"]), database_url, collectors, instance)
    assert result.success
    metadata = _materializations(result)[ODDS_API_SNAPSHOTS]
    assert metadata["rows_written"] == 14 and metadata["quota_remaining"] == int(QUOTA["x-requests-remaining"])
    assert metadata["skipped"] == "none" and metadata["sports_not_covered"] == "none"
    assert counts(database_url)["odds_snapshots"] == 14
    with pytest.raises(ValueError, match="unknown live source"):
        live_selection(["odds"])


def test_a_source_without_its_key_is_skipped_with_the_same_metadata(
    database_url, collectors, httpserver, instance, monkeypatch  # noqa: F811
):
    monkeypatch.delenv("ODDS_API_KEY")
    monkeypatch.delenv("PINNACLE_PASSWORD")
    unconfigured = make_collectors(httpserver)  # the settings read once the keys are gone, as at a start
    result = _materialize(live_selection(["the_odds_api", "pinnacle"]), database_url, unconfigured, instance)
    assert result.success and not httpserver.log
    for key, variable in ((ODDS_API_SNAPSHOTS, "ODDS_API_KEY"), (LIVE_SOURCES["pinnacle"].keys[0], "PINNACLE")):
        metadata = _materializations(result)[key]
        assert UNIFORM <= set(metadata)
        assert metadata["skipped"].startswith("not configured") and variable in metadata["skipped"]
        assert metadata["rows_written"] == 0 and metadata["quota_remaining"] == -1
    assert all(check.passed for check in _checks(result))


MIRROR_KEY = "mirror-SECRET-4242"
# The new source's collector module, as its author would write it: its client and its settings
# (a configurable base URL and a key), and nothing anywhere else.
MIRROR_COLLECTOR = '''"""A feed serving ESPN-format scoreboards under its own league ids, behind a key."""

from royaley_pipeline.collectors.http import ServiceClient
from royaley_pipeline.config import SourceSetting

SETTINGS = (SourceSetting("mirror_base_url", "ROYALEY_MIRROR_BASE_URL", "https://mirror.invalid/v1"),
            SourceSetting("mirror_api_key", "MIRROR_API_KEY", secret=True))


def client(collectors):
    key = collectors.value("mirror_api_key")
    if not key:
        return None
    return ServiceClient(source="mirror", base_url=collectors.value("mirror_base_url"), secrets=(key,),
                         headers={"X-Key": key}, retry=collectors.retry)
'''


@pytest.fixture
def mirror_collector(tmp_path, monkeypatch):
    """``collectors/mirror.py``, a real module of the collectors package (from a folder on its path)."""
    import royaley_pipeline.collectors as package
    from royaley_pipeline.collectors.settings import declared_settings

    (tmp_path / "mirror.py").write_text(MIRROR_COLLECTOR)
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    declared_settings.cache_clear()
    yield importlib.import_module("royaley_pipeline.collectors.mirror")
    sys.modules.pop("royaley_pipeline.collectors.mirror", None)
    declared_settings.cache_clear()


def test_a_spec_and_a_registry_line_are_all_a_new_source_takes(
    database_url, collectors, httpserver, instance, monkeypatch, mirror_collector  # noqa: F811
):
    """Three files make a source with a configurable URL and a key: its collector module (client and
    ``SETTINGS``, above), its spec (below) and its ``sources`` entry in the registry. The settings and
    the collectors resource find its variables; the key reaches the run as an ``EnvVar``; sports it
    does not list are skipped; without the key it is skipped as not configured."""
    monkeypatch.setitem(SPORTS, "NFL", replace(SPORTS["NFL"], sources={**SPORTS["NFL"].sources, "mirror": "pro"}))
    httpserver.expect_request("/mirror/v2/pro/scores", headers={"X-Key": MIRROR_KEY}).respond_with_json(
        fixture_json("espn_nfl_scoreboard.json"))
    monkeypatch.setenv("ROYALEY_MIRROR_BASE_URL", httpserver.url_for("/mirror/v2"))
    monkeypatch.setenv("MIRROR_API_KEY", MIRROR_KEY)
    configured = make_collectors(httpserver)  # the settings read at a start, with the new variables set

    def collect(run: SportDay) -> None:
        fetched = run.client.get(f"{run.league}/scores", {"day": run.day.isoformat()})
        slate = espn.parse_scoreboard(fetched, run.sport, TeamDirectory())
        run.written.update(games=store_collected(run.engine, run.sport,
                                                 validate_batch(SourceBatch(games=slate.games))).games.games)

    mirror = LiveSource(
        name="mirror", tables=(Table("games", "Scoreboards of a mirror feed."),),
        collector=mirror_collector,
        collect=collect, contract=Contract("mirror_contract", "Games collected.", games_problems),
    )
    asset = live_asset(mirror)
    assert mirror.sports == ("NFL",) and asset.keys == {AssetKey(["raw", "mirror_games"])}
    resource_config = repr(configured._convert_to_config_dictionary())  # noqa: SLF001 - what definitions hold
    assert "MIRROR_API_KEY" in resource_config and MIRROR_KEY not in resource_config
    nfl = _materialize(None, database_url, configured, instance, assets=[asset])
    assert nfl.success and counts(database_url)["games"] == 3
    assert _materializations(nfl)[AssetKey(["raw", "mirror_games"])]["rows_written"] == 3
    nba = _materialize(None, database_url, configured, instance, assets=[asset],
                       partition=sport_day_key("NBA", NFL_DAY))
    metadata = _materializations(nba)[AssetKey(["raw", "mirror_games"])]
    assert metadata["sports_not_covered"] == "NBA" and metadata["rows_written"] == 0
    assert len(httpserver.log) == 1  # the NBA partition asked nothing
    monkeypatch.delenv("MIRROR_API_KEY")
    skipped = _materialize(None, database_url, make_collectors(httpserver), instance, assets=[asset])
    assert _materializations(skipped)[AssetKey(["raw", "mirror_games"])]["skipped"] == (
        "not configured (MIRROR_API_KEY is not set)")
    assert len(httpserver.log) == 1


def test_injuries_alone_store_the_games_they_hang_on(database_url, collectors, httpserver, instance):  # noqa: F811
    serve_day(httpserver)
    result = _materialize(AssetSelection.keys(ESPN_INJURIES), database_url, collectors, instance)
    assert result.success
    assert set(_materializations(result)) == {ESPN_INJURIES} and not _checks(result)
    assert counts(database_url)["injuries"] == 3 and counts(database_url)["games"] == 3
