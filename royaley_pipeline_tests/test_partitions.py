"""Partition keys and the windows a run covers."""

from datetime import date

import pytest
from dagster import MultiPartitionKey, PartitionKeyRange

from royaley_pipeline.partitions import (
    model_key,
    parse_model_key,
    parse_sport_date_keys,
    sport_day_key,
    sport_day_partitions,
    sport_month_key,
    sport_month_partitions,
)


def test_keys_put_the_date_first_as_dagster_orders_dimensions():
    assert sport_month_key("NFL", date(2023, 9, 17)) == "2023-09-01|NFL"
    assert sport_day_key("NBA", date(2024, 1, 2)) == "2024-01-02|NBA"
    assert model_key("NFL", "spread") == "spread|NFL"


def test_a_month_range_covers_whole_months():
    keys = sport_month_partitions.get_partition_keys_in_range(PartitionKeyRange("2023-09-01|NFL", "2024-02-01|NFL"))
    assert len(keys) == 6
    window = parse_sport_date_keys(sport_month_partitions, keys)
    assert window == type(window)(sports=("NFL",), start=date(2023, 9, 1), end=date(2024, 2, 29))


def test_plain_string_keys_from_graphql_runs_are_parsed():
    window = parse_sport_date_keys(sport_day_partitions, ["2024-01-07|NFL"])
    assert (window.start, window.end, window.sports) == (date(2024, 1, 7), date(2024, 1, 7), ("NFL",))
    assert parse_model_key("total|NBA") == ("NBA", "total")
    assert parse_model_key(MultiPartitionKey({"sport": "ATP", "bet_type": "match_winner"})) == ("ATP", "match_winner")


def test_model_partitions_are_only_the_pairs_a_sport_offers():
    from royaley_pipeline.partitions import model_partitions
    from royaley_pipeline.sports import SPORTS

    keys = model_partitions.get_partition_keys()
    assert len(keys) == sum(len(sport.bet_types) for sport in SPORTS.values()) < 4 * len(SPORTS)
    assert {"moneyline|NFL", "spread|NFL", "total|NFL", "match_winner|ATP"} <= set(keys)
    assert "match_winner|NFL" not in keys and "moneyline|ATP" not in keys
    for key in ("match_winner|NFL", "moneyline|CURLING", "NFL"):
        with pytest.raises(ValueError, match="not a model partition"):
            parse_model_key(key)
