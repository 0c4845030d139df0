"""Settling predictions once their games are over: result, profit and closing-line value.

A prediction is graded on the terms it was priced at: the side, the line and the price it took
(`line`, `decimal_odds` as stored with it), not the closing line. Results:

- ``won`` / ``lost``: the side beat (or failed) the line taken;
- ``push``: the line was hit exactly (or a two-way moneyline ended level): the stake comes back;
- ``void``: the game will not be graded (cancelled, postponed, abandoned), or a spread or total
  was predicted with no line to grade against. A void is not a bet.

Profit is per 1 unit staked at the price taken (``units``: d − 1 won, −1 lost, 0 push or void) and
for the prediction's Kelly stake as a share of bankroll (``kelly_return`` = stake × units).

Closing-line value compares the price and line taken with the last snapshot of each book before
kick-off (the consensus `market.market_lines` derives): ``clv_probability`` is the de-vigged
closing probability of the side minus the implied probability of the price taken (0.02 = two
points better than the fair close: the bet's expected return if the close is the truth; taking
−110 on a −110/−110 close is −2.4 points, the vig); ``clv_line_points`` is how many points the
line taken beats the closing line for the side (spreads and totals only: a home bet at −3 that
closed −4.5 is +1.5).

Which prediction is the bet. A game is predicted at 06:00 and again whenever new odds land, so one
game and bet type can hold several predictions. **The bet is the first prediction made before
kick-off with a stake** (positive Kelly stake at a real price). It is the one a bettor following
the signals could act on when it was published; a later re-prediction is information about how
the view moved, and counting it instead would let the ledger pick whichever version looks best
in hindsight. A first prediction without a stake is not a bet; if a later one before kick-off
has a stake, that one is (it is the first actionable signal). Predictions made at or after
kick-off (a backfill of a past date, `make run` on history) are graded but never count as bets:
nobody could have placed them. Each settled prediction carries its ``role``: ``bet``,
``no stake``, ``re-prediction`` or ``after kick-off``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WON, LOST, PUSH, VOID = "won", "lost", "push", "void"
RESULTS = (WON, LOST, PUSH, VOID)
BET, NO_STAKE, REPREDICTION, AFTER_KICK_OFF = "bet", "no stake", "re-prediction", "after kick-off"
ROLES = (BET, NO_STAKE, REPREDICTION, AFTER_KICK_OFF)
FINAL_STATUS = "final"
VOID_STATUSES = frozenset({"cancelled", "canceled", "postponed", "abandoned", "void"})

PREDICTION_INPUT_COLUMNS = ["game_id", "bet_type", "side", "line", "decimal_odds", "kelly_stake", "predicted_at"]
GAME_INPUT_COLUMNS = ["game_id", "start_time", "status", "home_score", "away_score"]
SETTLEMENT_COLUMNS = [
    "result", "role", "units", "kelly_return", "home_score", "away_score",
    "closing_line", "closing_price_american", "closing_probability", "clv_probability", "clv_line_points",
]

# Per bet type: which market_lines columns give the closing line, price and fair probability of a side.
_CLOSING = {
    "moneyline": {
        "home": (None, "closing_moneyline_home", "market_home_win_probability", False),
        "away": (None, "closing_moneyline_away", "market_home_win_probability", True),
    },
    "spread": {
        "home": ("closing_spread_home", "closing_spread_home_price", "market_home_cover_probability", False),
        "away": ("closing_spread_home", "closing_spread_away_price", "market_home_cover_probability", True),
    },
    "total": {
        "over": ("closing_total", "closing_over_price", "market_over_probability", False),
        "under": ("closing_total", "closing_under_price", "market_over_probability", True),
    },
}
_CLOSING["match_winner"] = _CLOSING["moneyline"]


def _missing(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    absent = [column for column in columns if column not in frame.columns]
    if absent:
        raise KeyError(f"settlement needs {what} columns {absent}")


def side_margin(bet_type: str, side: str, line: float, home_score: float, away_score: float) -> float:
    """How far the side beat the line taken: > 0 won, < 0 lost, 0 push (NaN if ungradable).

    Lines are the side's own: a home spread of −3 means home must win by more than 3; an away
    spread is the away handicap (+3); a total's line is the total itself for over and under.
    """
    if bet_type in ("moneyline", "match_winner"):
        margin = home_score - away_score
        return margin if side == "home" else -margin
    if bet_type == "spread":
        margin = home_score - away_score
        return margin + line if side == "home" else -margin + line
    if bet_type == "total":
        excess = home_score + away_score - line
        return excess if side == "over" else -excess
    raise ValueError(f"unknown bet type {bet_type!r}")


def grade(predictions: pd.DataFrame, games: pd.DataFrame) -> pd.Series:
    """won / lost / push / void per prediction of a decided game; NaN while the game is pending."""
    merged = predictions[["game_id", "bet_type", "side", "line"]].merge(
        games[GAME_INPUT_COLUMNS], on="game_id", how="left", validate="many_to_one"
    )
    results = []
    for row in merged.itertuples(index=False):
        status = str(row.status).lower() if isinstance(row.status, str) else None
        needs_line = row.bet_type in ("spread", "total")
        if status in VOID_STATUSES or (status == FINAL_STATUS and needs_line and pd.isna(row.line)):
            results.append(VOID)
            continue
        if status != FINAL_STATUS or pd.isna(row.home_score) or pd.isna(row.away_score):
            results.append(None)
            continue
        margin = side_margin(row.bet_type, row.side, row.line, row.home_score, row.away_score)
        results.append(WON if margin > 0 else LOST if margin < 0 else PUSH)
    return pd.Series(results, index=predictions.index, dtype=object)


def unit_profit(result: pd.Series, decimal_odds: pd.Series) -> pd.Series:
    """Profit of 1 unit at the price taken: d − 1 won, −1 lost, 0 push or void (NaN if unpriced)."""
    odds = pd.to_numeric(decimal_odds, errors="coerce")
    profit = np.select(
        [result == WON, result == LOST, result.isin([PUSH, VOID])], [odds - 1.0, -1.0, 0.0], default=np.nan
    )
    profit = np.where(odds.isna() & result.isin([WON, LOST]), np.nan, profit)
    return pd.Series(profit, index=result.index, dtype=float)


def _utc_instants(values: pd.Series) -> np.ndarray:
    """UTC instants as naive datetime64 (NaT where missing), comparable element-wise."""
    return pd.to_datetime(pd.Series(values), utc=True).dt.tz_convert(None).to_numpy()


def assign_roles(predictions: pd.DataFrame, start_time: pd.Series) -> pd.Series:
    """The role of each prediction of a game and bet type; see the module docstring for the rule."""
    frame = pd.DataFrame({
        "game_id": predictions["game_id"].to_numpy(),
        "bet_type": predictions["bet_type"].to_numpy(),
        "predicted_at": _utc_instants(predictions["predicted_at"]),
        "start_time": _utc_instants(start_time),
        "staked": (pd.to_numeric(predictions["kelly_stake"], errors="coerce").fillna(0.0).to_numpy() > 0)
        & pd.to_numeric(predictions["decimal_odds"], errors="coerce").notna().to_numpy(),
    }, index=predictions.index)
    before = frame["predicted_at"] < frame["start_time"]
    candidates = frame.loc[before & frame["staked"]].sort_values("predicted_at", kind="stable")
    first = candidates.drop_duplicates(["game_id", "bet_type"], keep="first")
    bet_time = frame[["game_id", "bet_type"]].merge(
        first[["game_id", "bet_type", "predicted_at"]].rename(columns={"predicted_at": "bet_at"}),
        on=["game_id", "bet_type"], how="left",
    )["bet_at"].to_numpy()
    roles = np.where(~before, AFTER_KICK_OFF, NO_STAKE).astype(object)
    roles[before.to_numpy() & (frame["predicted_at"].to_numpy() > bet_time)] = REPREDICTION
    roles[frame.index.get_indexer(first.index)] = BET
    return pd.Series(roles, index=predictions.index, dtype=object)


def closing_line_value(predictions: pd.DataFrame, closing: pd.DataFrame) -> pd.DataFrame:
    """Closing line, price and fair probability of each prediction's side, and its CLV.

    ``closing`` is `market.market_lines` of the predictions' games: per game the consensus of each
    book's last snapshot strictly before kick-off.
    """
    merged = predictions[["game_id", "bet_type", "side", "line", "decimal_odds"]].merge(
        closing, on="game_id", how="left", validate="many_to_one"
    )
    n = len(merged)
    line, price, probability = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for (bet_type, side), rows in merged.groupby(["bet_type", "side"]).groups.items():
        line_column, price_column, probability_column, flip = _CLOSING[bet_type][side]
        position = merged.index.get_indexer(rows)
        if line_column is not None and line_column in merged:
            values = merged.loc[rows, line_column].to_numpy(dtype=float)
            # Spreads are stored as the home line; the away side's line is its negation.
            line[position] = -values if (bet_type == "spread" and side == "away") else values
        if price_column in merged:
            price[position] = merged.loc[rows, price_column].to_numpy(dtype=float)
        if probability_column in merged:
            fair = merged.loc[rows, probability_column].to_numpy(dtype=float)
            probability[position] = 1.0 - fair if flip else fair
    taken_probability = 1.0 / merged["decimal_odds"].to_numpy(dtype=float)
    taken_line = merged["line"].to_numpy(dtype=float)
    bet_type, side = merged["bet_type"].to_numpy(), merged["side"].to_numpy()
    line_points = np.where(bet_type == "spread", taken_line - line,
                           np.where(side == "over", line - taken_line,
                                    np.where(side == "under", taken_line - line, np.nan)))
    return pd.DataFrame({
        "closing_line": line,
        "closing_price_american": price,
        "closing_probability": probability,
        "clv_probability": probability - taken_probability,
        "clv_line_points": line_points,
    }, index=predictions.index)


def settle(predictions: pd.DataFrame, games: pd.DataFrame, closing: pd.DataFrame) -> pd.DataFrame:
    """Every prediction of a decided game with its result, role, profit and closing-line value.

    Predictions of games still to be decided are left out (they are settled on a later run).
    Returns the prediction columns followed by `SETTLEMENT_COLUMNS`.
    """
    _missing(predictions, PREDICTION_INPUT_COLUMNS, "prediction")
    _missing(games, GAME_INPUT_COLUMNS, "game")
    predictions = predictions.reset_index(drop=True)
    scores = predictions[["game_id"]].merge(games[GAME_INPUT_COLUMNS], on="game_id", how="left")
    settled = predictions.copy()
    settled["result"] = grade(predictions, games)
    settled["role"] = assign_roles(predictions, scores["start_time"])
    settled["units"] = unit_profit(settled["result"], settled["decimal_odds"])
    settled["kelly_return"] = pd.to_numeric(settled["kelly_stake"], errors="coerce").fillna(0.0) * settled["units"]
    settled["home_score"] = scores["home_score"].to_numpy(dtype=float)
    settled["away_score"] = scores["away_score"].to_numpy(dtype=float)
    settled = pd.concat([settled, closing_line_value(predictions, closing)], axis=1)
    return settled.loc[settled["result"].notna()].reset_index(drop=True)

