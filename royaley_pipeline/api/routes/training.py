"""Training runs: launch the model asset's partition as a Dagster run, then follow it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, status

from royaley_pipeline.api.auth import require_token
from royaley_pipeline.api.launching import LaunchError, QueueFullError, TrainingRequest, training_status
from royaley_pipeline.api.schemas import ErrorResponse, TrainingStatusResponse, TrainRequest, TrainResponse
from royaley_pipeline.domain.model_names import ModelName

router = APIRouter(tags=["training"])


@router.post(
    "/models/train",
    response_model=TrainResponse,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_token)],
    responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
)
def train_model(body: TrainRequest, request: Request) -> TrainResponse:
    """Start a training run of `models/game_outcome_model` for one sport and bet type."""
    training_request = TrainingRequest(body.sport_code, body.bet_type, body.framework, body.max_runtime_seconds)
    try:
        run_id = request.app.state.launcher.launch(training_request)
    except LaunchError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from None
    except QueueFullError as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(error),
                            headers={"Retry-After": str(error.retry_after_seconds)}) from None
    return TrainResponse(
        run_id=run_id,
        status="queued",
        partition_key=training_request.partition_key,
        status_url=str(request.url_for("training_run", run_id=run_id).path),
    )


@router.get(
    "/models/training/{run_id}",
    name="training_run",
    response_model=TrainingStatusResponse,
    responses={404: {"model": ErrorResponse}},
)
def get_training_run(run_id: str, request: Request) -> TrainingStatusResponse:
    """Status of a training run (queued, started, success, failure), with metrics and model once done."""
    found = training_status(request.app.state.instance, run_id, request.app.state.launcher)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no training run with id {run_id!r}")
    model_id = (
        str(ModelName.parse(found.model_name).version(found.model_version))
        if found.model_name and found.model_version
        else None
    )
    return TrainingStatusResponse(**found.__dict__, model_id=model_id)
