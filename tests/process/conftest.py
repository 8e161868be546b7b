import os
import uuid

import psycopg
import pytest

PG_ADMIN = os.environ.get("DATABASE_URL_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def fresh_pg_url():
    """A brand-new PostgreSQL database for one process-level test, dropped afterwards."""
    name = f"journeys_{uuid.uuid4().hex[:10]}"
    dsn = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
