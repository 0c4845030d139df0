"""Live raw assets: one per source, partitioned by sport × day, each checked after it writes.

Each source is a ``LiveSource`` spec in its own module; ``factory.live_asset`` builds the asset.
The sports a source covers, and its league identifier for each, are in the sport registry
(``Sport.sources``). Adding a source is its module plus its line in ``LIVE_SOURCES`` (and its
``sources`` entries in the registry).
"""

from dagster import AssetKey, AssetSelection

from royaley_pipeline.assets.live import (
    espn,
    nflverse,
    open_meteo,
    pinnacle,
    sackmann,
    the_odds_api,
    thesportsdb,
)
from royaley_pipeline.assets.live.factory import LIVE_GROUP, LiveSource, live_asset

LIVE_SOURCES: dict[str, LiveSource] = {
    source.name: source
    for source in (espn.SOURCE, the_odds_api.SOURCE, pinnacle.SOURCE, open_meteo.SOURCE, thesportsdb.SOURCE,
                   sackmann.SOURCE, nflverse.SOURCE)
}
LIVE_ASSETS_BY_SOURCE = {name: live_asset(source) for name, source in LIVE_SOURCES.items()}
LIVE_ASSETS = list(LIVE_ASSETS_BY_SOURCE.values())

ESPN_GAMES, ESPN_INJURIES = espn.SOURCE.keys
ODDS_API_SNAPSHOTS, = the_odds_api.SOURCE.keys
PINNACLE_SNAPSHOTS, = pinnacle.SOURCE.keys
OPEN_METEO_WEATHER, = open_meteo.SOURCE.keys
SPORTSDB_EVENTS, = thesportsdb.SOURCE.keys
TENNIS_MATCHES, = sackmann.SOURCE.keys
NFLVERSE_GAMES, = nflverse.SOURCE.keys
ODDS_ASSETS = (ODDS_API_SNAPSHOTS, PINNACLE_SNAPSHOTS)
# What the features read from the live feeds (declared as lineage on the monthly features asset).
LIVE_FEATURE_INPUTS: tuple[AssetKey, ...] = tuple(key for source in LIVE_SOURCES.values() for key in source.keys)


def live_selection(names) -> AssetSelection:
    """The assets (and their checks) of the named sources, e.g. ``["espn", "the_odds_api"]``."""
    unknown = [name for name in names if name not in LIVE_SOURCES]
    if unknown:
        raise ValueError(f"unknown live source(s) {', '.join(unknown)}; known: {', '.join(LIVE_SOURCES)}")
    return AssetSelection.keys(*[key for name in names for key in LIVE_SOURCES[name].keys])


__all__ = [
    "ESPN_GAMES", "ESPN_INJURIES", "LIVE_ASSETS", "LIVE_ASSETS_BY_SOURCE", "LIVE_FEATURE_INPUTS", "LIVE_GROUP",
    "LIVE_SOURCES", "NFLVERSE_GAMES", "ODDS_API_SNAPSHOTS", "ODDS_ASSETS", "OPEN_METEO_WEATHER",
    "PINNACLE_SNAPSHOTS", "SPORTSDB_EVENTS", "TENNIS_MATCHES", "live_selection",
]
