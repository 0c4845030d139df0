"""Files read in place from the shared data folder, never copied into the package.

The NHL, MLB, NCAAF, NCAAB and tennis-odds files (like nfelo) state no licence, so the package
holds none of them. They are read from the settings' ``shared_data_path``
(``ROYALEY_SHARED_DATA``, a folder laid out as ``nhl/``, ``mlb/``, ``ncaaf/``, ``ncaab/``,
``tennis_odds/``); never from a guessed location. A role whose file is absent there resolves to
None, and the catalog then reads nothing for it (with a warning), so a machine without the files
still runs the bundled sports.
"""

from __future__ import annotations

SHARED_DATA_VARIABLE = "ROYALEY_SHARED_DATA"
