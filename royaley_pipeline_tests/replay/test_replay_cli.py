"""`royaley replay` refuses what it cannot replay with one line, before it creates its folder."""

import pytest

from royaley_pipeline_tests.test_cli import royaley


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sport", "ATP", "--start", "2023-05-01"], "the replay serves NFL, NBA; ATP has no replayable history"),
        (["--sport", "NFL", "--start", "2024-07-01", "--days", "3"],
         "no NFL games between 2024-07-01 and 2024-07-03 in the bundled history"),
        (["--sport", "NFL", "--start", "2024-10-01", "--days", "0"], "--days must be at least 1"),
    ],
)
def test_bad_requests_exit_2_and_leave_no_replay_folder(tmp_path, args, message):
    result = royaley(tmp_path, "replay", *args, "--home", str(tmp_path / "replay"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "replay").exists()
