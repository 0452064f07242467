"""Triage decisions that follow a fingerprint across branches and back from fixed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:00:00

Creates ``triage_decisions`` and fills it from the event log: per project and
fingerprint, the latest triage event a person appended to any of its findings, when it
says false positive or accepted risk. The findings of other branches receive those
decisions from the server's next sweep (an event of the system actor each).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "triage_decisions",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_triage_decisions_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("project_id", "fingerprint", name=op.f("pk_triage_decisions")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_findings_project_fingerprint", ["project_id", "fingerprint"], unique=False
        )
    op.execute(
        """
        INSERT INTO triage_decisions
            (project_id, fingerprint, state, expires, event_id, actor, reason, decided_at)
        SELECT project_id, fingerprint, state, expires, id, actor, reason, at FROM (
            SELECT f.project_id, f.fingerprint, e.state, e.expires, e.id, e.actor, e.reason,
                   e.at, ROW_NUMBER() OVER (
                       PARTITION BY f.project_id, f.fingerprint ORDER BY e.id DESC
                   ) AS n
            FROM events e JOIN findings f ON f.id = e.finding_id
            WHERE e.action = 'triage' AND e.run_id IS NULL AND e.actor <> 'system'
              AND e.state IS NOT NULL
        ) latest
        WHERE n = 1 AND state IN ('false_positive', 'accepted_risk')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_project_fingerprint")
    op.drop_table("triage_decisions")
