"""Backtest of the betting policy on walk-forward forecasts: what the staking rules would have done.

Every forecast here is out-of-fold (made by a model that never saw its season), and every bet is
placed at the closing price the forecast was compared with. Two staking rules are replayed in
kick-off order: one unit flat per bet, and fractional Kelly on a compounding bankroll. Results
are given per signal tier, because a policy that only pays in tier A should only bet tier A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import american_to_decimal
from royaley_pipeline.domain.staking import NO_SIGNAL_TIER, TIER_NAMES, kelly_stake, signal_tier

BET_COLUMNS = ("start_time", "probability", "label", "event_decimal_odds", "other_decimal_odds")
Z_95 = 1.959964


def wilson_interval(hits: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """95% Wilson score interval for a hit rate: honest near 50% and for a few hundred bets."""
    if n <= 0:
        return float("nan"), float("nan")
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def pick_hit_rate(outcomes, probabilities) -> dict[str, float]:
    """Hit rate of picking the event when p ≥ 0.5 (the ATS or over/under record), with its interval."""
    y = np.asarray(outcomes, dtype=int)
    picks = np.asarray(probabilities, dtype=float) >= 0.5
    n, hits = int(y.size), int((picks == y.astype(bool)).sum())
    low, high = wilson_interval(hits, n)
    return {"n": n, "hits": hits, "hit_rate": hits / n if n else float("nan"), "low": low, "high": high}


def choose_bets(
    games: pd.DataFrame,
    thresholds: tuple[float, float, float] | None = None,
) -> pd.DataFrame:
    """The side each game would be bet on, its edge, tier and whether it won.

    ``games`` holds, per game, the forecast probability of the modelled event (home win, home
    cover, over), the label (1 when it happened) and decimal closing odds for the event and the
    other side. The side with the larger edge is chosen; games whose best edge grades below tier C
    are kept with tier "D" (no bet).
    """
    missing = [column for column in BET_COLUMNS if column not in games.columns]
    if missing:
        raise KeyError(f"backtest needs columns {missing}")
    frame = games.sort_values("start_time", kind="stable").reset_index(drop=True)
    p = frame["probability"].to_numpy(dtype=float)
    event_odds = frame["event_decimal_odds"].to_numpy(dtype=float)
    other_odds = frame["other_decimal_odds"].to_numpy(dtype=float)
    event_edge = p * event_odds - 1.0
    other_edge = (1.0 - p) * other_odds - 1.0
    back_event = np.nan_to_num(event_edge, nan=-np.inf) >= np.nan_to_num(other_edge, nan=-np.inf)
    edge = np.where(back_event, event_edge, other_edge)
    kwargs = {"thresholds": thresholds} if thresholds else {}
    bets = pd.DataFrame({
        "start_time": frame["start_time"].to_numpy(),
        "season": frame["season"].to_numpy() if "season" in frame else np.nan,
        "side": np.where(back_event, "event", "other"),
        "side_probability": np.where(back_event, p, 1.0 - p),
        "decimal_odds": np.where(back_event, event_odds, other_odds),
        "edge": edge,
        "tier": signal_tier(edge, **kwargs),
        "won": np.where(back_event, frame["label"].to_numpy() == 1, frame["label"].to_numpy() == 0),
    })
    if "line_move_toward_event" in frame:
        move = frame["line_move_toward_event"].to_numpy(dtype=float)
        bets["closing_line_value"] = np.where(back_event, move, -move)
    return bets


def max_drawdown(curve: np.ndarray | pd.Series) -> float:
    """Largest fall from a running peak, as a share of that peak (0 when the curve never falls)."""
    values = np.asarray(curve, dtype=float)
    if values.size == 0:
        return 0.0
    peaks = np.maximum.accumulate(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        falls = np.where(peaks > 0, (peaks - values) / peaks, 0.0)
    return float(np.max(falls))


@dataclass
class BacktestResult:
    summary: pd.DataFrame  # one row per tier selection (A, A+B, A+B+C) × staking rule
    curves: pd.DataFrame  # bankroll after each bet, per selection and rule, in kick-off order
    bets: pd.DataFrame  # every game with its chosen side, edge, tier and result


def replay(
    bets: pd.DataFrame, kelly_fraction: float = 0.25, kelly_cap: float = 0.05, starting_bankroll: float = 100.0
) -> tuple[dict[str, float], pd.DataFrame]:
    """Flat (1 unit) and fractional-Kelly staking over ``bets`` in order; summary and curves."""
    won = bets["won"].to_numpy(dtype=bool)
    odds = bets["decimal_odds"].to_numpy(dtype=float)
    flat_profit = np.where(won, odds - 1.0, -1.0)
    flat_curve = starting_bankroll + np.cumsum(flat_profit)
    fractions = np.asarray(kelly_stake(bets["side_probability"].to_numpy(), odds, kelly_fraction, kelly_cap))
    growth = np.where(won, 1.0 + fractions * (odds - 1.0), 1.0 - fractions)
    kelly_curve = starting_bankroll * np.cumprod(growth)
    staked_kelly = fractions * np.concatenate([[starting_bankroll], kelly_curve[:-1]])
    kelly_profit = (kelly_curve[-1] - starting_bankroll) if len(kelly_curve) else 0.0
    n = len(bets)
    low, high = wilson_interval(int(won.sum()), n)
    clv = bets["closing_line_value"].dropna() if "closing_line_value" in bets else pd.Series(dtype=float)
    summary = {
        "bets": n,
        "hit_rate": float(won.mean()) if n else float("nan"),
        "hit_rate_low": low,
        "hit_rate_high": high,
        "flat_roi": float(flat_profit.sum() / n) if n else float("nan"),
        "flat_units": float(flat_profit.sum()),
        "flat_max_drawdown": max_drawdown(np.concatenate([[starting_bankroll], flat_curve])),
        "kelly_roi": float(kelly_profit / staked_kelly.sum()) if staked_kelly.sum() > 0 else float("nan"),
        "kelly_final_bankroll": float(kelly_curve[-1]) if n else starting_bankroll,
        "kelly_max_drawdown": max_drawdown(np.concatenate([[starting_bankroll], kelly_curve])),
        "mean_closing_line_value": float(clv.mean()) if len(clv) else float("nan"),
        "clv_bets": int(len(clv)),
    }
    curves = pd.DataFrame({"bet": np.arange(1, n + 1), "flat": flat_curve, "kelly": kelly_curve})
    return summary, curves


def backtest(
    games: pd.DataFrame,
    kelly_fraction: float = 0.25,
    kelly_cap: float = 0.05,
    starting_bankroll: float = 100.0,
) -> BacktestResult:
    """Replay the policy for bets of tier A only, A and B, and A to C (every signalled bet)."""
    bets = choose_bets(games)
    rows, curves = [], []
    for depth in range(1, len(TIER_NAMES) + 1):
        tiers = TIER_NAMES[:depth]
        label = "+".join(tiers)
        selected = bets[bets["tier"].isin(tiers)].reset_index(drop=True)
        summary, curve = replay(selected, kelly_fraction, kelly_cap, starting_bankroll)
        rows.append({"tiers": label, **summary})
        curves.append(curve.assign(tiers=label))
    return BacktestResult(pd.DataFrame(rows), pd.concat(curves, ignore_index=True), bets)


def decimal_odds_or_standard(american: pd.Series, standard: float = -110.0) -> pd.Series:
    """Decimal odds from American prices; a missing spread or total price is taken as -110."""
    prices = pd.to_numeric(american, errors="coerce").fillna(standard)
    return pd.Series(american_to_decimal(prices.to_numpy()), index=american.index, dtype=float)


__all__ = ["NO_SIGNAL_TIER", "BacktestResult", "backtest", "choose_bets", "max_drawdown", "pick_hit_rate",
           "replay", "wilson_interval"]
