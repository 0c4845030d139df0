"""Files read in place from the shared data folder, never copied into the package.

The NHL, MLB, NCAAF, NCAAB and tennis-odds files (like nfelo) state no licence, so the package
holds none of them. They are read from the settings' ``shared_data_path``
(``ROYALEY_SHARED_DATA``, a folder laid out as ``nhl/``, ``mlb/``, ``ncaaf/``, ``ncaab/``,
``tennis_odds/``); never from a guessed location. A role whose file is absent there resolves to
None, and the catalog then reads nothing for it (with a warning), so a machine without the files
still runs the bundled sports.
"""

from __future__ import annotations

from pathlib import Path

SHARED_DATA_VARIABLE = "ROYALEY_SHARED_DATA"
EXTERNAL_FILES: dict[str, str] = {
    "nhl_oddsportal": "nhl/nhl_oddsportal_avgml_2008-09_2023-24.csv",
    "nhl_sbro": "nhl/nhl_sbro_2016-17_2021-22.csv",
    "mlb_oddsportal": "mlb/mlb_oddsportal_avgml_2006_2022.csv",
    "mlb_sbro": "mlb/mlb_sbro_cswaters_2010_2019.csv",
    "ncaab_sbro": "ncaab/ncaab_sbro_movada_2012-13_2020-21.csv",
    "ncaaf_cfbd": "ncaaf/ncaaf_cfbd_lines_long_2020_2023.csv",
    "atp_tennis_data": "tennis_odds/atp_tennisdata_2000_2022.csv",
    "wta_tennis_data": "tennis_odds/wta_tennisdata_2007_2022.csv",
}


def external_file(role: str, shared_data_path: Path | None) -> Path | None:
    """The file of a role (a key of ``EXTERNAL_FILES``) if it exists in the shared folder, else None."""
    if shared_data_path is None:
        return None
    path = Path(shared_data_path) / EXTERNAL_FILES[role]
    return path if path.is_file() else None
