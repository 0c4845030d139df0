"""Royaley: sports data to calibrated betting signals, as a Dagster code location."""

import warnings

# Backfill policies and multi-partition mappings are marked beta in Dagster 1.13; the behaviour we
# rely on (single-run season backfills, sport-to-sport mappings) is covered by our own tests.
try:
    from dagster import BetaWarning

    warnings.filterwarnings("ignore", category=BetaWarning)
except ImportError:  # pragma: no cover - dagster is a hard dependency; keep imports of the package light
    pass
