"""The PostgreSQL server the store's tests run on: $WORKFLOW_TEST_PG_URL, checked, and emptied per test."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

HOW = 'PostgreSQL store tests skipped: set WORKFLOW_TEST_PG_URL, e.g. eval "$(.ci/postgres start)"'


def pg_url() -> str:
    """The PostgreSQL URL to test on, or a skip (a failure under CI=true)."""
    url = os.environ.get("WORKFLOW_TEST_PG_URL")
    why = None
    if not url:
        why = HOW
    else:
        try:
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.connect():
                pass
            engine.dispose()
        except sa.exc.SQLAlchemyError as e:
            why = f"{HOW} (the server at {url} did not answer: {str(e).splitlines()[0]})"
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true needs a PostgreSQL server: {why}")
        pytest.skip(why)
    assert url is not None
    return url


def fresh_pg(url: str) -> str:
    """``url``'s database emptied (its public schema dropped and made again)."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url
