"""tennis-data.co.uk names ("Del Potro J.M.") to Sackmann player ids, and its prices onto
Sackmann's ATP matches.

Name rule: the trailing initials give the first initial, the rest is the surname; both sides are
compared without accents, case, spaces, hyphens, dots or apostrophes. Only players who appear in
the Sackmann match files being joined are candidates, so namesakes from other eras do not
compete. A name matches when exactly one candidate has that surname and initial; failing that,
when exactly one candidate's surname starts with (or is the start of) it with that initial
("Ramos-Vinolas A." is Sackmann's "Albert Ramos"). What the rule cannot settle is in the alias
table ``data/reference/tennis_player_aliases.csv`` (tour, tennis_data_name, player_id), which is
tested; names neither resolves are counted, never dropped silently.

A match joins the Sackmann game between the same two players nearest in date (within
``MATCH_WINDOW``: Sackmann dates are estimated from the round); the winner must agree.
"""

from __future__ import annotations

import re
import unicodedata
from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.league import Quirks
from royaley_pipeline.sources.parsing import read_text_csv, require_columns

ALIASES_PATH = PACKAGE_DATA / "reference" / "tennis_player_aliases.csv"
MATCH_WINDOW = pd.Timedelta(days=10)
INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?)+$|^[A-Z]{1,3}$")


def squash(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", plain.lower())


def split_name(name: str) -> tuple[str, str]:
    """("delpotro", "j") from "Del Potro J.M."; ("", "") when the name has no initials."""
    tokens = name.split()
    position = len(tokens)
    while position > 1 and INITIALS.match(tokens[position - 1]):
        position -= 1
    if position == len(tokens):
        return squash(name), ""
    return squash(" ".join(tokens[:position])), squash(tokens[position])[:1]


def load_aliases(tour: str, path: PathLike[str] | str = ALIASES_PATH) -> dict[str, str]:
    aliases = read_text_csv(path, f"tennis aliases {path}")
    require_columns(aliases, ("tour", "tennis_data_name", "player_id"), f"tennis aliases {path}")
    aliases = aliases[aliases["tour"].str.strip() == tour]
    return dict(zip(aliases["tennis_data_name"].str.strip(), aliases["player_id"].str.strip(), strict=True))


def resolve_names(names: pd.Series, players: pd.DataFrame, aliases: dict[str, str]) -> pd.Series:
    """Player id per tennis-data name (NaN when unresolved). ``players`` has player_id,
    name_first and name_last of the candidate players."""
    candidates = pd.DataFrame({
        "player_id": players["player_id"],
        "last": players["name_last"].fillna("").map(squash),
        "initial": players["name_first"].fillna("").map(squash).str.slice(0, 1),
    })
    exact = candidates.groupby(["last", "initial"])["player_id"].agg(list).to_dict()
    by_initial = {initial: group for initial, group in candidates.groupby("initial")}
    resolved = {}
    for name in names.dropna().unique():
        if name in aliases:
            resolved[name] = aliases[name]
            continue
        last, initial = split_name(name)
        found = exact.get((last, initial), [])
        if len(found) != 1 and initial in by_initial and last:
            group = by_initial[initial]
            prefix = group[[bool(other) and (last.startswith(other) or other.startswith(last))
                            for other in group["last"]]]
            found = list(prefix["player_id"])
        if len(found) == 1:
            resolved[name] = found[0]
    return names.map(resolved)


def join_sackmann(matches: pd.DataFrame, games: pd.DataFrame, players: pd.DataFrame, aliases: dict[str, str],
                  quirks: Quirks) -> tuple[pd.DataFrame, pd.Series]:
    """The tennis-data matches that join a Sackmann game, with ``source_game_id`` and the game's
    start time; and for each whether its winner is the game's home player."""
    if matches.empty or games.empty:
        return matches.iloc[0:0], pd.Series(dtype=bool)
    first, last = games["game_date"].min(), games["game_date"].max()
    inside = matches["date"].between(first - MATCH_WINDOW, last + MATCH_WINDOW)
    quirks.note("odds_outside_match_dates", (~inside).sum())
    matches = matches[inside]
    winner_id = resolve_names(matches["winner"], players, aliases)
    loser_id = resolve_names(matches["loser"], players, aliases)
    unresolved = winner_id.isna() | loser_id.isna()
    quirks.note("odds_player_unresolved", unresolved.sum())
    matches = matches[~unresolved].assign(winner_id=winner_id[~unresolved], loser_id=loser_id[~unresolved])
    pair = np.minimum(matches["winner_id"], matches["loser_id"]) + "|" + np.maximum(matches["winner_id"],
                                                                                     matches["loser_id"])
    left = matches.assign(pair=pair, row=matches.index).sort_values("date")
    sackmann = pd.DataFrame({
        "pair": np.minimum(games["home_team"], games["away_team"]) + "|" + np.maximum(games["home_team"],
                                                                                       games["away_team"]),
        "game_day": games["game_date"], "source_game_id": games["source_game_id"],
        "start_time": games["start_time"],
        "game_winner": np.where(games["winner_side"] == "home", games["home_team"], games["away_team"]),
        "home_team": games["home_team"],
    }).sort_values("game_day")
    joined = pd.merge_asof(left, sackmann, left_on="date", right_on="game_day", by="pair",
                           tolerance=MATCH_WINDOW, direction="nearest").set_index("row")
    unmatched = joined["source_game_id"].isna()
    quirks.note("odds_match_not_found", unmatched.sum())
    joined = joined[~unmatched]
    disagrees = joined["winner_id"] != joined["game_winner"]
    quirks.note("odds_winner_disagrees", disagrees.sum())
    joined = joined[~disagrees]
    joined["gap"] = (joined["date"] - joined["game_day"]).abs()
    nearest = joined.sort_values("gap", kind="stable").duplicated("source_game_id")
    quirks.note("odds_duplicate_match_rejected", nearest.sum())
    joined = joined.loc[~nearest.reindex(joined.index)]
    quirks.note("odds_matched", len(joined))
    return joined, joined["winner_id"] == joined["home_team"]
