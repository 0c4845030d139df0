"""model_artifact_digests

The SHA-256 of every file of a registered model version, recorded when it is registered and checked
before it is loaded. A model that can only be stored as a pickle (the pyfunc wrappers around H2O
MOJOs and AutoGluon predictors) is loaded only when its files are exactly the ones registered;
kept here, not in MLflow, so that whoever can edit MLflow's tags and artifacts cannot also edit
the digests.

Revision ID: 0004_model_artifact_digests
Revises: 0003_settlements
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_model_artifact_digests"
down_revision = "0003_settlements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_artifact_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_artifact_digests")),
        sa.UniqueConstraint("model_name", "model_version", "path",
                            name=op.f("uq_model_artifact_digests_model_name_model_version_path")),
    )


def downgrade() -> None:
    op.drop_table("model_artifact_digests")
