"""Checking what a caller asks to train: the one place the CLI, the API and the model asset ask.

Each check raises ``BadRequest`` with a line that says what was wrong and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from royaley_pipeline.errors import BadRequest
from royaley_pipeline.frameworks import check_framework
from royaley_pipeline.sports import Sport, check_bet_type, get_sport


@dataclass(frozen=True)
class ModelRequest:
    """A sport × bet type × framework that this installation can train."""

    sport: Sport
    bet_type: str
    framework: str


def model_request(sport_code: str, bet_type: str, framework: str = "sklearn") -> ModelRequest:
    """The validated request; raises BadRequest for an unknown sport, a bet type the sport does not
    offer, or a framework unknown or not runnable here."""
    sport = get_sport(sport_code)
    return ModelRequest(sport, check_bet_type(sport, bet_type), check_framework(framework))


def bet_types_to_train(sport: Sport, bet_type: str | None, all_bet_types: bool) -> list[str]:
    """The bet types one request covers: all the sport offers, or the one named."""
    if all_bet_types:
        return list(sport.bet_types)
    if not bet_type:
        raise BadRequest("give --bet-type, --all-bet-types or --all")
    return [check_bet_type(sport, bet_type)]
