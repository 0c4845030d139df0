"""wider book names

A book is stored by name, and names through an aggregator are long: CollegeFootballData's
``cfbd:Caesars Sportsbook (Colorado)`` is 34 characters, past the 32 the first schema allowed
(source rows are checked against the column sizes before they are written, so the NCAAF history
was refused). 64 leaves room for any provider the feeds name today.

Revision ID: 0005_wider_book_names
Revises: 0004_model_artifact_digests
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_wider_book_names"
down_revision = "0004_model_artifact_digests"
branch_labels = None
depends_on = None

TABLES = ("odds_snapshots", "predictions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("book", type_=sa.String(length=64), existing_type=sa.String(length=32))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("book", type_=sa.String(length=32), existing_type=sa.String(length=64))
