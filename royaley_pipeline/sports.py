"""The sport registry: everything the pipeline needs to know about a sport.

Assets, features and models read a sport's behaviour from here, so adding a sport is a
registry entry, not a code change elsewhere. That includes which live sources cover it and under
which of the source's own league identifiers (``sources``): the live assets skip a sport a
source does not list, and the clients build their requests from the identifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from royaley_pipeline.errors import BadRequest

MONEYLINE = "moneyline"
SPREAD = "spread"
TOTAL = "total"
MATCH_WINNER = "match_winner"
BET_TYPES = (SPREAD, MONEYLINE, TOTAL, MATCH_WINNER)


@dataclass(frozen=True)
class EloParameters:
    """Elo settings tuned per sport; margin of victory matters in team sports, not in tennis."""

    k_factor: float = 20.0
    home_advantage: float = 48.0
    initial_rating: float = 1500.0
    season_regression: float = 1 / 3  # share of the gap to the mean removed between seasons
    use_margin_of_victory: bool = True


@dataclass(frozen=True)
class Sport:
    code: str
    name: str
    kind: str  # "team" or "individual"
    outdoor: bool
    bet_types: tuple[str, ...]
    season_start_month: int  # the season is named by the year in which it starts
    season_end_month: int
    elo: EloParameters = field(default_factory=EloParameters)
    short_rest_days: int = 1
    """Rest (in days) at or below which a team plays on short rest: a back-to-back in basketball,
    a Thursday game after a Sunday in football."""
    sources: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Live source name (the middle of its asset keys, ``raw/<source>/…``) → the source's own
    identifier of this sport's league: ESPN's ``football/nfl``, The Odds API's
    ``americanfootball_nfl``, Pinnacle's ``sportId/leagueId``, TheSportsDB's league name."""

    @property
    def is_individual(self) -> bool:
        return self.kind == "individual"

    def offers(self, bet_type: str) -> bool:
        return bet_type in self.bet_types

    def season_of(self, year: int, month: int) -> int:
        """Season label of a date: seasons that cross New Year belong to their start year."""
        if self.season_start_month > self.season_end_month and month <= self.season_end_month:
            return year - 1
        return year

    def league(self, source: str) -> str:
        """The source's identifier of this sport's league; an error if the source does not cover it."""
        try:
            return self.sources[source]
        except KeyError:
            raise ValueError(f"{source} does not cover {self.code}; it is not in the sport registry's sources") from None


TEAM_BET_TYPES = (SPREAD, MONEYLINE, TOTAL)

SPORTS: dict[str, Sport] = {
    sport.code: sport
    for sport in (
        Sport("NFL", "National Football League", "team", True, TEAM_BET_TYPES, 9, 2,
              EloParameters(k_factor=20.0, home_advantage=48.0, season_regression=1 / 3), short_rest_days=5,
              sources=dict(espn="football/nfl", the_odds_api="americanfootball_nfl", pinnacle="15/889", thesportsdb="NFL",
                           nflverse="games", open_meteo="venue")),
        Sport("NCAAF", "NCAA Football", "team", True, TEAM_BET_TYPES, 8, 1,
              EloParameters(k_factor=25.0, home_advantage=55.0, season_regression=0.4), short_rest_days=5,
              sources=dict(espn="football/college-football", the_odds_api="americanfootball_ncaaf", open_meteo="venue")),
        Sport("NBA", "National Basketball Association", "team", False, TEAM_BET_TYPES, 10, 6,
              EloParameters(k_factor=20.0, home_advantage=100.0, season_regression=0.25),
              sources=dict(espn="basketball/nba", the_odds_api="basketball_nba", pinnacle="4/487", thesportsdb="NBA",
                           open_meteo="venue")),
        Sport("NCAAB", "NCAA Men's Basketball", "team", False, TEAM_BET_TYPES, 11, 4,
              EloParameters(k_factor=20.0, home_advantage=80.0, season_regression=0.3),
              sources=dict(espn="basketball/mens-college-basketball", the_odds_api="basketball_ncaab", open_meteo="venue")),
        Sport("NHL", "National Hockey League", "team", False, TEAM_BET_TYPES, 10, 6,
              EloParameters(k_factor=6.0, home_advantage=35.0, season_regression=0.3),
              sources=dict(espn="hockey/nhl", the_odds_api="icehockey_nhl", thesportsdb="NHL", open_meteo="venue")),
        Sport("MLB", "Major League Baseball", "team", True, TEAM_BET_TYPES, 3, 10,
              EloParameters(k_factor=4.0, home_advantage=24.0, season_regression=0.33),
              sources=dict(espn="baseball/mlb", the_odds_api="baseball_mlb", thesportsdb="MLB", open_meteo="venue")),
        Sport("ATP", "ATP Tour (men's tennis)", "individual", True, (MATCH_WINNER,), 1, 12,
              EloParameters(k_factor=32.0, home_advantage=0.0, season_regression=0.0,
                            use_margin_of_victory=False),
              sources=dict(sackmann="atp")),
        Sport("WTA", "WTA Tour (women's tennis)", "individual", True, (MATCH_WINNER,), 1, 12,
              EloParameters(k_factor=32.0, home_advantage=0.0, season_regression=0.0,
                            use_margin_of_victory=False)),
    )
}


class UnknownSportError(BadRequest):
    """A sport code that is not in the registry."""


def get_sport(code: str) -> Sport:
    """Look a sport up by code, case-insensitively, with an error that lists the known ones."""
    try:
        return SPORTS[code.upper()]
    except KeyError:
        known = ", ".join(SPORTS)
        raise UnknownSportError(f"unknown sport {code!r}; known sports: {known}") from None


def check_bet_type(sport: Sport, bet_type: str) -> str:
    if not sport.offers(bet_type):
        raise BadRequest(
            f"{sport.code} does not offer bet type {bet_type!r}; it offers {', '.join(sport.bet_types)}"
        )
    return bet_type
