"""The stored predictions, filtered the way the CLI's slate is."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request, status

from royaley_pipeline.api.schemas import ErrorResponse, Prediction, Tier, sport_code
from royaley_pipeline.storage.predictions import load_predictions

router = APIRouter(tags=["predictions"])


@router.get("/predictions", response_model=list[Prediction], responses={422: {"model": ErrorResponse}})
def list_predictions(
    request: Request,
    sport_code_filter: str | None = Query(None, alias="sport_code", max_length=16, examples=["NFL"]),
    game_date: date | None = Query(None, alias="date", description="YYYY-MM-DD"),
    min_edge: float | None = Query(None, ge=-1.0, le=100.0, description="smallest edge, e.g. 0.05"),
    tier: Tier | None = Query(None),
) -> list[Prediction]:
    """Every stored prediction matching the filters, largest edge first."""
    try:
        sport = sport_code(sport_code_filter) if sport_code_filter else None
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    frame = load_predictions(request.app.state.engine, sport, game_date, min_edge=min_edge, tier=tier)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [Prediction(**record) for record in records]
