"""Alembic environment: always driven by glasshouse.storage.db.migrate with a connection."""

from __future__ import annotations

from alembic import context

from glasshouse.storage.models import Base
from glasshouse.storage.search import owns

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the package never runs Alembic another way
    raise RuntimeError("run migrations with `glasshouse server migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # the text index lives outside the models (an expression index, an FTS5 table)
    include_name=lambda name, _type, _parent: not owns(name),
)
with context.begin_transaction():
    context.run_migrations()
