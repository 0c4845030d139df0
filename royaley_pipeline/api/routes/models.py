"""Registered model versions in MLflow, and moving the champion alias by hand."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status

from royaley_pipeline.api.auth import require_token
from royaley_pipeline.api.schemas import (
    ErrorResponse,
    ModelVersion,
    PromoteRequest,
    PromoteResponse,
    offered_bet_type,
    sport_code,
)
from royaley_pipeline.domain.model_names import EXAMPLE_ID, ModelVersionId
from royaley_pipeline.registry import MockModelError, ModelRegistry, UnknownModelVersionError
from royaley_pipeline.sports import BET_TYPES

router = APIRouter(tags=["models"])


def registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


@router.get("/models", response_model=list[ModelVersion], responses={422: {"model": ErrorResponse}})
def list_models(
    request: Request,
    sport_code_filter: str | None = Query(None, alias="sport_code", max_length=16, examples=["NFL"]),
    bet_type: str | None = Query(None, max_length=32, examples=["moneyline"]),
) -> list[ModelVersion]:
    """Registered versions with aliases, walk-forward metrics, training window and framework."""
    try:
        sport = sport_code(sport_code_filter) if sport_code_filter else None
        if bet_type and bet_type not in BET_TYPES:
            raise ValueError(f"unknown bet type {bet_type!r}; bet types: {', '.join(BET_TYPES)}")
        if sport and bet_type:
            offered_bet_type(sport, bet_type)
    except ValueError as error:
        raise unprocessable(str(error)) from None
    rows = registry(request).list_versions(sport=sport, bet_type=bet_type)
    if bet_type and not sport:
        rows = [row for row in rows if row.model.bet_type == bet_type]
    return [_model_version(row) for row in rows]


def _model_version(row) -> ModelVersion:
    """A registered version as the API shows it: the registry's fields by name, its ``run_id`` as
    ``mlflow_run_id``."""
    return ModelVersion(mlflow_run_id=row.run_id, **{name: getattr(row, name) for name in ModelVersion.model_fields
                                                      if name != "mlflow_run_id"})


@router.post(
    "/models/{model_id}/promote",
    response_model=PromoteResponse,
    dependencies=[Depends(require_token)],
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def promote_model(
    request: Request,
    body: PromoteRequest | None = None,
    model_id: str = Path(description="`{name}:{version}` from GET /api/v1/models", max_length=80,
                         examples=[EXAMPLE_ID]),
) -> PromoteResponse:
    """Make `model_id` (`royaley-nfl-moneyline:3`) the champion; the who and why are tagged on the version.

    The body is optional: without one the promotion is recorded as "manual promotion" by "api".
    """
    body = body or PromoteRequest()
    try:
        target = ModelVersionId.parse(model_id)
    except ValueError as error:
        raise unprocessable(f"{error} (see GET /api/v1/models)") from None
    try:
        offered_bet_type(target.name.sport, target.name.bet_type)
    except ValueError as error:
        raise unprocessable(str(error)) from None
    try:
        decision = registry(request).promote(
            target.name, target.number, reason=body.reason, actor=body.promoted_by
        )
    except UnknownModelVersionError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no registered model version {model_id!r}") from None
    except MockModelError as error:
        raise unprocessable(str(error)) from None
    return PromoteResponse(
        model_id=model_id,
        champion_version=target.number,
        previous_champion_version=decision.previous_champion_version,
        promoted_by=body.promoted_by,
        reason=body.reason,
    )
