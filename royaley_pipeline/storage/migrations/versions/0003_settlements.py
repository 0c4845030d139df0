"""settlements; predictions keep their history and record their snapshot cut-off

A game is predicted at 06:00 and again when new odds land: each prediction is now its own row
(unique per game, bet type and predicted_at) so the settlement can tell the bet (the first with a
stake) from later re-predictions. `snapshot_cutoff` records the instant before which the
prediction's market, weather and injury inputs were observed. `settlements` holds the graded
predictions of decided games.

Revision ID: 0003_settlements
Revises: 0002_drop_training_runs
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_settlements"
down_revision = "0002_drop_training_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot_cutoff", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint("uq_predictions_game_id_bet_type", type_="unique")
        batch_op.create_unique_constraint(
            "uq_predictions_game_id_bet_type_predicted_at", ["game_id", "bet_type", "predicted_at"]
        )
    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("sport_id", sa.Integer(), nullable=False),
        sa.Column("game_date", sa.Date(), nullable=False),
        sa.Column("bet_type", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("predicted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=False),
        sa.Column("model_version", sa.String(length=16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("line", sa.Float(), nullable=True),
        sa.Column("price_american", sa.Float(), nullable=True),
        sa.Column("decimal_odds", sa.Float(), nullable=True),
        sa.Column("edge", sa.Float(), nullable=True),
        sa.Column("tier", sa.String(length=1), nullable=False),
        sa.Column("kelly_stake", sa.Float(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("units", sa.Float(), nullable=True),
        sa.Column("kelly_return", sa.Float(), nullable=True),
        sa.Column("home_score", sa.Float(), nullable=True),
        sa.Column("away_score", sa.Float(), nullable=True),
        sa.Column("closing_line", sa.Float(), nullable=True),
        sa.Column("closing_price_american", sa.Float(), nullable=True),
        sa.Column("closing_probability", sa.Float(), nullable=True),
        sa.Column("clv_probability", sa.Float(), nullable=True),
        sa.Column("clv_line_points", sa.Float(), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("result IN ('won', 'lost', 'push', 'void')", name=op.f("ck_settlements_result_known")),
        sa.CheckConstraint(
            "role IN ('bet', 'no stake', 're-prediction', 'after kick-off')", name=op.f("ck_settlements_role_known")
        ),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name=op.f("fk_settlements_game_id_games"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sport_id"], ["sports.id"], name=op.f("fk_settlements_sport_id_sports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("game_id", "bet_type", "predicted_at",
                            name=op.f("uq_settlements_game_id_bet_type_predicted_at")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index("ix_settlements_sport_date", ["sport_id", "game_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_settlements_sport_date")
    op.drop_table("settlements")
    # Keep the latest prediction of each game and bet type: the old key allows only one.
    op.execute(
        "DELETE FROM predictions WHERE EXISTS (SELECT 1 FROM predictions later "
        "WHERE later.game_id = predictions.game_id AND later.bet_type = predictions.bet_type "
        "AND later.predicted_at > predictions.predicted_at)"
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_predictions_game_id_bet_type_predicted_at", type_="unique")
        batch_op.create_unique_constraint("uq_predictions_game_id_bet_type", ["game_id", "bet_type"])
        batch_op.drop_column("snapshot_cutoff")
