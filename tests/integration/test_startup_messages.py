"""What ``onething serve`` says when it cannot start (the port that is taken, the database that
does not answer and the setting naming it: exit 1, no traceback), and that it names an
unreachable Redis the same way."""

from __future__ import annotations

import socket

import pytest

from onething import cli
from onething.app import create_app, started
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


async def test_an_unreachable_redis_is_named_at_startup(tmp_path, caplog):
    """Named as the database is, but the service still starts: what needs Redis answers 503
    until it answers (tests/e2e/test_outages.py), so a Redis restart is no outage of the rest."""
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    settings.data_dir.mkdir(parents=True)
    await migrated(settings.database_url)
    async with started(create_app(settings, run_jobs=False)):
        pass
    named = [r.getMessage() for r in caplog.records if "ONETHING_REDIS_URL" in r.getMessage()]
    assert len(named) == 1 and named[0].startswith("cannot reach Redis")
    assert "ONETHING_DATABASE_URL" not in named[0]


def test_an_unreachable_database_is_named_the_same_way(serve):
    code, said = serve(free_port(), database_url=f"postgres://postgres@127.0.0.1:{free_port()}/onething")
    assert code == 1
    assert "cannot reach the database" in said and "check ONETHING_DATABASE_URL" in said
    assert "ONETHING_REDIS_URL" not in said and "Traceback" not in said
