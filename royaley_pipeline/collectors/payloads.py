"""Validating payloads against pydantic models, with errors that name the offending field."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from royaley_pipeline.collectors.errors import PayloadError
from royaley_pipeline.collectors.http import Fetched
from royaley_pipeline.sources.errors import UnknownTeamError
from royaley_pipeline.sources.teams import TeamDirectory

Model = TypeVar("Model", bound=BaseModel)


class Payload(BaseModel):
    """Base of every response model: unknown fields are ignored (services add them freely)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def validate(model: type[Model], payload: object, fetched: Fetched) -> Model:
    """``model`` filled from ``payload``, or a ``PayloadError`` naming the first bad field path."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"]) or None
        problem = "missing" if first["type"] == "missing" else first["msg"]
        more = f" ({error.error_count() - 1} more problem(s))" if error.error_count() > 1 else ""
        raise PayloadError(fetched.source, fetched.request, path, f"{problem}{more}") from None


def fail(fetched: Fetched, field: str | None, message: str) -> PayloadError:
    return PayloadError(fetched.source, fetched.request, field, message)


def resolve_team(fetched: Fetched, teams: TeamDirectory, sport: str, name: str, field: str) -> str:
    """The team code of ``name`` as this payload spells it; an unknown team fails naming the
    request and the field."""
    try:
        return teams.resolve(sport, name, source=fetched.source, record=None)
    except UnknownTeamError as error:
        raise UnknownTeamError(fetched.source, f"request {fetched.request}", field, error.message) from None
