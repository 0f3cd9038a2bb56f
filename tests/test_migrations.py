"""Migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ccus.db.engine import make_engine
from ccus.db.models import Base
from tests.conftest import Backend


def test_migrated_schema_matches_models(backend: Backend) -> None:
    engine = make_engine(backend.url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
