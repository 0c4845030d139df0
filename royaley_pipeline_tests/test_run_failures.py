"""A failed run read back: its failing step, its root cause, and whether the caller was at fault."""

from royaley_pipeline.frameworks import FRAMEWORKS
from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.run_failures import bad_input_error_names, failure_message, run_failure
from royaley_pipeline_tests.assets.conftest import Pipeline


def test_an_unknown_framework_in_a_launch_fails_the_run_as_bad_input(tmp_path):
    """A UI launch whose run config names a framework we do not have is refused by the same check
    as the CLI's, and read back as the caller's fault. (A bet type the sport does not offer is not
    a partition at all: see test_partitions.)"""
    result = Pipeline(tmp_path).train("NFL", "moneyline", framework="xgboost")
    assert not result.success
    failure = run_failure(result.all_events)
    assert failure.step == MODEL_OP and failure.bad_input
    assert failure.message == f"unknown framework 'xgboost'; choose one of {', '.join(FRAMEWORKS)}"
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
