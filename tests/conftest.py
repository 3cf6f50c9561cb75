"""Shared fixtures: settings builders and the real services the integration tests use.

Backends come from the environment so that CI runs against real PostgreSQL and Redis
(``.ci/run`` sets ``ONETHING_TEST_DATABASE_URL`` and ``ONETHING_TEST_REDIS_URL``) while a
developer's machine without them still runs the whole suite on the embedded default.
In CI a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

from onething.settings import Settings, load_settings

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("ONETHING_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("ONETHING_TEST_REDIS_URL", "")

if IN_CI and not (PG_URL and REDIS_URL):
    raise pytest.UsageError(
        "CI must run the integration tests against real services: set ONETHING_TEST_DATABASE_URL and "
        "ONETHING_TEST_REDIS_URL (.ci/run does)"
    )


# Property tests draw the same examples on every run and keep none: a failure in CI is the one a
# laptop sees. What hypothesis still caches (constants it reads from the source) goes outside the checkout.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "onething-hypothesis"))
hypothesis_settings.register_profile("onething", database=None, derandomize=True, print_blob=False)
hypothesis_settings.load_profile("onething")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


def settings_environ(tmp_path: Path, **env: str) -> dict[str, str]:
    """The ``ONETHING_*`` variables of a test's settings (also what a command run beside it gets)."""
    environ = {"ONETHING_DATA_DIR": str(tmp_path / "data"), "ONETHING_SECRET_KEY": TEST_SECRET}
    environ.update({f"ONETHING_{k.upper()}": v for k, v in env.items()})
    return environ


def make_settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(settings_environ(tmp_path, **env))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto in server mode) for the MinIO client to talk to.

    It runs in its own process so that what it keeps in memory is not counted as ours.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def s3_url(s3_server: str) -> str:
    bucket = f"onething-{uuid.uuid4().hex[:12]}"
    return f"s3://testing:testing-secret@{s3_server}/{bucket}?secure=false&region=us-east-1"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    import asyncio

    import asyncpg

    name = f"onething_test_{uuid.uuid4().hex[:10]}"
    admin = PG_URL.replace("postgres://", "postgresql://", 1)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


DATABASES = ["sqlite"] + (["postgres"] if PG_URL else [])
REDISES = ["memory"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path: Path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_server_url")
    return f"sqlite://{tmp_path / 'test.sqlite3'}"


@pytest.fixture(params=REDISES)
def redis_url(request) -> str:
    return REDIS_URL if request.param == "redis" else ""
