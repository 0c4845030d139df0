"""The odds path from opener to closer: ends from the history, moves in between, none after kick-off."""

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.odds import implied_probability
from royaley_pipeline.domain.odds_path import SNAPSHOT_LEADS, snapshot_path

KICKOFF = pd.Timestamp("2024-10-06 17:00", tz="UTC")


def _points(**overrides):
    row = {"game_key": "g1", "market": "spread", "side": "home", "close_line": -6.5, "close_price": -105.0,
           "open_line": -3.0, "open_price": -115.0}
    row.update(overrides)
    return pd.DataFrame([row])


def test_ends_are_the_history_and_the_middle_moves_between_them():
    path = snapshot_path(_points(), pd.Series({"g1": KICKOFF}))
    assert len(path) == len(SNAPSHOT_LEADS)
    assert path["captured_at"].is_monotonic_increasing
    assert (path["captured_at"] < KICKOFF).all()
    assert path["captured_at"].iloc[0] == KICKOFF - SNAPSHOT_LEADS[0]
    assert path["captured_at"].iloc[-1] == KICKOFF - SNAPSHOT_LEADS[-1]
    assert (path["line"].iloc[0], path["price"].iloc[0]) == (-3.0, -115.0)
    assert (path["line"].iloc[-1], path["price"].iloc[-1]) == (-6.5, -105.0)
    assert path["line"].is_monotonic_decreasing  # opener -3 → closer -6.5, never overshooting
    assert ((path["line"] * 2) % 1 == 0).all()  # half points
    probabilities = implied_probability(path["price"].to_numpy())
    assert np.all(np.diff(probabilities) <= 1e-12)  # -115 → -105: the price drifts one way
    assert ((path["price"] <= -100) | (path["price"] >= 100)).all()


def test_a_side_without_an_opener_stays_at_its_closer():
    points = _points(market="moneyline", side="away", close_line=np.nan, close_price=180.0,
                     open_line=np.nan, open_price=np.nan)
    path = snapshot_path(points, pd.Series({"g1": KICKOFF}))
    assert path["price"].tolist() == [180.0] * len(SNAPSHOT_LEADS)
    assert path["line"].isna().all()


def test_home_and_away_spreads_stay_mirror_images():
    points = pd.concat([_points(), _points(side="away", close_line=6.5, open_line=3.0, close_price=-115.0,
                                           open_price=-105.0)], ignore_index=True)
    path = snapshot_path(points, pd.Series({"g1": KICKOFF}))
    home = path[path["side"] == "home"].set_index("captured_at")["line"]
    away = path[path["side"] == "away"].set_index("captured_at")["line"]
    assert (home + away == 0).all()


def test_leads_must_run_from_opener_to_a_close_before_kick_off():
    with pytest.raises(ValueError, match="leads"):
        snapshot_path(_points(), pd.Series({"g1": KICKOFF}), leads=(pd.Timedelta(hours=1), pd.Timedelta(0)))
    with pytest.raises(ValueError, match="no start time"):
        snapshot_path(_points(), pd.Series({"other": KICKOFF}))
