"""Where each service lives and how hard to try: the collectors resource.

Each collector module declares its own settings beside its client (``SETTINGS``: ``SourceSetting``s
with their variables, defaults, and which are secrets) and builds its client from this resource;
the resource finds the declarations by looking through the package (no list to extend) and holds
their values by name. Base URLs are configurable so tests point every client at a loopback server.
Secrets are values given as Dagster ``EnvVar``s (``Settings.source_value``): Dagster reads them when
a run starts, so no key appears in the definitions, run config, UI or metadata.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from dagster import ConfigurableResource

import royaley_pipeline.collectors as collectors_package
from royaley_pipeline.collectors.http import RetrySettings
from royaley_pipeline.config import Settings, SourceSetting


@cache
def declared_settings() -> dict[str, SourceSetting]:
    """Every ``SourceSetting`` the collector modules declare, by name; a name or a variable
    declared twice is refused."""
    found: dict[str, SourceSetting] = {}
    for info in pkgutil.iter_modules(collectors_package.__path__):
        module = importlib.import_module(f"{collectors_package.__name__}.{info.name}")
        for setting in getattr(module, "SETTINGS", ()):
            twice = [other.name for other in found.values() if other.name == setting.name
                     or (setting.variable and other.variable == setting.variable)]
            if twice:
                raise ValueError(f"collectors.{info.name} declares {setting.name} ({setting.variable or 'no variable'})"
                                 f" again: already declared as {twice[0]}")
            found[setting.name] = setting
    return found


class CollectorsResource(ConfigurableResource):
    """The values of every live collector's declared settings, by name (an unset one keeps its
    declared default; an empty secret turns its source off), and their retry settings."""

    values: dict[str, str] = {}
    retry: RetrySettings = RetrySettings()

    def value(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        declared = declared_settings()
        if name not in declared:
            raise KeyError(f"no collector declares a setting {name!r}; declared: {', '.join(declared)}")
        return declared[name].default


def collectors_from_settings(settings: Settings, retry: RetrySettings | None = None, **values) -> CollectorsResource:
    """The resource with every declared setting's value from the settings (``values`` override
    them by name, e.g. ``espn_base_url=...``)."""
    declared = declared_settings()
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise KeyError(f"no collector declares {', '.join(unknown)}; declared: {', '.join(declared)}")
    resolved = {name: settings.source_value(setting) for name, setting in declared.items()}
    resolved.update({name: value if isinstance(value, str) else str(value) for name, value in values.items()})
    return CollectorsResource(values=resolved, retry=retry or RetrySettings())
