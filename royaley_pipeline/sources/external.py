"""Where the history that may not be shipped lives: files read in place, never copied in.

The NHL, MLB, NCAAF, NCAAB and tennis-odds files (and nfelo) state no licence, so the package
holds none of them. They are read from ``$ROYALEY_EXTERNAL_DATA`` (a folder laid out like the
shared data folder: ``nhl/``, ``mlb/``, ``ncaaf/``, ``ncaab/``, ``tennis_odds/``) or, when that
is unset, from ``../shared/data`` next to the repository if it exists. A role whose file is
absent resolves to None, and the catalog then reads nothing for it (with a warning), so a
machine without the files still runs the bundled sports.
"""

from __future__ import annotations

import os
from pathlib import Path

EXTERNAL_DATA_VARIABLE = "ROYALEY_EXTERNAL_DATA"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPOSITORY_ROOT.parent / "shared" / "data"

EXTERNAL_FILES: dict[str, str] = {
    "nhl_oddsportal": "nhl/nhl_oddsportal_avgml_2008-09_2023-24.csv",
    "nhl_sbro": "nhl/nhl_sbro_2016-17_2021-22.csv",
    "mlb_oddsportal": "mlb/mlb_oddsportal_avgml_2006_2022.csv",
    "mlb_sbro": "mlb/mlb_sbro_cswaters_2010_2019.csv",
    "ncaab_sbro": "ncaab/ncaab_sbro_movada_2012-13_2020-21.csv",
    "ncaaf_cfbd": "ncaaf/ncaaf_cfbd_lines_long_2020_2023.csv",
    "atp_tennis_data": "tennis_odds/atp_tennisdata_2000_2022.csv",
    "wta_tennis_data": "tennis_odds/wta_tennisdata_2007_2022.csv",
    "nfelo_games": "nfelo/nfelo_games.csv",
}


def external_data_root(environ: dict[str, str] | None = None) -> Path | None:
    """``$ROYALEY_EXTERNAL_DATA`` if set, else the shared data folder if present, else None."""
    env = os.environ if environ is None else environ
    if env.get(EXTERNAL_DATA_VARIABLE):
        return Path(env[EXTERNAL_DATA_VARIABLE])
    return SHARED_DATA if SHARED_DATA.is_dir() else None


def external_file(role: str, environ: dict[str, str] | None = None) -> Path | None:
    """The file of a role (a key of ``EXTERNAL_FILES``) if it exists under the root, else None."""
    root = external_data_root(environ)
    if root is None:
        return None
    path = root / EXTERNAL_FILES[role]
    return path if path.is_file() else None
