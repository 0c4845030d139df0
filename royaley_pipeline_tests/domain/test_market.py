import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.market import best_available_prices, empty_snapshots, market_lines

KICK_OFF = pd.Timestamp("2024-09-08 17:00", tz="UTC")


def _games(*game_ids):
    return pd.DataFrame({"game_id": list(game_ids), "start_time": [KICK_OFF] * len(game_ids)})


def _snapshot(game_id, book, market, side, line, price, hours_before):
    return (game_id, book, market, side, line, price, KICK_OFF - pd.Timedelta(hours=hours_before))


def _snapshots(rows):
    return pd.DataFrame(rows, columns=["game_id", "book", "market", "side", "line", "price", "captured_at"])


def test_opening_and_closing_are_each_books_first_and_last_pre_game_snapshots():
    snapshots = _snapshots([
        _snapshot(1, "a", "spread", "home", -3.0, -110, 72),
        _snapshot(1, "a", "spread", "away", 3.0, -110, 72),
        _snapshot(1, "a", "spread", "home", -4.5, -105, 1),
        _snapshot(1, "a", "spread", "away", 4.5, -115, 1),
        _snapshot(1, "a", "spread", "home", -7.0, -110, 0),      # at kick-off: ignored
        _snapshot(1, "a", "spread", "home", -10.0, -110, -2),    # live odds: ignored
        _snapshot(1, "a", "total", "over", 44.0, -110, 48),
        _snapshot(1, "a", "total", "under", 44.0, -110, 48),
        _snapshot(1, "a", "total", "over", 42.5, -120, 2),
        _snapshot(1, "a", "total", "under", 42.5, 100, 2),
        _snapshot(1, "a", "moneyline", "home", np.nan, -180, 50),
        _snapshot(1, "a", "moneyline", "away", np.nan, 160, 50),
        _snapshot(1, "a", "moneyline", "home", np.nan, -220, 3),
        _snapshot(1, "a", "moneyline", "away", np.nan, 190, 3),
    ])
    row = market_lines(_games(1), snapshots).iloc[0]
    assert row["opening_spread_home"] == -3.0
    assert row["closing_spread_home"] == -4.5
    assert row["spread_movement"] == -1.5
    assert row["closing_spread_home_price"] == pytest.approx(-105)
    assert row["closing_spread_away_price"] == pytest.approx(-115)
    assert (row["opening_total"], row["closing_total"], row["total_movement"]) == (44.0, 42.5, -1.5)
    assert row["closing_over_price"] == pytest.approx(-120)
    assert row["closing_under_price"] == pytest.approx(100)
    assert row["opening_moneyline_home"] == pytest.approx(-180)
    assert row[["opening_spread_available", "opening_total_available", "opening_moneyline_available"]].eq(1.0).all()
    assert row["closing_moneyline_home"] == pytest.approx(-220)
    assert row["closing_moneyline_away"] == pytest.approx(190)
    implied_home, implied_away = 220 / 320, 100 / 290
    assert row["market_home_win_probability"] == pytest.approx(implied_home / (implied_home + implied_away))
    implied_over, implied_under = 120 / 220, 0.5
    assert row["market_over_probability"] == pytest.approx(implied_over / (implied_over + implied_under))


def test_a_book_seen_once_has_no_opener_so_opening_and_movement_are_missing_and_flagged():
    """A closing-line file (one snapshot per book) must not pose as an opener with zero movement."""
    snapshots = _snapshots([
        _snapshot(1, "closing_file", "spread", "home", -4.5, -110, 0.1),
        _snapshot(1, "closing_file", "spread", "away", 4.5, -110, 0.1),
        _snapshot(1, "closing_file", "total", "over", 42.5, -110, 0.1),
        _snapshot(1, "closing_file", "total", "under", 42.5, -110, 0.1),
        _snapshot(1, "closing_file", "moneyline", "home", np.nan, -220, 0.1),
        _snapshot(1, "closing_file", "moneyline", "away", np.nan, 190, 0.1),
        # game 2: a second book moved from −3 to −4 (an opener), the closing file saw −4.5 once
        _snapshot(2, "closing_file", "spread", "home", -4.5, -110, 0.1),
        _snapshot(2, "mover", "spread", "home", -3.0, -110, 72),
        _snapshot(2, "mover", "spread", "home", -4.0, -110, 1),
    ])
    lines = market_lines(_games(1, 2), snapshots).set_index("game_id")
    first = lines.loc[1]
    assert (first["closing_spread_home"], first["closing_total"]) == (-4.5, 42.5)
    assert first["closing_moneyline_home"] == pytest.approx(-220)
    for column in ("opening_spread_home", "spread_movement", "opening_total", "total_movement",
                   "opening_moneyline_home", "opening_moneyline_away", "opening_home_win_probability",
                   "moneyline_probability_movement"):
        assert np.isnan(first[column]), column
    assert (first["opening_spread_available"], first["opening_total_available"],
            first["opening_moneyline_available"]) == (0.0, 0.0, 0.0)
    second = lines.loc[2]
    assert second["opening_spread_home"] == -3.0  # only the book seen twice opens
    assert second["closing_spread_home"] == pytest.approx(-4.25)  # both books close
    assert second["spread_movement"] == pytest.approx(-1.25)
    assert (second["opening_spread_available"], second["opening_total_available"]) == (1.0, 0.0)


def test_consensus_is_the_median_across_books():
    snapshots = _snapshots([
        _snapshot(1, "a", "spread", "home", -3.0, -110, 1),
        _snapshot(1, "b", "spread", "home", -3.5, -110, 1),
        _snapshot(1, "c", "spread", "home", -6.0, -110, 2),       # off-market book does not drag it
        _snapshot(1, "a", "moneyline", "home", np.nan, -105, 1),
        _snapshot(1, "b", "moneyline", "home", np.nan, 105, 1),
        _snapshot(1, "a", "moneyline", "away", np.nan, -115, 1),
        _snapshot(1, "b", "moneyline", "away", np.nan, -105, 1),
    ])
    row = market_lines(_games(1), snapshots).iloc[0]
    assert row["closing_spread_home"] == -3.5
    # median in decimal odds: 1.952 and 2.05 → 2.001 ≈ +100, not the American midpoint 0
    assert row["closing_moneyline_home"] == pytest.approx(100.1, abs=0.2)


def test_missing_spread_prices_are_minus_110_and_a_coin_flip():
    snapshots = _snapshots([
        _snapshot(1, "a", "spread", "home", -3.0, np.nan, 1),
        _snapshot(1, "a", "spread", "away", 3.0, np.nan, 1),
        _snapshot(1, "a", "total", "over", 47.0, np.nan, 1),
        _snapshot(1, "a", "total", "under", 47.0, np.nan, 1),
    ])
    row = market_lines(_games(1), snapshots).iloc[0]
    assert row["closing_spread_home_price"] == pytest.approx(-110)
    assert row["market_home_cover_probability"] == pytest.approx(0.5)
    assert row["market_over_probability"] == pytest.approx(0.5)
    assert np.isnan(row["market_home_win_probability"])


def test_an_away_only_quote_gives_the_home_line_with_the_sign_flipped():
    snapshots = _snapshots([_snapshot(1, "a", "spread", "away", 2.5, -110, 1)])
    assert market_lines(_games(1), snapshots).iloc[0]["closing_spread_home"] == -2.5


def test_games_without_pre_game_snapshots_get_missing_lines_not_zeros():
    snapshots = _snapshots([_snapshot(1, "a", "spread", "home", -3.0, -110, -1)])
    lines = market_lines(_games(1, 2), snapshots)
    flags = ["opening_spread_available", "opening_total_available", "opening_moneyline_available"]
    assert list(lines["game_id"]) == [1, 2]
    assert lines.drop(columns=["game_id", *flags]).isna().all(axis=None)
    assert lines[flags].eq(0.0).all(axis=None)
    assert market_lines(_games(3), empty_snapshots()).drop(columns=["game_id", *flags]).isna().all(axis=None)
    assert market_lines(_games(3), None).shape[0] == 1


def test_best_available_price_is_the_highest_decimal_among_latest_book_prices():
    snapshots = _snapshots([
        _snapshot(1, "a", "moneyline", "home", np.nan, -150, 10),
        _snapshot(1, "a", "moneyline", "home", np.nan, -160, 5),     # a's latest as of now
        _snapshot(1, "b", "moneyline", "home", np.nan, -155, 8),
        _snapshot(1, "b", "moneyline", "home", np.nan, -120, 3),     # after as_of: not yet known
        _snapshot(1, "a", "moneyline", "away", np.nan, 130, 5),
        _snapshot(1, "b", "moneyline", "away", np.nan, 140, 8),
        _snapshot(1, "a", "spread", "home", -3.0, np.nan, 5),        # missing price = -110
        _snapshot(1, "b", "spread", "home", -3.5, -105, 5),
    ])
    as_of = KICK_OFF - pd.Timedelta(hours=4)
    best = best_available_prices(_games(1), snapshots, as_of).set_index(["market", "side"])
    assert best.loc[("moneyline", "home"), "book"] == "b"
    assert best.loc[("moneyline", "home"), "price_american"] == -155
    assert best.loc[("moneyline", "away"), "book"] == "b"
    assert best.loc[("moneyline", "away"), "decimal_odds"] == pytest.approx(2.4)
    assert best.loc[("spread", "home"), "book"] == "b"
    assert best.loc[("spread", "home"), "line"] == -3.5
    assert list(best.reset_index().columns) == [
        "market", "side", "game_id", "line", "price_american", "decimal_odds", "book"]


def test_best_available_price_never_uses_snapshots_from_after_kick_off():
    snapshots = _snapshots([
        _snapshot(1, "a", "moneyline", "home", np.nan, -150, 1),
        _snapshot(1, "b", "moneyline", "home", np.nan, 500, -1),
    ])
    best = best_available_prices(_games(1), snapshots, KICK_OFF + pd.Timedelta(days=1))
    assert list(best["book"]) == ["a"]
    naive_as_of = best_available_prices(_games(1), snapshots, pd.Timestamp("2024-09-08 16:00"))
    assert list(naive_as_of["price_american"]) == [-150]
