import numpy as np
import pandas as pd

from royaley_pipeline.domain.profiling import column_profile, profile_markdown


def test_profile_counts_missing_values_and_numeric_ranges():
    frame = pd.DataFrame({"elo_diff": [10.0, np.nan, -30.0, 20.0], "book": ["a", "b", None, "d"]})
    profile = column_profile(frame, ["elo_diff", "book", "absent"]).set_index("column")
    assert profile.loc["elo_diff", "filled"] == 0.75
    assert (profile.loc["elo_diff", "min"], profile.loc["elo_diff", "max"]) == (-30.0, 20.0)
    assert profile.loc["elo_diff", "mean"] == 0.0
    assert profile.loc["book", "filled"] == 0.75 and pd.isna(profile.loc["book", "mean"])
    assert profile.loc["absent", "rows"] == 0 and profile.loc["absent", "filled"] == 0.0
    assert "| elo_diff |" in profile_markdown(column_profile(frame, ["elo_diff"]))
    assert "75.0 %" in profile_markdown(column_profile(frame, ["elo_diff"]))


def test_timestamps_show_their_range_not_nanoseconds():
    times = pd.Series(pd.to_datetime(["2023-09-07 20:20", "2023-10-30 00:15"], utc=True))
    profile = column_profile(pd.DataFrame({"start_time": times}), ["start_time"]).iloc[0]
    assert (profile["min"], profile["max"]) == ("2023-09-07 20:20:00+00:00", "2023-10-30 00:15:00+00:00")
    assert "e+18" not in profile_markdown(column_profile(pd.DataFrame({"start_time": times}), ["start_time"]))
