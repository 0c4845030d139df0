"""A failed run read back: its failing step, its root cause, and whether the caller was at fault."""

from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.run_failures import bad_input_error_names, failure_message, run_failure
from royaley_pipeline_tests.assets.conftest import Pipeline


def test_a_bet_type_the_sport_does_not_offer_fails_the_run_as_bad_input(tmp_path):
    """A UI launch of a partition the sport does not offer is refused by the same check as the CLI's."""
    result = Pipeline(tmp_path).train("ATP", "spread")
    assert not result.success
    failure = run_failure(result.all_events)
    assert failure.step == MODEL_OP and failure.bad_input
    assert failure.message == "ATP does not offer bet type 'spread'; it offers match_winner"
    assert failure_message(result) == f"step {MODEL_OP} failed: {failure.message}"


def test_a_missing_upstream_is_not_the_callers_fault(tmp_path):
    result = Pipeline(tmp_path).train("NFL", "spread", mock=True)
    failure = run_failure(result.all_events)
    assert not result.success and not failure.bad_input
    assert "materialise features first" in failure.message


def test_bad_input_covers_requests_and_source_records_but_not_failing_services():
    names = bad_input_error_names()
    assert {"BadRequest", "UnknownSportError", "FrameworkUnavailableError", "SourceRecordError",
            "UnknownTeamError"} <= names
    assert not {"CollectorError", "ServiceUnavailableError", "QuotaExhaustedError"} & names
