"""How a model is named in the registry: ``royaley-{sport}-{bet_type}``, and a version as ``name:N``.

The one home of the format: the registry, the CLI and the REST API parse and format through
these types, so a name written by one is always read back the same way by the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "royaley"
_NAME = re.compile(rf"^{PREFIX}-(?P<sport>[a-z0-9]+)-(?P<bet_type>[a-z_]+)$")
_VERSION = re.compile(r"^(?P<name>[^:]+):(?P<version>[1-9][0-9]{0,8})$")
EXAMPLE_ID = f"{PREFIX}-nfl-moneyline:3"


@dataclass(frozen=True)
class ModelName:
    """One model per sport and bet type; ``sport`` is kept in its registry (upper-case) form."""

    sport: str
    bet_type: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sport", self.sport.upper())

    def __str__(self) -> str:
        return f"{PREFIX}-{self.sport.lower()}-{self.bet_type}"

    @property
    def experiment(self) -> str:
        """The MLflow experiment that holds the model's training runs."""
        return f"{PREFIX}/{self.sport.lower()}/{self.bet_type}"

    def version(self, number: int) -> ModelVersionId:
        return ModelVersionId(self, int(number))

    @classmethod
    def parse(cls, text: str) -> ModelName:
        match = _NAME.match(text)
        if not match:
            raise ValueError(f"model name {text!r} is not {PREFIX}-<sport>-<bet type>, e.g. {PREFIX}-nfl-moneyline")
        return cls(match["sport"], match["bet_type"])

    @staticmethod
    def like_pattern(sport: str | None, bet_type: str | None) -> str:
        """A SQL ``LIKE`` pattern for the names of one sport, one bet type, both or neither."""
        return f"{PREFIX}-{sport.lower() if sport else '%'}-{bet_type or '%'}"


@dataclass(frozen=True)
class ModelVersionId:
    """``royaley-nfl-moneyline:3``: the id the API lists and the promote endpoint takes."""

    name: ModelName
    number: int

    def __str__(self) -> str:
        return f"{self.name}:{self.number}"

    @classmethod
    def parse(cls, text: str) -> ModelVersionId:
        match = _VERSION.match(text)
        try:
            if not match:
                raise ValueError
            return cls(ModelName.parse(match["name"]), int(match["version"]))
        except ValueError:
            raise ValueError(f"model id {text!r} is not name:version, e.g. {EXAMPLE_ID}") from None
