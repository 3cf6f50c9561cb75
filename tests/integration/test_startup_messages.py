"""What ``onething serve`` says when it cannot start: the port that is taken, or the one service
that does not answer and the setting that names it; exit 1, and no traceback."""

from __future__ import annotations

import asyncio
import socket

import pytest

from onething import cli
from tests.conftest import free_port, make_settings, settings_environ
from tests.support.apps import migrated


@pytest.fixture
def serve(tmp_path, monkeypatch, capsys):
    # the logs' handler would keep the first test's captured stream; these tests read what is printed
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)

    def serve(port: int, **env: str) -> tuple[int, str]:
        for name, value in settings_environ(tmp_path, **env).items():
            monkeypatch.setenv(name, value)
        code = cli.main(["serve", "--port", str(port)])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return serve


def test_a_port_in_use_is_named_as_taken(serve):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, said = serve(port)
    assert code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in said
    assert "cannot reach" not in said and "Traceback" not in said


def test_an_unreachable_redis_is_named_at_startup(serve, tmp_path):
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    asyncio.run(migrated(settings.database_url))  # the database is fine: only Redis is not
    code, said = serve(free_port(), redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert code == 1
    assert "cannot reach Redis" in said and "check ONETHING_REDIS_URL" in said
    assert "ONETHING_DATABASE_URL" not in said and "Traceback" not in said


def test_an_unreachable_database_is_named_the_same_way(serve):
    code, said = serve(free_port(), database_url=f"postgres://postgres@127.0.0.1:{free_port()}/onething")
    assert code == 1
    assert "cannot reach the database" in said and "check ONETHING_DATABASE_URL" in said
    assert "ONETHING_REDIS_URL" not in said and "Traceback" not in said
