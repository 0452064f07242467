"""The posture summary (open findings by project, severity and first-seen day), and
indexes for the findings search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:00:00

Creates ``posture_counts`` and fills it from the findings already stored (in this
migration's transaction: no finding changes meanwhile, on PostgreSQL the advisory lock
of ``migrate`` keeps every other server process waiting).

The overview's indexes on findings (state and severity, state and first seen, project,
state and severity) go; the searches walk (state, id) and (project, state, id) newest
first instead, and the overview finds each project's newest run in (project, id).

The text index: on PostgreSQL a trigram GIN index (pg_trgm) on title, path, rule id and
package joined by newlines, when the extension is there or may be created (a superuser,
or the database owner: pg_trgm is a trusted extension); on SQLite an FTS5 table with the
trigram tokenizer, kept by triggers. Where neither can be made, the migration goes on
without it and the search reads the table, as before.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

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
    # the overview no longer counts findings: its indexes go; the searches walk these
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_state_severity")
        batch_op.drop_index("ix_findings_state_first_seen")
        batch_op.drop_index("ix_findings_project_state")
        batch_op.create_index("ix_findings_state_id", ["state", "id"], unique=False)
        batch_op.create_index(
            "ix_findings_project_state_id", ["project_id", "state", "id"], unique=False
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_project_id", ["project_id", "id"], unique=False)
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
    if postgresql:
        _trigram_index()
    else:
        _fts_table()


def _trigram_index() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        log.warning("no trigram index for the findings search (pg_trgm: %s)", exc.orig)
        return
    op.execute(
        "CREATE INDEX ix_findings_search_trgm ON findings USING gin "
        "((title || E'\\n' || path || E'\\n' || rule_id || E'\\n' || coalesce(package, '')) "
        "gin_trgm_ops)"
    )


FTS_TRIGGERS = (
    """
    CREATE TRIGGER findings_fts_insert AFTER INSERT ON findings BEGIN
        INSERT INTO findings_fts(rowid, title, path, rule_id, package)
        VALUES (new.id, new.title, new.path, new.rule_id, new.package);
    END
    """,
    """
    CREATE TRIGGER findings_fts_delete AFTER DELETE ON findings BEGIN
        INSERT INTO findings_fts(findings_fts, rowid, title, path, rule_id, package)
        VALUES ('delete', old.id, old.title, old.path, old.rule_id, old.package);
    END
    """,
    """
    CREATE TRIGGER findings_fts_update AFTER UPDATE OF title, path, rule_id, package
    ON findings
    WHEN old.title IS NOT new.title OR old.path IS NOT new.path
        OR old.rule_id IS NOT new.rule_id OR old.package IS NOT new.package
    BEGIN
        INSERT INTO findings_fts(findings_fts, rowid, title, path, rule_id, package)
        VALUES ('delete', old.id, old.title, old.path, old.rule_id, old.package);
        INSERT INTO findings_fts(rowid, title, path, rule_id, package)
        VALUES (new.id, new.title, new.path, new.rule_id, new.package);
    END
    """,
)


def _fts_table() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE findings_fts USING fts5(title, path, rule_id, package, "
                "content='findings', content_rowid='id', tokenize='trigram')"
            )
    except DBAPIError as exc:
        log.warning("no FTS5 trigram table for the findings search (%s)", exc.orig)
        return
    for trigger in FTS_TRIGGERS:
        bind.exec_driver_sql(trigger)
    bind.exec_driver_sql("INSERT INTO findings_fts(findings_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_findings_search_trgm")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS findings_fts_{name}")
        op.execute("DROP TABLE IF EXISTS findings_fts")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_project_state_id")
        batch_op.drop_index("ix_findings_state_id")
        batch_op.create_index("ix_findings_state_severity", ["state", "severity"], unique=False)
        batch_op.create_index(
            "ix_findings_state_first_seen", ["state", "first_seen_at"], unique=False
        )
        batch_op.create_index(
            "ix_findings_project_state", ["project_id", "state", "severity"], unique=False
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_project_id")
    op.drop_table("posture_counts")
