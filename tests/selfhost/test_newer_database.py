"""A database migrated by a newer Journeys is refused at start, with a message saying what to do,
and nothing is written to it."""
from __future__ import annotations

import pytest

from engine.ops.schema import (DatabaseNewerThanCode, known_heads, refuse_newer_database,
                               schema_state)
from engine.storage.database import make_engine, migrate

from .helpers import FUTURE_REVISION, ROOT, fake_web_dir, journeys, stamp


def test_schema_state_of_new_current_and_newer_databases(empty_sql_url):
    new = schema_state(empty_sql_url)
    assert new.empty and not new.at_head and not new.newer_than_code
    migrate(empty_sql_url)
    current = schema_state(empty_sql_url)
    assert current.at_head and current.current == known_heads()
    sa_engine = make_engine(empty_sql_url)
    try:
        stamp(sa_engine, FUTURE_REVISION)
        newer = schema_state(sa_engine)
    finally:
        sa_engine.dispose()
    assert newer.newer_than_code and newer.unknown == (FUTURE_REVISION,)


def test_refused_with_a_clear_message(empty_sql_url):
    # A private database (not the shared, migrated one: its revision must not leak).
    sql_url = empty_sql_url
    migrate(sql_url)
    assert refuse_newer_database(sql_url).at_head  # a current database passes
    sa_engine = make_engine(sql_url)
    try:
        stamp(sa_engine, FUTURE_REVISION)
    finally:
        sa_engine.dispose()
    with pytest.raises(DatabaseNewerThanCode) as caught:
        refuse_newer_database(sql_url)
    message = caught.value.message
    assert FUTURE_REVISION in message
    assert "newer version of Journeys" in message
    assert "journeys restore" in message  # says how to go back
    assert caught.value.details["unknown"] == [FUTURE_REVISION]
    assert "password" not in message.lower() or "***" in message


def test_serve_refuses_a_newer_database_and_leaves_it_alone(tmp_path):
    url = f"sqlite:///{tmp_path}/journeys.db"
    migrate(url)
    sa_engine = make_engine(url)
    try:
        stamp(sa_engine, FUTURE_REVISION)
    finally:
        sa_engine.dispose()
    web = fake_web_dir(tmp_path)
    done = journeys("serve", "--check", "--no-build", "--web-dir", str(web),
                    "--project-dir", str(ROOT), cwd=tmp_path, env={"DATABASE_URL": url})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot start" in done.stderr and FUTURE_REVISION in done.stderr
    assert "Traceback" not in done.stderr
    assert schema_state(url).current == (FUTURE_REVISION,)  # not migrated, not touched
