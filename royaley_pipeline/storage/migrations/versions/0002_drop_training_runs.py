"""drop training_runs

Each training run is already recorded twice, by Dagster (run, config, the model asset's
metadata; the API's run status reads it) and by MLflow (run, evidence, registered version). The
table was a third copy that nothing read.

Revision ID: 0002_drop_training_runs
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_drop_training_runs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("training_runs")


def downgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sport_id", sa.Integer(), nullable=False),
        sa.Column("bet_type", sa.String(length=16), nullable=False),
        sa.Column("framework", sa.String(length=16), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_first_season", sa.Integer(), nullable=True),
        sa.Column("data_last_season", sa.Integer(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("mlflow_run_id", sa.String(length=64), nullable=True),
        sa.Column("model_name", sa.String(length=100), nullable=True),
        sa.Column("model_version", sa.String(length=16), nullable=True),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["sport_id"], ["sports.id"], name=op.f("fk_training_runs_sport_id_sports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
