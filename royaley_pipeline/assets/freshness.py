"""Freshness policies: when the daily assets are expected to have been refreshed.

The daily collection runs at 04:00 and the predictions at 06:00 (``schedules.py``), in the schedules'
timezone; each is expected done within two hours. Dagster shows an asset as failing its freshness
policy when a deadline passes without a materialisation in the two hours before it, so a schedule
that was switched off, a failed run or a stuck queue shows on the asset itself.
"""

from __future__ import annotations

from datetime import timedelta

from dagster import AssetsDefinition, AssetSpec, FreshnessPolicy

from royaley_pipeline.assets.live import LIVE_GROUP
from royaley_pipeline.assets.predictions import PREDICTIONS_GROUP

WINDOW = timedelta(hours=2)
DEADLINES = {LIVE_GROUP: "0 6 * * *", PREDICTIONS_GROUP: "0 8 * * *"}  # two hours after each schedule


def freshness_policy(group: str | None, timezone: str) -> FreshnessPolicy | None:
    deadline = DEADLINES.get(group or "")
    return FreshnessPolicy.cron(deadline_cron=deadline, lower_bound_delta=WINDOW, timezone=timezone) if deadline else None


def with_freshness(assets: list[AssetsDefinition], timezone: str) -> list[AssetsDefinition]:
    """The assets with the daily groups' freshness policies in ``timezone``."""

    def apply(spec: AssetSpec) -> AssetSpec:
        policy = freshness_policy(spec.group_name, timezone)
        return spec.replace_attributes(freshness_policy=policy) if policy else spec

    return [asset.map_asset_specs(apply) for asset in assets]
