"""Walk-forward splits by season: the only honest way to validate a model that bets the future.

Random splits let a model learn from games played after the ones it is scored on; a season
split keeps every training game strictly before the test season.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

Window = Literal["expanding", "sliding"]


class SeasonFold(NamedTuple):
    """Seasons to train on, and the single later season to test on."""

    train_seasons: tuple[int, ...]
    test_season: int


def training_seasons_before(
    seasons: Iterable[int],
    season: int,
    window: Window = "expanding",
    window_seasons: int | None = None,
) -> tuple[int, ...]:
    """Seasons present in the data that may train a model for ``season``.

    A sliding window counts seasons present in the data, not calendar years, so a season lost
    to a strike or a data gap does not silently shrink the training set.
    """
    _check_window(window, window_seasons)
    earlier = sorted({int(s) for s in seasons if int(s) < season})
    if window == "sliding":
        earlier = earlier[-window_seasons:]  # type: ignore[operator]
    return tuple(earlier)


def season_folds(
    seasons: Iterable[int],
    first_test_season: int,
    window: Window = "expanding",
    window_seasons: int | None = None,
    min_train_seasons: int = 1,
) -> list[SeasonFold]:
    """One fold per season present from ``first_test_season`` on, trained on earlier seasons only.

    Test seasons with fewer than ``min_train_seasons`` training seasons are skipped rather than
    scored on a model that never saw enough history.
    """
    _check_window(window, window_seasons)
    if min_train_seasons < 1:
        raise ValueError(f"min_train_seasons must be at least 1, got {min_train_seasons}")
    present = sorted({int(s) for s in seasons})
    folds = []
    for test_season in present:
        if test_season < first_test_season:
            continue
        train = training_seasons_before(present, test_season, window, window_seasons)
        if len(train) >= min_train_seasons:
            folds.append(SeasonFold(train, test_season))
    return folds


def _check_window(window: str, window_seasons: int | None) -> None:
    if window not in ("expanding", "sliding"):
        raise ValueError(f"window must be 'expanding' or 'sliding', got {window!r}")
    if window == "sliding" and (window_seasons is None or window_seasons < 1):
        raise ValueError(f"a sliding window needs window_seasons >= 1, got {window_seasons!r}")
    if window == "expanding" and window_seasons is not None:
        raise ValueError("window_seasons applies only to window='sliding'")
