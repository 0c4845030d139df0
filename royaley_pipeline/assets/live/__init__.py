"""Live raw assets: one per source, partitioned by sport × day, each checked after it writes.

Each source is a ``LiveSource`` spec (``SOURCE``) in its own module of this package, found here by
looking (no list to extend); ``factory.live_asset`` builds the asset. The sports a source covers,
and its league identifier for each, are in the sport registry (``Sport.sources``). Adding a source
is its client under ``collectors/``, its spec module here and its ``sources`` entries in the registry.
"""

import importlib
import pkgutil

from dagster import AssetKey, AssetsDefinition, AssetSelection

from royaley_pipeline.assets.live import (
    espn,
    nflverse,
    open_meteo,
    pinnacle,
    sackmann,
    the_odds_api,
    thesportsdb,
)
from royaley_pipeline.assets.live.factory import (
    DEFAULT_RETRY_DELAY,
    LIVE_GROUP,
    LiveSource,
    live_asset,
    retry_policy,
)


def _discover() -> dict[str, LiveSource]:
    """Every ``SOURCE`` spec among this package's modules, by source name."""
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return {module.SOURCE.name: module.SOURCE for module in modules if isinstance(getattr(module, "SOURCE", None), LiveSource)}


LIVE_SOURCES: dict[str, LiveSource] = _discover()


def live_assets(retry_delay: float = DEFAULT_RETRY_DELAY) -> dict[str, AssetsDefinition]:
    """Each source's asset by source name, retried after ``retry_delay`` seconds (the code location
    passes ``Settings.collector_retry_delay``)."""
    policy = retry_policy(retry_delay)
    return {name: live_asset(source, policy) for name, source in LIVE_SOURCES.items()}


LIVE_ASSETS_BY_SOURCE = live_assets()  # with the default retry delay, for runs built outside the code location
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
    "PINNACLE_SNAPSHOTS", "SPORTSDB_EVENTS", "TENNIS_MATCHES", "live_assets", "live_selection",
]
