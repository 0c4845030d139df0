"""The evidence a training run produces, as tables and plots for Dagster metadata and MLflow.

Built from the walk-forward (out-of-fold) forecasts only: per-season scores of the model, the
de-vigged closing market and the Elo-only baseline on the same games, calibration (ECE and the
reliability diagram), pick hit rates with Wilson intervals, and the betting-policy backtest.
Plots are PNG bytes drawn with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from royaley_pipeline.domain.backtest import BacktestResult, backtest, decimal_odds_or_standard, pick_hit_rate
from royaley_pipeline.domain.metrics import MIN_GAMES_PER_BIN, expected_calibration_error, reliability_table
from royaley_pipeline.domain.odds import implied_probability
from royaley_pipeline.domain.training import TrainingResult
from royaley_pipeline.sports import MATCH_WINNER, MONEYLINE, SPREAD, TOTAL

REPORT_FOLDER = "report"  # the reports' folder in the MLflow run's artifacts
FORECASTS = {"model": "probability", "market": "market_probability", "Elo baseline": "baseline_probability"}
PICK_BET_TYPES = (SPREAD, TOTAL)


@dataclass
class TrainingReport:
    season_table: pd.DataFrame
    overall_table: pd.DataFrame
    picks_table: pd.DataFrame | None
    backtest: BacktestResult | None
    reliability: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)
    plots: dict[str, bytes] = field(default_factory=dict)
    tuning: dict = field(default_factory=dict)

    def markdown(self) -> dict[str, str]:
        tables = {
            "season_metrics": self.season_table.round(4).to_markdown(index=False),
            "overall_comparison": self.overall_table.round(4).to_markdown(index=False),
            "reliability": self.reliability.round(4).to_markdown(index=False),
        }
        if self.picks_table is not None:
            tables["pick_hit_rates"] = self.picks_table.round(4).to_markdown(index=False)
        if self.backtest is not None:
            tables["backtest"] = self.backtest.summary.round(4).to_markdown(index=False)
        return tables

    def artifacts(self) -> dict[str, str | bytes]:
        """The report as files for the MLflow run: tables, plots and the hyper-parameter search."""
        return {
            **{f"{REPORT_FOLDER}/{name}.md": table for name, table in self.markdown().items()},
            **{f"{REPORT_FOLDER}/{name}": image for name, image in self.plots.items()},
            f"{REPORT_FOLDER}/tuning.json": json.dumps(self.tuning, indent=2, default=str),
        }

    def write_plots(self, folder: Path) -> Path:
        """The plots as PNG files in ``folder`` (created), for browsing beside the dataset."""
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, image in self.plots.items():
            (folder / file_name).write_bytes(image)
        return folder


def betting_frame(bet_type: str, out_of_fold: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Out-of-fold forecasts joined to each game's closing prices and its open-to-close move."""
    columns = [c for c in features.columns if "moneyline" in c or "spread" in c or "total" in c or "price" in c]
    games = out_of_fold.merge(features[["game_id", *columns]], on="game_id", how="left")
    if bet_type in (MONEYLINE, MATCH_WINNER):
        event = pd.to_numeric(games.get("closing_moneyline_home"), errors="coerce")
        other = pd.to_numeric(games.get("closing_moneyline_away"), errors="coerce")
        games["event_decimal_odds"] = decimal_odds_or_standard(event).where(event.notna())
        games["other_decimal_odds"] = decimal_odds_or_standard(other).where(other.notna())
        if "opening_moneyline_home" in games:
            opening = pd.to_numeric(games["opening_moneyline_home"], errors="coerce")
            closing_probability = pd.Series(implied_probability(event.fillna(np.nan).to_numpy()), index=games.index)
            opening_probability = pd.Series(implied_probability(opening.to_numpy()), index=games.index)
            games["line_move_toward_event"] = closing_probability - opening_probability
    elif bet_type == SPREAD:
        games["event_decimal_odds"] = decimal_odds_or_standard(games.get("closing_spread_home_price"))
        games["other_decimal_odds"] = decimal_odds_or_standard(games.get("closing_spread_away_price"))
        games.loc[games["closing_spread_home"].isna(), ["event_decimal_odds", "other_decimal_odds"]] = np.nan
        games["line_move_toward_event"] = games["opening_spread_home"] - games["closing_spread_home"]
    elif bet_type == TOTAL:
        games["event_decimal_odds"] = decimal_odds_or_standard(games.get("closing_over_price"))
        games["other_decimal_odds"] = decimal_odds_or_standard(games.get("closing_under_price"))
        games.loc[games["closing_total"].isna(), ["event_decimal_odds", "other_decimal_odds"]] = np.nan
        games["line_move_toward_event"] = games["closing_total"] - games["opening_total"]
    else:
        raise ValueError(f"no betting frame for bet type {bet_type!r}")
    return games


def comparison_on_same_games(out_of_fold: pd.DataFrame) -> pd.DataFrame:
    """Model, market and Elo baseline scored on the games all three have (so the numbers compare)."""
    from royaley_pipeline.domain.metrics import probability_metrics

    present = [name for name, column in FORECASTS.items() if out_of_fold[column].notna().any()]
    common = out_of_fold.dropna(subset=[FORECASTS[name] for name in present])
    rows = []
    for name in present:
        scores = probability_metrics(common["label"], common[FORECASTS[name]])
        rows.append({"forecast": name, **scores,
                     "ece": expected_calibration_error(common["label"], common[FORECASTS[name]])})
    return pd.DataFrame(rows)


def pick_table(out_of_fold: pd.DataFrame) -> pd.DataFrame:
    """ATS / over-under hit rate at the closing line (pushes excluded) with 95% Wilson intervals."""
    common = out_of_fold.dropna(subset=[c for c in FORECASTS.values() if out_of_fold[c].notna().any()])
    rows = []
    for name, column in FORECASTS.items():
        if common[column].notna().any():
            rows.append({"forecast": name, **pick_hit_rate(common["label"], common[column])})
    return pd.DataFrame(rows)


def build_report(
    result: TrainingResult, bet_type: str, features: pd.DataFrame, kelly_fraction: float = 0.25,
    kelly_cap: float = 0.05,
) -> TrainingReport:
    out_of_fold = result.out_of_fold
    overall = comparison_on_same_games(out_of_fold)
    picks = pick_table(out_of_fold) if bet_type in PICK_BET_TYPES else None
    games = betting_frame(bet_type, out_of_fold, features).dropna(subset=["event_decimal_odds", "other_decimal_odds"])
    policy = backtest(games, kelly_fraction, kelly_cap) if len(games) else None
    reliability = reliability_table(out_of_fold["label"], out_of_fold["probability"])
    metrics = {"overall_model_ece": expected_calibration_error(out_of_fold["label"], out_of_fold["probability"])}
    for row in overall.to_dict("records"):
        key = row["forecast"].lower().replace(" ", "_")
        for name in ("log_loss", "brier", "auc", "accuracy", "ece"):
            metrics[f"same_games_{key}_{name}"] = row[name]
    if picks is not None:
        for row in picks.to_dict("records"):
            key = row["forecast"].lower().replace(" ", "_")
            metrics[f"pick_hit_rate_{key}"] = row["hit_rate"]
    if policy is not None:
        for row in policy.summary.to_dict("records"):
            key = row["tiers"].replace("+", "")
            for name in ("bets", "hit_rate", "flat_roi", "kelly_roi", "kelly_max_drawdown", "flat_max_drawdown",
                         "mean_closing_line_value"):
                metrics[f"backtest_{key}_{name}"] = row[name]
    plots = {"reliability_diagram.png": reliability_png(out_of_fold), "season_log_loss.png": season_png(result.season_metrics)}
    if policy is not None:
        plots["bankroll_curve.png"] = bankroll_png(policy)
    return TrainingReport(result.season_metrics, overall, picks, policy, reliability, metrics, plots, result.tuning)


def champions_table(champions) -> pd.DataFrame:
    """One row per champion (``registry.VersionSummary``): walk-forward scores next to the closing
    market's on the same seasons. Δ log loss < 0 means the model beat the market."""
    rows = []
    for champion in champions:
        metrics = champion.metrics

        def metric(key: str, metrics=metrics):
            value = metrics.get(f"overall_{key}")
            return round(float(value), 4) if value is not None else None

        model_ll, market_ll = metric("model_log_loss_on_market_games"), metric("market_log_loss")
        rows.append({
            "model": champion.name,
            "version": champion.version,
            "framework": champion.framework,
            "features": champion.feature_set_version,
            "walk-forward seasons": champion.walk_forward_seasons,
            "games": int(metrics.get("overall_n", 0)),
            "log loss": metric("model_log_loss"),
            "log loss (priced games)": model_ll,
            "market log loss": market_ll,
            "Δ vs market": round(model_ll - market_ll, 4) if model_ll is not None and market_ll is not None else None,
            "Brier": metric("model_brier"),
            "market Brier": metric("market_brier"),
            "ECE": metric("model_ece"),
            "Elo log loss": metric("baseline_log_loss"),
        })
    return pd.DataFrame(rows)


def _figure():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _figure().close(figure)
    return buffer.getvalue()


def reliability_png(out_of_fold: pd.DataFrame, min_games: int = MIN_GAMES_PER_BIN) -> bytes:
    """Observed frequency against forecast per bin (bins of at least ``min_games`` games), each
    point labelled with its games, and the model's games per bin underneath; legend outside."""
    plt = _figure()
    figure, (axes, counts) = plt.subplots(
        2, 1, figsize=(5.2, 6.2), sharex=True, gridspec_kw={"height_ratios": [3.2, 1]}
    )
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    for name, column in FORECASTS.items():
        rows = out_of_fold.dropna(subset=[column])
        if not len(rows):
            continue
        table = reliability_table(rows["label"], rows[column], min_games=min_games)
        (line,) = axes.plot(table["mean_forecast"], table["observed"], marker="o", label=name,
                            zorder=3 if name == "model" else 2)  # the model on top of a baseline it equals
        if name == "model":
            for x, y, games in zip(table["mean_forecast"], table["observed"], table["games"], strict=True):
                axes.annotate(str(int(games)), (x, y), textcoords="offset points", xytext=(0, 7),
                              ha="center", fontsize=7, color=line.get_color())
            counts.bar((table["bin_low"] + table["bin_high"]) / 2, table["games"],
                       width=(table["bin_high"] - table["bin_low"]) * 0.9, color=line.get_color())
    axes.set(xlim=(0, 1), ylim=(0, 1), ylabel="observed frequency",
             title=f"Reliability (walk-forward, bins of ≥ {min_games} games)")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4, fontsize=8, frameon=False)
    counts.set(xlabel="forecast probability", ylabel="model games")
    figure.subplots_adjust(hspace=0.28)
    return _png(figure)


SEASON_SERIES = (  # label, season-table column, line style, colour (the reliability diagram's)
    ("model", "model_log_loss", "-", "C0"),
    ("model (market-priced games)", "model_log_loss_on_market_games", ":", "C0"),
    ("market (closing, de-vigged)", "market_log_loss", "-", "C1"),
    ("Elo baseline", "baseline_log_loss", "-", "C2"),
)


def season_png(season_table: pd.DataFrame) -> bytes:
    """Walk-forward log loss per test season of the model, the closing market and the Elo baseline,
    in one chart (lower is better). The model on the market-priced games alone is drawn only when
    some games had no price, so that it compares like for like with the market line."""
    plt = _figure()
    figure, axes = plt.subplots(figsize=(7, 3.8))
    priced_all = (season_table["market_n"] == season_table["n"]).all() if "market_n" in season_table else True
    for label, column, style, colour in SEASON_SERIES:
        if column not in season_table or season_table[column].isna().all():
            continue
        if column == "model_log_loss_on_market_games" and priced_all:
            continue
        axes.plot(season_table["season"], season_table[column], linestyle=style, marker="o", color=colour,
                  label=label)
    axes.set(xlabel="test season", ylabel="log loss (lower is better)", title="Walk-forward log loss by season")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8, frameon=False)
    return _png(figure)


def bankroll_png(policy: BacktestResult) -> bytes:
    plt = _figure()
    figure, (flat, kelly) = plt.subplots(1, 2, figsize=(9, 3.5))
    for tiers, curve in policy.curves.groupby("tiers", sort=False):
        flat.plot(curve["bet"], curve["flat"], label=tiers)
        kelly.plot(curve["bet"], curve["kelly"], label=tiers)
    flat.set_title("flat 1 unit (start 100)")
    kelly.set_title("fractional Kelly (start 100)")
    for axes in (flat, kelly):
        axes.set_xlabel("bet number")
        axes.legend(title="tiers")
    return _png(figure)


def ledger_png(curve: pd.DataFrame, title: str) -> bytes:
    """The ledger's bankroll: Kelly bankroll and cumulative flat units after each settled bet."""
    plt = _figure()
    figure, (flat, kelly) = plt.subplots(1, 2, figsize=(9, 3.5))
    flat.plot(curve["bet"], curve["units"], color="tab:blue")
    kelly.plot(curve["bet"], curve["kelly_bankroll"], color="tab:green")
    flat.axhline(0.0, color="grey", linestyle="--")
    kelly.axhline(100.0, color="grey", linestyle="--")
    flat.set_title(f"{title}: flat units")
    kelly.set_title(f"{title}: Kelly bankroll (start 100)")
    for axes in (flat, kelly):
        axes.set_xlabel("bet number (kick-off order)")
    return _png(figure)


def image_markdown(name: str, image: bytes) -> str:
    """A PNG inline in markdown (a data URI), so the Dagster UI shows it on the asset page."""
    return f"![{name}](data:image/png;base64,{base64.b64encode(image).decode('ascii')})"
