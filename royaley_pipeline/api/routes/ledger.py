"""How the bets fared: the ledger of settled bets, filtered like `royaley ledger`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request, status

from royaley_pipeline.api.schemas import ErrorResponse, Ledger, LedgerRow
from royaley_pipeline.domain.ledger import LedgerFilter
from royaley_pipeline.storage.settlements import load_ledger

router = APIRouter(tags=["ledger"])


@router.get("/ledger", response_model=Ledger, responses={422: {"model": ErrorResponse}})
def get_ledger(
    request: Request,
    sport_code: str | None = Query(None, max_length=16, examples=["NFL"], description="default: every sport"),
    since: date | None = Query(None, description="first game date, YYYY-MM-DD"),
    until: date | None = Query(None, description="last game date, YYYY-MM-DD"),
    tier: str | None = Query(None, max_length=1, description="A, B, C or D"),
    bet_type: str | None = Query(None, max_length=32, description="spread, moneyline, total or match_winner"),
) -> Ledger:
    """Bets, hit rate with its 95 % interval, units and ROI, Kelly bankroll and drawdown, mean CLV:
    overall, per tier and per bet type."""
    try:
        query = LedgerFilter(sport_code, since, until, tier, bet_type)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    table, _ = load_ledger(request.app.state.engine, query)
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    return Ledger(sport_code=query.sport, since=query.since, until=query.until, tier=query.tier,
                  bet_type=query.bet_type, rows=[LedgerRow(**record) for record in records])
