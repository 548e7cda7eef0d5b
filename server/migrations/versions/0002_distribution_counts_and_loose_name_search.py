"""distribution counts and loose name search

Adds `activities.tracks_quantity` (a distribution that records how many items each person
received) and recomputes `people.search_name` with the looser cross-script key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.people.names import search_key

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tracks_quantity", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.alter_column("tracks_quantity", server_default=None)
    _recompute_search_names()


def _recompute_search_names() -> None:
    conn = op.get_bind()
    people = sa.table(
        "people",
        sa.column("id", sa.Uuid()),
        sa.column("given_name", sa.String()),
        sa.column("family_name", sa.String()),
        sa.column("search_name", sa.String()),
    )
    rows = conn.execute(sa.select(people.c.id, people.c.given_name, people.c.family_name))
    for person_id, given, family in rows.all():
        conn.execute(
            people.update()
            .where(people.c.id == person_id)
            .values(search_name=search_key(given, family))
        )


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_column("tracks_quantity")
