"""Two files about the same league: the lines of one attached to the games of the other.

NHL and MLB each have a long OddsPortal series (games and an average closing moneyline) and a
shorter SBRO series with more markets (opening lines, puck/run line, totals). The OddsPortal
games are the schedule; each SBRO game is matched to the OddsPortal game with the same home and
away team within ``DATE_WINDOW`` (the two sites date some late games a day apart), preferring
the same date and then the same final score (which tells a doubleheader's two games apart). Its
odds then describe that game. An SBRO game without a counterpart is added as a game of its own
only when no game of that pairing lies within the window; otherwise (two candidates, already
taken) it is left out. Every outcome is counted in the batch's quirks:
``<name>_matched``, ``<name>_added``, ``<name>_unmatched_rejected``.
"""

from __future__ import annotations

import pandas as pd

from royaley_pipeline.sources.frames import SourceBatch

DATE_WINDOW = pd.Timedelta(days=1)


def attach_lines(primary: SourceBatch, secondary: SourceBatch, name: str) -> SourceBatch:
    """``primary`` with ``secondary``'s odds on its games, and the games only ``secondary`` has."""
    quirks = {**primary.quirks, **{f"{name}_{key}": value for key, value in secondary.quirks.items()}}
    if secondary.games.empty:
        return SourceBatch(primary.games, primary.odds, primary.weather, primary.players, quirks)
    left = secondary.games[["source_game_id", "home_team", "away_team", "game_date", "home_score", "away_score"]]
    right = primary.games[["source_game_id", "home_team", "away_team", "game_date", "home_score", "away_score"]]
    pairs = left.merge(right, on=["home_team", "away_team"], suffixes=("", "_primary"))
    pairs["gap"] = (pairs["game_date"] - pairs["game_date_primary"]).abs()
    pairs = pairs[pairs["gap"] <= DATE_WINDOW]
    pairs["score_differs"] = ~((pairs["home_score"] == pairs["home_score_primary"])
                               & (pairs["away_score"] == pairs["away_score_primary"]))
    ranked = pairs.sort_values(["gap", "score_differs", "source_game_id", "source_game_id_primary"], kind="stable")
    chosen = ranked.drop_duplicates("source_game_id").drop_duplicates("source_game_id_primary")
    mapping = dict(zip(chosen["source_game_id"], chosen["source_game_id_primary"], strict=True))
    near_any = set(pairs["source_game_id"])
    unmatched = secondary.games[~secondary.games["source_game_id"].isin(mapping)]
    added = unmatched[~unmatched["source_game_id"].isin(near_any)]
    for outcome, count in (("matched", len(mapping)), ("added", len(added)),
                           ("unmatched_rejected", len(unmatched) - len(added))):
        if count:
            quirks[f"{name}_{outcome}"] = count
    kept_ids = set(mapping) | set(added["source_game_id"])
    odds = secondary.odds[secondary.odds["source_game_id"].isin(kept_ids)]
    odds = odds.assign(source_game_id=odds["source_game_id"].map(lambda game: mapping.get(game, game)))
    # captured relative to the primary's start time, so that "before kick-off" holds for it
    starts = pd.concat([primary.games, added]).set_index("source_game_id")["start_time"]
    own_starts = secondary.games.set_index("source_game_id")["start_time"]
    original_ids = odds["source_game_id"].map({primary_id: game for game, primary_id in mapping.items()})
    original_ids = original_ids.fillna(odds["source_game_id"])
    lead = original_ids.map(own_starts) - odds["captured_at"]
    odds = odds.assign(captured_at=odds["source_game_id"].map(starts) - lead)
    games = pd.concat([primary.games, added], ignore_index=True) if len(added) else primary.games
    all_odds = pd.concat([frame for frame in (primary.odds, odds) if len(frame)], ignore_index=True)
    return SourceBatch(games, all_odds if len(all_odds.columns) else primary.odds, primary.weather,
                       primary.players, quirks)
