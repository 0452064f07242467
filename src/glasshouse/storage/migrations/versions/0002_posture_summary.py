"""The posture summary: open findings by project, severity and first-seen day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:00:00

Creates ``posture_counts`` and fills it from the findings already stored (in this
migration's transaction: no finding changes meanwhile, on PostgreSQL the advisory lock
of ``migrate`` keeps every other server process waiting).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posture_counts",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.SmallInteger(), nullable=False),
        sa.Column("first_seen_day", sa.Date(), nullable=False),
        sa.Column("open_findings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_posture_counts_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "severity", "first_seen_day", name=op.f("pk_posture_counts")
        ),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(
        """
        INSERT INTO posture_counts (project_id, severity, first_seen_day, open_findings)
        SELECT project_id, severity, CAST(first_seen_at AS DATE), COUNT(*) FROM findings
        WHERE state IN ('open', 'confirmed')
        GROUP BY project_id, severity, CAST(first_seen_at AS DATE)
        """
        if postgresql
        else """
        INSERT INTO posture_counts (project_id, severity, first_seen_day, open_findings)
        SELECT project_id, severity, date(first_seen_at), COUNT(*) FROM findings
        WHERE state IN ('open', 'confirmed')
        GROUP BY project_id, severity, date(first_seen_at)
        """
    )


def downgrade() -> None:
    op.drop_table("posture_counts")
