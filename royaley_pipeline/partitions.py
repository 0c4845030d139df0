"""Partitions: raw data and features by sport × month, predictions by sport × day, models by
sport × bet type.

Why months for raw data and features: Dagster records one materialisation event per partition
and asset, about 22 ms each on this 2-core machine, so 26 NFL seasons as daily partitions
cost ~14 minutes of event bookkeeping in a collection run (benchmarks/ingestion_benchmark.py). A month keeps a
season backfill to six partitions in one run; predictions are made per day and stay daily.

Dagster orders multi-partition dimensions by name, so keys read ``"2024-01-01|NFL"`` (date first);
model keys are static ``"moneyline|NFL"`` (bet type first, the same spelling). The helpers below
build and parse them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

from dagster import (
    AllPartitionMapping,
    DailyPartitionsDefinition,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionMapping,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
)

from royaley_pipeline.sports import SPORTS

FIRST_DATE = "1999-09-01"  # the start of the bundled NFL history

sport_partitions = StaticPartitionsDefinition(list(SPORTS))
# end_offset=1 makes the current month and today exist, so the morning runs can target them.
month_partitions = MonthlyPartitionsDefinition(start_date=FIRST_DATE, end_offset=1)
day_partitions = DailyPartitionsDefinition(start_date=FIRST_DATE, end_offset=1)
sport_month_partitions = MultiPartitionsDefinition({"date": month_partitions, "sport": sport_partitions})
sport_day_partitions = MultiPartitionsDefinition({"date": day_partitions, "sport": sport_partitions})



def model_key(sport: str, bet_type: str) -> str:
    """`moneyline|NFL`: bet type first, as the API, the CLI and earlier runs spell it."""
    return f"{bet_type}|{sport}"


# Only the models that can exist: each sport × the bet types it offers (not 4 × 8, most of them
# impossible, like `match_winner|NFL`, which the UI would list as missing forever).
model_partitions = StaticPartitionsDefinition(
    [model_key(code, bet_type) for code, sport in SPORTS.items() for bet_type in sport.bet_types]
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # MultiPartitionMapping is marked beta; its behaviour is tested here
    _identity_sport = {"sport": DimensionPartitionMapping("sport", IdentityPartitionMapping())}
    # A model reads every month of its sport's features and predictions read each sport's models;
    # models are keyed `bet_type|sport` (one static dimension), which no built-in mapping relates
    # to a dimension of the sport × date keys, so these dependencies span all partitions.
    every_partition = AllPartitionMapping()
    same_sport_and_month = MultiPartitionMapping(
        {**_identity_sport, "date": DimensionPartitionMapping("date", TimeWindowPartitionMapping())}
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def sport_month_key(sport: str, day: date) -> str:
    return str(MultiPartitionKey({"sport": sport, "date": month_start(day).isoformat()}))


def sport_day_key(sport: str, day: date | str) -> str:
    return str(MultiPartitionKey({"sport": sport, "date": str(day)}))


@dataclass(frozen=True)
class SportDateWindow:
    """What a (possibly multi-partition) run covers: sports and an inclusive date range."""

    sports: tuple[str, ...]
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def parse_sport_date_keys(definition: MultiPartitionsDefinition, keys: list) -> SportDateWindow:
    """Collapse the keys of one run (one key, or a single-run backfill range) into a window."""
    parsed = [_dimensions(definition, key) for key in keys]
    starts = sorted(date.fromisoformat(p["date"]) for p in parsed)
    monthly = definition is sport_month_partitions
    return SportDateWindow(
        sports=tuple(sorted({p["sport"] for p in parsed})),
        start=starts[0],
        end=month_end(starts[-1]) if monthly else starts[-1],
    )


def sport_month_of_key(key) -> tuple[str, date]:
    """The sport and first day of the month of one sport × month key."""
    dimensions = _dimensions(sport_month_partitions, key)
    return dimensions["sport"], date.fromisoformat(dimensions["date"])


def parse_model_key(key) -> tuple[str, str]:
    """(sport, bet type) of a model partition key; a pair no sport offers is refused."""
    text = str(key)
    if text not in model_partitions.get_partition_keys():
        raise ValueError(f"{text!r} is not a model partition; models exist for {', '.join(model_partitions.get_partition_keys())}")
    bet_type, sport = text.split("|")
    return sport, bet_type


def _dimensions(definition: MultiPartitionsDefinition, key) -> dict[str, str]:
    # Runs started over GraphQL may hand over a plain string; parse it with the definition.
    if not isinstance(key, MultiPartitionKey):
        key = definition.get_partition_key_from_str(str(key))
    return key.keys_by_dimension
