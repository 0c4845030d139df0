"""The ledger: how the bets fared, overall, per signal tier and per bet type.

Only settled predictions whose role is ``bet`` count (see `settlement` for which prediction of a
game is the bet). Per group:

- ``bets``: won + lost + push (a void never stood); ``hit_rate`` = won / (won + lost) with its 95 %
  Wilson interval (pushes are neither);
- ``units`` and ``roi``: profit staking 1 unit per bet at the price taken, and units / bets;
- Kelly: each bet stakes its stored Kelly share of the bankroll as it stands after every earlier
  bet, in kick-off order — the compounding rule of the walk-forward backtest
  (`backtest.replay`), so the two can be read side by side; ``kelly_bankroll`` is the final
  bankroll from 100 and ``kelly_max_drawdown`` the largest fall from a peak;
- ``mean_clv_probability`` (de-vigged closing probability minus the implied probability taken) and
  ``mean_clv_line_points`` (spreads and totals) over the bets that have a closing snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from royaley_pipeline.domain.backtest import max_drawdown, wilson_interval
from royaley_pipeline.domain.settlement import BET, LOST, PUSH, VOID, WON
from royaley_pipeline.domain.staking import NO_SIGNAL_TIER, TIER_NAMES
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.sports import BET_TYPES, check_bet_type, get_sport

TIERS = (*TIER_NAMES, NO_SIGNAL_TIER)

STARTING_BANKROLL = 100.0
ORDER_COLUMNS = ["start_time", "game_id", "bet_type"]
LEDGER_COLUMNS = [
    "group", "bets", "won", "lost", "push", "void", "hit_rate", "hit_rate_low", "hit_rate_high",
    "units", "roi", "kelly_bankroll", "kelly_max_drawdown", "mean_clv_probability",
    "mean_clv_line_points", "clv_bets",
]


@dataclass(frozen=True)
class LedgerFilter:
    """Which settled bets a ledger covers (the CLI's flags and the API's query, validated once).

    ``sport`` None means every sport. A bad value raises BadRequest naming the field.
    """

    sport: str | None = None
    since: date | None = None
    until: date | None = None
    tier: str | None = None
    bet_type: str | None = None

    def __post_init__(self) -> None:
        if self.sport is not None:
            object.__setattr__(self, "sport", get_sport(self.sport).code)
        if self.since and self.until and self.since > self.until:
            raise BadRequest(f"since {self.since} is after until {self.until}")
        if self.tier is not None:
            tier = self.tier.upper()
            if tier not in TIERS:
                raise BadRequest(f"tier {self.tier!r} is not one of {', '.join(TIERS)}")
            object.__setattr__(self, "tier", tier)
        if self.bet_type is not None:
            if self.bet_type not in BET_TYPES:
                raise BadRequest(f"bet type {self.bet_type!r} is not one of {', '.join(BET_TYPES)}")
            if self.sport is not None:
                check_bet_type(get_sport(self.sport), self.bet_type)


def counted_bets(settlements: pd.DataFrame) -> pd.DataFrame:
    """The settled predictions that are bets, in kick-off order."""
    bets = settlements.loc[settlements["role"] == BET]
    order = [column for column in ORDER_COLUMNS if column in bets]
    return bets.sort_values(order, kind="stable").reset_index(drop=True)


def bankroll_curve(bets: pd.DataFrame, starting_bankroll: float = STARTING_BANKROLL) -> pd.DataFrame:
    """Bankroll after each bet (Kelly, compounding) and cumulative flat units, in kick-off order.

    ``bets`` must already be in order (`counted_bets`); voids leave both curves where they were.
    """
    units = bets["units"].fillna(0.0).to_numpy(dtype=float)
    stakes = bets["kelly_stake"].fillna(0.0).to_numpy(dtype=float)
    kelly = starting_bankroll * np.cumprod(1.0 + stakes * units)
    curve = pd.DataFrame({"bet": np.arange(1, len(bets) + 1), "units": np.cumsum(units), "kelly_bankroll": kelly})
    for column in ("start_time", "game_date", "bet_type", "tier"):
        if column in bets:
            curve[column] = bets[column].to_numpy()
    return curve


def summarise(bets: pd.DataFrame, group: str, starting_bankroll: float = STARTING_BANKROLL) -> dict:
    """One ledger row for ``bets`` (already counted and ordered)."""
    result = bets["result"]
    won, lost, push, void = (int((result == r).sum()) for r in (WON, LOST, PUSH, VOID))
    graded = won + lost + push
    low, high = wilson_interval(won, won + lost)
    standing = bets.loc[result != VOID]
    units = float(standing["units"].fillna(0.0).sum())
    curve = bankroll_curve(bets, starting_bankroll)
    clv = standing["clv_probability"].dropna()
    line_points = standing["clv_line_points"].dropna()
    return {
        "group": group,
        "bets": graded,
        "won": won,
        "lost": lost,
        "push": push,
        "void": void,
        "hit_rate": won / (won + lost) if won + lost else float("nan"),
        "hit_rate_low": low,
        "hit_rate_high": high,
        "units": units,
        "roi": units / graded if graded else float("nan"),
        "kelly_bankroll": float(curve["kelly_bankroll"].iloc[-1]) if len(curve) else starting_bankroll,
        "kelly_max_drawdown": max_drawdown(np.concatenate([[starting_bankroll], curve["kelly_bankroll"]])),
        "mean_clv_probability": float(clv.mean()) if len(clv) else float("nan"),
        "mean_clv_line_points": float(line_points.mean()) if len(line_points) else float("nan"),
        "clv_bets": int(len(clv)),
    }


def ledger(settlements: pd.DataFrame, starting_bankroll: float = STARTING_BANKROLL) -> pd.DataFrame:
    """Rows ``all``, then ``tier A`` … and ``moneyline`` …: one bankroll per group, from 100."""
    bets = counted_bets(settlements)
    rows = [summarise(bets, "all", starting_bankroll)]
    for tier in sorted(bets["tier"].dropna().unique()):
        rows.append(summarise(bets.loc[bets["tier"] == tier].reset_index(drop=True), f"tier {tier}",
                              starting_bankroll))
    for bet_type in sorted(bets["bet_type"].dropna().unique()):
        rows.append(summarise(bets.loc[bets["bet_type"] == bet_type].reset_index(drop=True), bet_type,
                              starting_bankroll))
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def ledger_markdown(table: pd.DataFrame) -> str:
    """The ledger as a markdown table, rates in per cent and CLV in probability points."""
    if table.empty or int(table["bets"].iloc[0]) == 0 and int(table["void"].iloc[0]) == 0:
        return "_no settled bets_"
    shown = pd.DataFrame({
        "group": table["group"],
        "bets": table["bets"],
        "W-L-P": table["won"].astype(str) + "-" + table["lost"].astype(str) + "-" + table["push"].astype(str),
        "hit rate (95% CI)": [
            "–" if np.isnan(rate) else f"{rate:.1%} ({low:.1%}–{high:.1%})"
            for rate, low, high in zip(table["hit_rate"], table["hit_rate_low"], table["hit_rate_high"], strict=True)
        ],
        "units": table["units"].map(lambda v: f"{v:+.2f}"),
        "ROI": table["roi"].map(lambda v: "–" if np.isnan(v) else f"{v:+.1%}"),
        "Kelly bankroll": table["kelly_bankroll"].map(lambda v: f"{v:.2f}"),
        "max drawdown": table["kelly_max_drawdown"].map(lambda v: f"{v:.1%}"),
        "CLV (prob. pts)": table["mean_clv_probability"].map(lambda v: "–" if np.isnan(v) else f"{100 * v:+.2f}"),
        "CLV (line pts)": table["mean_clv_line_points"].map(lambda v: "–" if np.isnan(v) else f"{v:+.2f}"),
    })
    return shown.to_markdown(index=False, disable_numparse=True)
