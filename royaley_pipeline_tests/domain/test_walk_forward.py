"""Season folds never train on the season they test, nor on anything after it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from royaley_pipeline.domain.walk_forward import SeasonFold, season_folds, training_seasons_before


def test_expanding_folds_grow_one_season_at_a_time():
    folds = season_folds([2018, 2019, 2020, 2021, 2019], first_test_season=2020)
    assert folds == [SeasonFold((2018, 2019), 2020), SeasonFold((2018, 2019, 2020), 2021)]
    train, test = folds[0]
    assert test == 2020 and train == (2018, 2019)


def test_sliding_folds_keep_the_latest_present_seasons():
    folds = season_folds([2015, 2016, 2018, 2019], first_test_season=2018, window="sliding", window_seasons=2)
    assert folds == [SeasonFold((2015, 2016), 2018), SeasonFold((2016, 2018), 2019)]


def test_seasons_without_enough_history_are_skipped():
    assert season_folds([2020, 2021], first_test_season=2020) == [SeasonFold((2020,), 2021)]
    assert season_folds([2019, 2020, 2021], first_test_season=2020, min_train_seasons=2) == [
        SeasonFold((2019, 2020), 2021)
    ]
    assert season_folds([2020], first_test_season=2020) == []


def test_production_seasons_use_the_same_window():
    assert training_seasons_before([2019, 2020, 2021], 2022) == (2019, 2020, 2021)
    assert training_seasons_before([2019, 2020, 2021], 2022, "sliding", 1) == (2021,)


@pytest.mark.parametrize(
    ("window", "window_seasons"), [("rolling", None), ("sliding", None), ("sliding", 0), ("expanding", 3)]
)
def test_bad_windows_are_refused(window, window_seasons):
    with pytest.raises(ValueError, match="window"):
        season_folds([2020, 2021], 2021, window=window, window_seasons=window_seasons)


@given(
    seasons=st.lists(st.integers(1990, 2030), min_size=1, max_size=30),
    first_test_season=st.integers(1990, 2030),
    window_seasons=st.one_of(st.none(), st.integers(1, 5)),
)
def test_no_fold_ever_trains_on_its_test_season_or_later(seasons, first_test_season, window_seasons):
    window = "expanding" if window_seasons is None else "sliding"
    folds = season_folds(seasons, first_test_season, window, window_seasons)
    assert [fold.test_season for fold in folds] == sorted(
        s for s in set(seasons) if s >= first_test_season and s > min(seasons)
    )
    for train, test in folds:
        assert train and max(train) < test
        assert list(train) == sorted(set(train))
        if window_seasons is not None:
            assert len(train) <= window_seasons
