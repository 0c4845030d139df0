"""The promotion rule, on hand-made evidence: every branch and the edges of margin and tolerance."""

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.metrics import expected_calibration_error
from royaley_pipeline.domain.promotion import VersionEvidence, decide_promotion, pooled_log_loss


def forecasts(seasons: dict[int, float], games: int = 400, seed: int = 0) -> pd.DataFrame:
    """Out-of-fold rows per season whose outcomes follow ``probability + bias`` (bias 0: calibrated)."""
    generator = np.random.default_rng(seed)
    frames = []
    for season, bias in seasons.items():
        probability = generator.uniform(0.2, 0.8, games)
        label = (generator.uniform(size=games) < np.clip(probability + bias, 0, 1)).astype(int)
        frames.append(pd.DataFrame({"season": season, "probability": probability, "label": label}))
    return pd.concat(frames, ignore_index=True)


def test_without_a_champion_the_challenger_wins_with_its_pooled_loss():
    challenger = VersionEvidence(1, {2016: (0.60, 100.0), 2017: (0.70, 300.0)})
    decision = decide_promotion(challenger, None)
    assert decision.promoted and decision.reason == "no champion yet"
    assert decision.challenger_log_loss == pytest.approx((0.60 * 100 + 0.70 * 300) / 400)
    assert decision.seasons_compared == [2016, 2017]
    assert decision.champion_log_loss is None and decision.previous_champion_version is None


def test_the_champion_is_not_compared_with_itself():
    evidence = VersionEvidence(3, {2016: (0.6, 100.0)})
    decision = decide_promotion(evidence, evidence)
    assert not decision.promoted and decision.reason == "version 3 is already the champion"


def test_no_season_in_common_is_a_rejection_naming_the_champion():
    decision = decide_promotion(VersionEvidence(2, {2018: (0.5, 10.0)}), VersionEvidence(1, {2016: (0.7, 10.0)}))
    assert not decision.promoted
    assert decision.reason == "no walk-forward season in common with champion version 1"
    assert decision.seasons_compared == [] and decision.previous_champion_version == 1


def test_only_common_seasons_are_compared():
    """A challenger whose extra easy season would flatter it is judged on the shared season only."""
    challenger = VersionEvidence(2, {2016: (0.69, 100.0), 2017: (0.30, 100.0)})
    champion = VersionEvidence(1, {2015: (0.90, 100.0), 2016: (0.68, 100.0)})
    decision = decide_promotion(challenger, champion)
    assert not decision.promoted and "does not beat" in decision.reason
    assert decision.seasons_compared == [2016]
    assert (decision.challenger_log_loss, decision.champion_log_loss) == (0.69, 0.68)


@pytest.mark.parametrize(("margin", "promoted"), [(0.0, True), (0.0099, True), (0.0101, False)])
def test_the_margin_is_strict(margin, promoted):
    challenger = VersionEvidence(2, {2016: (0.670, 100.0)})
    champion = VersionEvidence(1, {2016: (0.680, 100.0)})
    decision = decide_promotion(challenger, champion, margin=margin)
    assert decision.promoted is promoted
    assert f"by more than {margin} over seasons 2016-2016" in decision.reason


def test_better_log_loss_is_not_enough_when_calibration_is_worse_than_the_tolerance():
    calibrated = forecasts({2016: 0.0, 2017: 0.0}, seed=1)
    skewed = forecasts({2016: 0.12, 2017: 0.12}, seed=2)
    losses = {2016: (0.66, 400.0), 2017: (0.66, 400.0)}
    champion = VersionEvidence(1, {2016: (0.68, 400.0), 2017: (0.68, 400.0)}, calibrated)
    challenger = VersionEvidence(2, losses, skewed)
    decision = decide_promotion(challenger, champion, ece_tolerance=0.005)
    assert not decision.promoted and "worse than tolerance 0.005" in decision.reason
    assert decision.challenger_ece == pytest.approx(expected_calibration_error(skewed["label"], skewed["probability"]))
    assert decision.challenger_ece > decision.champion_ece + 0.005
    # The same evidence passes once the tolerance covers the gap.
    generous = decide_promotion(challenger, champion, ece_tolerance=1.0)
    assert generous.promoted and "within tolerance 1.0" in generous.reason


def test_ece_is_scored_on_the_common_seasons_only():
    champion_forecasts = forecasts({2016: 0.0}, seed=3)
    challenger_forecasts = forecasts({2016: 0.0, 2017: 0.3}, seed=4)  # badly calibrated only in 2017
    decision = decide_promotion(
        VersionEvidence(2, {2016: (0.60, 400.0), 2017: (0.60, 400.0)}, challenger_forecasts),
        VersionEvidence(1, {2016: (0.70, 400.0)}, champion_forecasts),
        ece_tolerance=0.05,
    )
    in_2016 = challenger_forecasts[challenger_forecasts["season"] == 2016]
    assert decision.challenger_ece == pytest.approx(expected_calibration_error(in_2016["label"], in_2016["probability"]))
    assert decision.promoted


def test_missing_forecasts_skip_the_calibration_condition():
    decision = decide_promotion(VersionEvidence(2, {2016: (0.6, 10.0)}), VersionEvidence(1, {2016: (0.7, 10.0)}, None))
    assert decision.promoted and "ECE" not in decision.reason
    assert decision.challenger_ece is None and decision.champion_ece is None


def test_seasons_without_games_pool_to_no_loss_and_never_promote():
    assert pooled_log_loss({2016: (0.5, 0.0)}, [2016]) is None
    decision = decide_promotion(VersionEvidence(2, {2016: (0.5, 0.0)}), VersionEvidence(1, {2016: (0.7, 0.0)}))
    assert not decision.promoted and "n/a" in decision.reason
