"""The path of a game's odds from its opener to its closer, as timestamped snapshots.

History gives at most two points per market side: an opening line (nfelo, for NFL spreads and
totals since 2009) and a closing line. A replay of the daily loop needs what a collector would
have seen on each day before kick-off, so the market is laid out as snapshots at fixed leads
before kick-off: the opener at the first lead, the closer at the last, and the ones between
moved from opener to closer in proportion to the time elapsed. Lines move on half points, as
books quote them; prices move in implied probability, the scale on which a price change means the
same at +300 as at −300. A side without an opener stays at its closer on every snapshot (the
history does not say how it moved, and inventing a move would be worse than showing none). No
snapshot is ever at or after kick-off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import american_to_decimal, decimal_to_american

# Leads before kick-off: the opener a week out (nfelo's "open" is the early-week line), then
# three days, a day, the morning of the game and the close a minute before kick-off.
SNAPSHOT_LEADS = (
    pd.Timedelta(days=6),
    pd.Timedelta(days=3),
    pd.Timedelta(days=1),
    pd.Timedelta(hours=8),
    pd.Timedelta(minutes=1),
)
MARKET_SIDE_KEY = ["game_key", "market", "side"]


def snapshot_path(
    points: pd.DataFrame, start_times: pd.Series, leads: tuple[pd.Timedelta, ...] = SNAPSHOT_LEADS
) -> pd.DataFrame:
    """Snapshots of every market side of every game along ``leads`` (longest lead first).

    ``points`` has one row per ``game_key``, ``market``, ``side`` with ``close_line``,
    ``close_price`` (American) and optional ``open_line``, ``open_price`` (NaN where unknown);
    ``start_times`` maps ``game_key`` to kick-off (UTC). Returns ``game_key``, ``market``, ``side``,
    ``captured_at``, ``line`` (NaN for moneylines), ``price`` (American, whole numbers).
    """
    if len(leads) < 2 or list(leads) != sorted(leads, reverse=True) or leads[-1] <= pd.Timedelta(0):
        raise ValueError("leads must be positive, longest first, at least an opener and a closer")
    if points.empty:
        return pd.DataFrame(columns=[*MARKET_SIDE_KEY, "captured_at", "line", "price"])
    span = (leads[0] - leads[-1]).total_seconds()
    weights = [(leads[0] - lead).total_seconds() / span for lead in leads]  # 0 at the opener, 1 at the close
    kickoff = points["game_key"].map(start_times)
    if kickoff.isna().any():
        raise ValueError(f"no start time for {points.loc[kickoff.isna(), 'game_key'].iloc[0]!r}")
    close_probability = 1.0 / np.asarray(american_to_decimal(points["close_price"]), dtype=float)
    open_probability = 1.0 / np.asarray(american_to_decimal(points.get("open_price", np.nan)), dtype=float)
    open_probability = np.where(np.isnan(open_probability), close_probability, open_probability)
    close_line = points["close_line"].to_numpy(dtype=float)
    open_line = points.get("open_line", pd.Series(np.nan, index=points.index)).to_numpy(dtype=float)
    open_line = np.where(np.isnan(open_line), close_line, open_line)
    frames = []
    for lead, weight in zip(leads, weights, strict=True):
        line = open_line + weight * (close_line - open_line)
        probability = open_probability + weight * (close_probability - open_probability)
        price = np.asarray(decimal_to_american(1.0 / probability), dtype=float)
        frames.append(
            pd.DataFrame(
                {
                    "game_key": points["game_key"].to_numpy(),
                    "market": points["market"].to_numpy(),
                    "side": points["side"].to_numpy(),
                    "captured_at": (kickoff - lead).to_numpy(),
                    "line": np.round(line * 2.0) / 2.0 + 0.0,
                    "price": _whole_american(price),
                    "step": len(frames),
                }
            )
        )
    path = pd.concat(frames, ignore_index=True)
    # The ends are the history itself, not a rounding of it.
    last = path["step"] == len(leads) - 1
    path.loc[last, "line"] = np.tile(close_line, 1)
    path.loc[last, "price"] = points["close_price"].to_numpy(dtype=float)
    first = path["step"] == 0
    path.loc[first, "line"] = open_line
    has_open_price = points.get("open_price", pd.Series(np.nan, index=points.index)).notna().to_numpy()
    path.loc[first & np.tile(has_open_price, len(leads)), "price"] = points.loc[has_open_price, "open_price"].to_numpy(
        dtype=float
    )
    path["captured_at"] = pd.to_datetime(path["captured_at"], utc=True)
    path = path.sort_values([*MARKET_SIDE_KEY, "captured_at"], kind="stable").drop(columns="step")
    return path.reset_index(drop=True)


def _whole_american(price: np.ndarray) -> np.ndarray:
    """American prices as books print them: whole numbers, never strictly between −100 and +100."""
    rounded = np.round(price)
    return np.where((rounded > -100) & (rounded < 100), np.where(rounded < 0, -100.0, 100.0), rounded)
