"""Venue names and coordinates: feeds spell stadiums differently (and names change with sponsors),
so collectors resolve a venue through its aliases before weather is looked up at its coordinates.

The reference file lists venues whose coordinates are known; a venue not in it is stored under
the feed's spelling without coordinates and reported, since its games still count.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from royaley_pipeline.config import PACKAGE_DATA

REFERENCE_VENUES_PATH = PACKAGE_DATA / "reference" / "venues.csv"
INDOOR_ROOFS = frozenset({"dome", "closed"})


def load_reference_venues(path: Path = REFERENCE_VENUES_PATH) -> pd.DataFrame:
    venues = pd.read_csv(path, dtype={"name": str, "aliases": str, "roof": str}, keep_default_na=False)
    venues["aliases"] = [[a.strip() for a in text.split("|") if a.strip()] for text in venues["aliases"]]
    return venues[["name", "aliases", "roof", "latitude", "longitude"]]


class VenueDirectory:
    """Resolves any known spelling of a venue (case-insensitive) to its reference name."""

    def __init__(self, venues: pd.DataFrame | None = None) -> None:
        venues = load_reference_venues() if venues is None else venues
        self._names = {}
        for row in venues.itertuples(index=False):
            for spelling in (row.name, *row.aliases):
                self._names[spelling.strip().upper()] = row.name

    def resolve(self, name: str | None) -> str | None:
        """The reference name, or None when the venue is unknown."""
        return None if name is None else self._names.get(name.strip().upper())
