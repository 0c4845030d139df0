"""Request and response bodies: validation here turns bad input into a 422 that names the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from royaley_pipeline.frameworks import FRAMEWORKS, check_framework
from royaley_pipeline.sports import SPORTS, check_bet_type, get_sport

Tier = Literal["A", "B", "C", "D"]
# What a promote call without a body records (the endpoint's original form took no body).
DEFAULT_PROMOTION_REASON = "manual promotion"
DEFAULT_PROMOTER = "api"


def sport_code(value: str) -> str:
    return get_sport(value).code  # raises with the list of known sports


def offered_bet_type(sport: str, bet_type: str) -> str:
    return check_bet_type(get_sport(sport), bet_type)


class TrainRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sport_code": "NFL", "bet_type": "moneyline", "framework": "sklearn", "max_runtime_seconds": 600}
            ]
        },
    )

    sport_code: str = Field(description=f"one of {', '.join(SPORTS)}", max_length=16)
    bet_type: str = Field(description="spread, moneyline, total (team sports) or match_winner (tennis)",
                          max_length=32)
    framework: str = Field(default="sklearn", description=f"one of {', '.join(FRAMEWORKS)}", max_length=32)
    max_runtime_seconds: int | None = Field(
        default=None, ge=1, le=86_400, description="time budget per model (H2O AutoML, AutoGluon)"
    )

    @field_validator("sport_code")
    @classmethod
    def _known_sport(cls, value: str) -> str:
        return sport_code(value)

    @field_validator("framework")
    @classmethod
    def _installed_framework(cls, value: str) -> str:
        return check_framework(value)

    @model_validator(mode="after")
    def _offered_bet_type(self) -> TrainRequest:
        offered_bet_type(self.sport_code, self.bet_type)
        return self


class TrainResponse(BaseModel):
    run_id: str
    status: str = Field(description="queued: accepted; follow it at status_url")
    partition_key: str = Field(description="the models/game_outcome_model partition, e.g. moneyline|NFL")
    status_url: str


class TrainingStatusResponse(BaseModel):
    run_id: str
    status: Literal["queued", "started", "success", "failure", "canceled", "suspended"]
    sport_code: str | None = None
    bet_type: str | None = None
    partition_key: str | None = None
    failed_step: str | None = Field(default=None, description="the step that failed (status failure)")
    error: str | None = Field(default=None, description="the root cause of the failure")
    model_id: str | None = Field(default=None, description="name:version of the registered model, once done")
    model_name: str | None = None
    model_version: int | None = None
    promoted_to_champion: bool | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)


class DataWindow(BaseModel):
    first_season: int | None = None
    last_season: int | None = None
    first_start_time: str | None = None
    last_start_time: str | None = None


class ModelVersion(BaseModel):
    model_id: str = Field(description="`{name}:{version}`, the id the promote endpoint takes")
    name: str
    version: int
    aliases: list[str]
    framework: str | None = Field(description="`mock/elo-baseline` for a `--mock` version")
    mock: bool = Field(description="a `--mock` (Elo baseline) version: never champion")
    feature_set_version: str | None
    data_window: DataWindow
    metrics: dict[str, float]
    promotion_decision: str | None
    mlflow_run_id: str
    created_at: str


class PromoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        default=DEFAULT_PROMOTION_REASON, min_length=1, max_length=500, description="why this version should be champion"
    )
    promoted_by: str = Field(
        default=DEFAULT_PROMOTER, min_length=1, max_length=100, description="who asks for it (a person or system)"
    )


class PromoteResponse(BaseModel):
    model_id: str
    champion_version: int
    previous_champion_version: int | None
    promoted_by: str
    reason: str


class Prediction(BaseModel):
    sport: str
    source_game_id: str
    start_time: datetime | None
    game_date: date
    bet_type: str
    side: str
    model_name: str
    model_version: int
    probability: float
    market_probability: float | None
    line: float | None
    price_american: float | None
    decimal_odds: float | None
    book: str | None
    edge: float | None
    tier: str | None
    kelly_stake: float | None
    predicted_at: datetime | None
    snapshot_cutoff: datetime | None = Field(
        default=None, description="odds, weather and injury inputs were observed before this instant"
    )


class LedgerRow(BaseModel):
    group: str = Field(description="all, tier A…D, or a bet type")
    bets: int = Field(description="won + lost + push")
    won: int
    lost: int
    push: int
    void: int
    hit_rate: float | None = Field(description="won / (won + lost)")
    hit_rate_low: float | None = Field(description="95 % Wilson interval")
    hit_rate_high: float | None
    units: float = Field(description="profit staking 1 unit per bet at the price taken")
    roi: float | None = Field(description="units / bets")
    kelly_bankroll: float = Field(description="bankroll from 100 staking each bet's Kelly share, kick-off order")
    kelly_max_drawdown: float
    mean_clv_probability: float | None = Field(
        description="de-vigged closing probability minus the implied probability taken (0.02 = 2 points)"
    )
    mean_clv_line_points: float | None = Field(description="line points beaten against the close (spreads, totals)")
    clv_bets: int


class Ledger(BaseModel):
    sport_code: str | None
    since: date | None
    until: date | None
    tier: str | None
    bet_type: str | None
    rows: list[LedgerRow]


class ErrorResponse(BaseModel):
    detail: str
