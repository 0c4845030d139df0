"""Partition keys and the windows a run covers."""

from datetime import date

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
