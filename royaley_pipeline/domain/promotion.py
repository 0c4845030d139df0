"""The promotion rule: when a challenger takes the ``champion`` alias from the current champion.

A challenger wins when its walk-forward log loss beats the champion's by more than ``margin`` AND
its expected calibration error is not worse by more than ``ece_tolerance``. Both are scored on
the seasons the two share, pooled by games, so a model evaluated on an easier or shorter history
cannot win by comparison on different ground. The calibration condition matters because Kelly
stakes are sized from the probabilities themselves. Pure: the registry gathers the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from royaley_pipeline.domain.metrics import expected_calibration_error

DEFAULT_ECE_TOLERANCE = 0.005
"""How much worse a challenger's expected calibration error may be and still be promoted.

Half a percentage point: the ECE of one forecast over ~2,500 games moves by about that much
between seasons from binning noise alone, so a stricter bar would reject on noise.
"""


@dataclass(frozen=True)
class VersionEvidence:
    """What the rule needs from one model version.

    ``season_log_loss`` maps a walk-forward test season to (log loss, games). ``forecasts`` holds
    the out-of-fold ``season``, ``label`` and ``probability`` columns, or None when unavailable
    (the ECE condition is then skipped).
    """

    version: int
    season_log_loss: dict[int, tuple[float, float]]
    forecasts: pd.DataFrame | None = None


@dataclass(frozen=True)
class PromotionDecision:
    promoted: bool
    reason: str
    challenger_log_loss: float | None
    champion_log_loss: float | None
    seasons_compared: list[int] = field(default_factory=list)
    previous_champion_version: int | None = None
    challenger_ece: float | None = None
    champion_ece: float | None = None


def decide_promotion(
    challenger: VersionEvidence,
    champion: VersionEvidence | None,
    margin: float = 0.0,
    ece_tolerance: float = DEFAULT_ECE_TOLERANCE,
) -> PromotionDecision:
    """Whether ``challenger`` should replace ``champion`` (None: there is no champion yet), and why."""
    if champion is None:
        seasons = sorted(challenger.season_log_loss)
        return PromotionDecision(
            True, "no champion yet", pooled_log_loss(challenger.season_log_loss, seasons), None, seasons
        )
    if champion.version == challenger.version:
        return PromotionDecision(False, f"version {challenger.version} is already the champion", None, None)
    common = sorted(set(challenger.season_log_loss) & set(champion.season_log_loss))
    if not common:
        return PromotionDecision(
            False, f"no walk-forward season in common with champion version {champion.version}", None, None, [],
            champion.version,
        )
    challenger_loss = pooled_log_loss(challenger.season_log_loss, common)
    champion_loss = pooled_log_loss(champion.season_log_loss, common)
    better = challenger_loss is not None and champion_loss is not None and challenger_loss < champion_loss - margin
    verdict = "beats" if better else "does not beat"
    reason = (
        f"walk-forward log loss {_number(challenger_loss, 5)} {verdict} champion version {champion.version} "
        f"({_number(champion_loss, 5)}) by more than {margin} over seasons {common[0]}-{common[-1]}"
    )
    challenger_ece = season_ece(challenger.forecasts, common)
    champion_ece = season_ece(champion.forecasts, common)
    if better and challenger_ece is not None and champion_ece is not None:
        calibrated = challenger_ece <= champion_ece + ece_tolerance
        reason += (
            f"; ECE {challenger_ece:.4f} vs champion {champion_ece:.4f} "
            f"({'within' if calibrated else 'worse than'} tolerance {ece_tolerance})"
        )
        better = calibrated
    return PromotionDecision(
        better, reason, challenger_loss, champion_loss, common, champion.version, challenger_ece, champion_ece
    )


def pooled_log_loss(seasons: dict[int, tuple[float, float]], which: list[int]) -> float | None:
    """Game-weighted mean log loss over the chosen seasons (None when there are no games)."""
    chosen = [seasons[season] for season in which]
    total_games = sum(games for _, games in chosen)
    if total_games <= 0:
        return None
    return sum(loss * games for loss, games in chosen) / total_games


def season_ece(forecasts: pd.DataFrame | None, seasons: list[int]) -> float | None:
    """Expected calibration error of out-of-fold forecasts on ``seasons`` (None if there are none)."""
    if forecasts is None:
        return None
    chosen = forecasts[forecasts["season"].isin(seasons)]
    if chosen.empty:
        return None
    return expected_calibration_error(chosen["label"], chosen["probability"])


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
