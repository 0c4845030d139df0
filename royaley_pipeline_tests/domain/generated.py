"""Pieces of the randomly generated leagues the property tests share."""

from __future__ import annotations

import numpy as np


def matchups(rng: np.random.Generator, team_count: int, game_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Home and away team numbers of ``game_count`` random games, never a team against itself."""
    home = rng.integers(0, team_count, game_count)
    return home, (home + rng.integers(1, team_count, game_count)) % team_count
