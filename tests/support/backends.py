"""One backend pair for a test whose behaviour does not depend on it: the production one
(PostgreSQL and Redis) where the run has them, else the embedded one. Import both fixtures into
the test module to replace the usual four combinations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PG_URL, REDIS_URL


@pytest.fixture(name="database_url")
def production_database(request, tmp_path: Path) -> str:
    if PG_URL:
        return request.getfixturevalue("postgres_server_url")
    return f"sqlite://{tmp_path / 'test.sqlite3'}"


@pytest.fixture(name="redis_url")
def production_redis() -> str:
    return REDIS_URL
