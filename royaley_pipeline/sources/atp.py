"""Reader for Jeff Sackmann's ATP match files (``atp_matches_YYYY.csv``, ``atp_players.csv``).

The files list winner and loser, give only the tournament's start date and no start times, so
three things are estimated here and flagged ``start_time_estimated``:

* the match date, from the round (Grand Slams spread over two weeks, other events over one);
* the start time, 10:00 UTC plus one hour per round step, so earlier rounds of a day come first;
* which player is "home": a hash of the match id decides, deterministically, so that the label
  is not always the first-listed (winning) player and a reload gives the same order.

Scores are sets won; ``winner_side`` says who won and ``completion`` how ("completed",
"retired", "default", "walkover"). Retirements and defaults count completed sets, and when the
winner was not ahead in sets (``6-7(5) 2-1 RET``) the winner is credited one set more than the
loser (``credit_retired_winner``), so that the stored score, and the label and Elo update drawn
from it, name the player who advanced: a retired match is settled as won, as the reference
market scores count it. Walkovers are kept as final with NaN scores, since no tennis was played
but the draw advanced: no label, no rating change. Counts go to the batch's ``quirks``
(``walkover``, ``retired``, ``retired_winner_credited_a_set``). The season is the calendar year of the
tournament's first week's end, so events starting on 31 December belong to the new season.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.errors import SourceRecordError, shown
from royaley_pipeline.sources.frames import TEXT_LIMITS, SourceBatch, empty_players
from royaley_pipeline.sources.league import Quirks
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_lengths,
    read_source_csv,
    record_label,
    reject_first,
    require_columns,
    to_date,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.text_files import read_text_csv

SOURCE = "sackmann_atp"
SPORT = "ATP"
KEY = "match_id"
GRAND_SLAM_LEVEL = "G"
GRAND_SLAM_DAY = {"R128": 0, "R64": 2, "R32": 4, "R16": 6, "QF": 8, "SF": 10, "BR": 12, "F": 13}
EVENT_DAY = {"ER": 0, "RR": 0, "R128": 0, "R64": 0, "R32": 1, "R16": 3, "QF": 4, "SF": 5, "BR": 6, "F": 6}
ROUND_ORDER = {"ER": 0, "R128": 1, "R64": 2, "R32": 3, "R16": 4, "RR": 5, "QF": 6, "SF": 7, "BR": 8, "F": 9}
FIRST_START = pd.Timedelta(hours=10)
ROUND_STEP = pd.Timedelta(hours=1)
SEASON_SHIFT = pd.Timedelta(days=7)
MATCH_COLUMNS = (
    "tourney_id",
    "tourney_name",
    "surface",
    "tourney_level",
    "tourney_date",
    "match_num",
    "winner_id",
    "winner_name",
    "winner_hand",
    "winner_ht",
    "winner_ioc",
    "loser_id",
    "loser_name",
    "loser_hand",
    "loser_ht",
    "loser_ioc",
    "score",
    "best_of",
    "round",
    "winner_rank",
    "loser_rank",
)
MATCH_TEXT = {  # file column → the contract column it is stored as
    KEY: "source_game_id", "tourney_name": "venue", "surface": "surface",
    **{f"{side}_{column}": stored for side in ("winner", "loser")
       for column, stored in (("id", "source_player_id"), ("name", "name"), ("hand", "hand"), ("ioc", "country"))},
}
PLAYER_COLUMNS = ("player_id", "name_first", "name_last", "hand", "dob", "ioc", "height")
SET_PATTERN = re.compile(r"^(\d+)-(\d+)(\(\d+\))?$|^\[(\d+)-(\d+)\]$")
WALKOVER_SCORES = {"W/O", "WALKOVER"}
RETIRED_TOKENS = {"RET": "retired", "DEF": "default", "DEF.": "default"}
ENDED_EARLY = ("retired", "default")


def read_atp_matches(
    paths: str | PathLike[str] | Iterable[str | PathLike[str]],
    *,
    players_path: str | PathLike[str] | None = None,
    start: DateBound = None,
    end: DateBound = None,
    label: str | None = None,
) -> SourceBatch:
    """Matches (as games) and their players from one or more Sackmann match files (or one text
    buffer, whose origin ``label`` names in errors)."""
    if isinstance(paths, (str, PathLike, io.IOBase)):
        paths = [paths]
    quirks = Quirks()
    files = [_read_match_file(path, start, end, label, quirks) for path in paths]
    games = pd.concat([games for games, _ in files if len(games)], ignore_index=True) if files else None
    if games is None or games.empty:
        return SourceBatch()
    duplicated = games["source_game_id"].duplicated()
    if duplicated.any():
        raise SourceRecordError(
            f"{SOURCE} files",
            f"match {games.loc[duplicated.idxmax(), 'source_game_id']}",
            None,
            "appears in more than one file",
        )
    players = _latest_player_rows(pd.concat([rows for _, rows in files], ignore_index=True))
    if players_path is not None:
        players = _players_from_file(players_path, players["source_player_id"], fallback=players)
    return SourceBatch(games=games, players=players, quirks=quirks.as_dict())


def _read_match_file(
    path: str | PathLike[str], start: DateBound, end: DateBound, label: str | None, quirks: Quirks
) -> tuple[pd.DataFrame, pd.DataFrame]:
    source = f"{SOURCE} {label or path}"
    raw = read_text_csv(path, source)
    require_columns(raw, MATCH_COLUMNS, source)
    raw[KEY] = raw["tourney_id"].str.strip() + "-" + raw["match_num"].str.strip()
    for column in ("tourney_id", "match_num", "tourney_level", "round"):
        reject_first(raw[column].isna(), raw, KEY, source, column, "value is missing")
    check_lengths(raw, {column: TEXT_LIMITS[stored] for column, stored in MATCH_TEXT.items()}, source, KEY)
    match_dates = estimate_match_dates(raw, source)
    selected = raw[within_dates(match_dates, start, end)]
    games = validate_atp_matches(selected, match_dates[selected.index], source, quirks)
    return games, _player_rows(selected, games)


def estimate_match_dates(raw: pd.DataFrame, source: str) -> pd.Series:
    """Tournament start plus the usual day of the round (see the module docstring)."""
    reject_first(
        ~raw["round"].isin(ROUND_ORDER.keys()), raw, KEY, source, "round",
        lambda line: f"{shown(raw.at[line, 'round'])} is not one of {sorted(ROUND_ORDER)}",
    )
    tourney_dates = to_date(raw, "tourney_date", source, KEY, "%Y%m%d")
    grand_slam = raw["tourney_level"] == GRAND_SLAM_LEVEL
    days = np.where(grand_slam, raw["round"].map(GRAND_SLAM_DAY), raw["round"].map(EVENT_DAY))
    return tourney_dates + pd.to_timedelta(days, unit="D")


def validate_atp_matches(raw: pd.DataFrame, match_dates: pd.Series, source: str,
                         quirks: Quirks | None = None) -> pd.DataFrame:
    """Games-contract rows for the given match rows, with players in hash-decided order."""
    quirks = Quirks() if quirks is None else quirks
    if raw.empty:
        return pd.DataFrame()
    reject_first(raw[KEY].duplicated(), raw, KEY, source, "match_num", "match appears twice")
    ids = {}
    for side in ("winner", "loser"):
        column = f"{side}_id"
        text = raw[column].str.strip()
        reject_first(
            ~text.str.fullmatch(r"\d+").fillna(False).astype(bool), raw, KEY, source, column,
            lambda line, column=column: f"{shown(raw.at[line, column])} is not a player id",
        )
        ids[side] = text
    ranks = {side: to_number(raw, f"{side}_rank", source, KEY) for side in ("winner", "loser")}
    sets = pd.DataFrame(
        [parse_score(raw.at[line, "score"], source, record_label(raw, line, KEY)) for line in raw.index],
        index=raw.index,
        columns=["winner_sets", "loser_sets", "completion"],
    )
    quirks.note("walkover", (sets["completion"] == "walkover").sum())
    quirks.note("retired", sets["completion"].isin(ENDED_EARLY).sum())
    sets["winner_sets"], sets["loser_sets"], credited = credit_retired_winner(
        sets["winner_sets"], sets["loser_sets"], sets["completion"])
    quirks.note("retired_winner_credited_a_set", credited.sum())
    tourney_dates = to_date(raw, "tourney_date", source, KEY, "%Y%m%d")
    winner_home = raw[KEY].map(winner_is_home)
    start_times = (match_dates + FIRST_START + raw["round"].map(ROUND_ORDER) * ROUND_STEP).dt.tz_localize(
        "UTC"
    )

    def by_side(winner_value: pd.Series, loser_value: pd.Series) -> tuple[pd.Series, pd.Series]:
        return winner_value.where(winner_home, loser_value), loser_value.where(winner_home, winner_value)

    home_team, away_team = by_side(ids["winner"], ids["loser"])
    home_score, away_score = by_side(sets["winner_sets"], sets["loser_sets"])
    home_rank, away_rank = by_side(ranks["winner"], ranks["loser"])
    surface = raw["surface"].str.strip()
    games = pd.DataFrame(
        {
            "sport": SPORT,
            "source": SOURCE,
            "source_game_id": raw[KEY],
            "season": (tourney_dates + SEASON_SHIFT).dt.year,
            "week": pd.array([pd.NA] * len(raw), dtype="Int64"),
            "game_type": raw["round"],
            "game_date": match_dates,
            "start_time": start_times,
            "start_time_estimated": True,
            "home_team": home_team,
            "away_team": away_team,
            "neutral_site": True,
            "status": "final",
            "home_score": home_score.astype(float),
            "away_score": away_score.astype(float),
            "venue": raw["tourney_name"].str.strip(),
            "roof": None,
            "surface": surface.where(surface.notna(), None),
            "home_rank": home_rank,
            "away_rank": away_rank,
            "winner_side": np.where(winner_home, "home", "away"),
            "completion": sets["completion"],
        },
        index=raw.index,
    )
    return games


def credit_retired_winner(
    winner_sets: pd.Series, loser_sets: pd.Series, completion: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Sets with the winner of a retired or defaulted match credited one set more than the loser
    when not already ahead, and which matches were credited; other matches are unchanged."""
    credited = completion.isin(ENDED_EARLY) & ~(winner_sets > loser_sets)
    loser = loser_sets.where(~credited, loser_sets.fillna(0))
    return winner_sets.where(~credited, loser + 1), loser, credited


def winner_is_home(match_id: str) -> bool:
    """Deterministic coin toss per match: the same id always puts the winner on the same side."""
    return hashlib.sha256(match_id.encode("utf-8")).digest()[0] % 2 == 0


def parse_score(score: object, source: str, record: str) -> tuple[float, float, str]:
    """(winner sets, loser sets, completion) from a score such as "7-6(4) 3-6 [10-8]" or "6-3 2-1 RET".

    A set counts when it was finished; in a retirement the set in progress does not.
    """
    if not isinstance(score, str) or not score.strip():
        raise SourceRecordError(source, record, "score", "value is missing")
    tokens = score.split()
    if score.strip().upper() in WALKOVER_SCORES:
        return np.nan, np.nan, "walkover"
    completion = "completed"
    if tokens[-1].upper() in RETIRED_TOKENS:
        completion = RETIRED_TOKENS[tokens.pop().upper()]
    winner_sets = loser_sets = 0
    for token in tokens:
        match = SET_PATTERN.match(token)
        if match is None:
            raise SourceRecordError(source, record, "score", f"{shown(score)}: {shown(token)} is not a set score")
        tiebreak_only = match.group(4) is not None
        winner_games, loser_games = (
            (int(match.group(4)), int(match.group(5)))
            if tiebreak_only
            else (int(match.group(1)), int(match.group(2)))
        )
        if completion != "completed" and not _set_finished(
            winner_games, loser_games, tiebreak_only, match.group(3) is not None
        ):
            continue
        if winner_games > loser_games:
            winner_sets += 1
        elif loser_games > winner_games:
            loser_sets += 1
    return float(winner_sets), float(loser_sets), completion


def _set_finished(first: int, second: int, tiebreak_only: bool, tiebreak_played: bool) -> bool:
    high, margin = max(first, second), abs(first - second)
    if tiebreak_only:
        return (high >= 10 and margin >= 2) or (high == 1 and margin == 1)
    return tiebreak_played or (high >= 6 and margin >= 2) or (high == 7 and margin == 1)


def _player_rows(raw: pd.DataFrame, games: pd.DataFrame) -> pd.DataFrame:
    """Player bios as the match rows give them, the fallback when the players file lacks one."""
    if raw.empty:
        return empty_players().assign(start=pd.Series(dtype="datetime64[ns, UTC]"))
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "sport": SPORT,
                    "source_player_id": raw[f"{side}_id"].str.strip(),
                    "name": raw[f"{side}_name"].str.strip(),
                    "hand": raw[f"{side}_hand"],
                    "country": raw[f"{side}_ioc"],
                    "height_cm": pd.to_numeric(raw[f"{side}_ht"], errors="coerce"),
                    "birth_date": pd.NaT,
                    "start": games["start_time"],
                }
            )
            for side in ("winner", "loser")
        ]
    )


def _latest_player_rows(rows: pd.DataFrame) -> pd.DataFrame:
    latest = rows.sort_values("start", kind="stable").drop_duplicates("source_player_id", keep="last")
    return latest.drop(columns="start").reset_index(drop=True)


def _players_from_file(
    path: str | PathLike[str], player_ids: pd.Series, fallback: pd.DataFrame
) -> pd.DataFrame:
    source, raw = read_source_csv(SOURCE, path, PLAYER_COLUMNS, "player_id")
    raw["player_id"] = raw["player_id"].str.strip()
    raw = raw[raw["player_id"].isin(player_ids)]
    name = (raw["name_first"].fillna("") + " " + raw["name_last"].fillna("")).str.strip()
    limits = {"player_id": "source_player_id", "hand": "hand", "ioc": "country", "name": "name"}
    check_lengths(raw.assign(name=name), {column: TEXT_LIMITS[stored] for column, stored in limits.items()},
                  source, "player_id")
    birth_text = raw["dob"].str.strip()
    birth_date = pd.to_datetime(birth_text, format="%Y%m%d", errors="coerce")
    reject_first(
        birth_date.isna() & birth_text.notna(), raw, "player_id", source, "dob",
        lambda line: f"{shown(raw.at[line, 'dob'])} is not a date (YYYYMMDD)",
    )
    players = pd.DataFrame(
        {
            "sport": SPORT,
            "source_player_id": raw["player_id"],
            "name": name.where(name != "", None),
            "hand": raw["hand"],
            "country": raw["ioc"],
            "height_cm": to_number(raw, "height", source, "player_id"),
            "birth_date": birth_date,
        }
    )
    missing = fallback[~fallback["source_player_id"].isin(players["source_player_id"])]
    return pd.concat([players, missing], ignore_index=True) if len(missing) else players
