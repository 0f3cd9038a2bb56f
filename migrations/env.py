"""Alembic environment: runs migrations on the configured database."""

from __future__ import annotations

from alembic import context

from ccus.config import load_settings
from ccus.db.engine import make_engine
from ccus.db.models import Base

config = context.config
url = config.attributes.get("database_url") or load_settings().database_url
connection = config.attributes.get("connection")


def run_online() -> None:
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()


def _run(conn: object) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_online()
