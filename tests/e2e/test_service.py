"""The service as an operator meets it: the command line, health checks, errors, request ids."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
import json

import pytest
from aiohttp import web

from onething.web.requests import edge_middleware
from tests.conftest import REDIS_URL, free_port, wait_for_port
from tests.support.apps import start_app

ONETHING = [sys.executable, "-m", "onething.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}
    env.update(extra)
    return env


def test_serve_works_in_an_empty_folder(tmp_path):
    port = free_port()
    process = subprocess.Popen(ONETHING + ["serve", "--port", str(port)], cwd=tmp_path, env=clean_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            assert json.load(response)["status"] == "ok"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output.decode()
    assert (tmp_path / "data" / "onething.sqlite3").exists()
    assert b"Traceback" not in output


def test_bad_settings_stop_startup_with_a_clear_message(tmp_path):
    result = subprocess.run(ONETHING + ["migrate"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env=clean_env(ONETHING_DATABASE_URL="mysql://db/x", ONETHING_ENV="production"))
    assert result.returncode == 2
    assert "ONETHING_DATABASE_URL must start with sqlite:// or postgres://" in result.stderr
    assert "ONETHING_SECRET_KEY is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_reports_what_it_applied(tmp_path):
    run = lambda: subprocess.run(ONETHING + ["migrate"], cwd=tmp_path, capture_output=True, text=True,
                                 timeout=60, env=clean_env())
    first, second = run(), run()
    assert first.returncode == 0 and "models.0001_initial" in first.stdout
    assert second.returncode == 0 and "applied 0 migration(s)" in second.stdout


async def test_health_and_readiness(aiohttp_server, aiohttp_client, tmp_path):
    client = await aiohttp_client((await start_app(aiohttp_server, tmp_path)).server)
    assert await (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["failed"] == []


async def test_unknown_paths_answer_in_the_error_shape(aiohttp_server, aiohttp_client, tmp_path):
    client = await aiohttp_client((await start_app(aiohttp_server, tmp_path)).server)
    response = await client.get("/no-such-page")
    assert response.status == 404
    error = (await response.json())["error"]
    assert error["code"] == "not_found" and error["message"] == "您访问的内容不存在。"


async def test_a_crash_is_logged_with_its_request_id_and_never_shown(aiohttp_client, caplog):
    async def boom(request):
        raise RuntimeError("secret internals 110101199003074578")

    app = web.Application(middlewares=[edge_middleware])
    app.router.add_get("/boom", boom)
    client = await aiohttp_client(app)
    response = await client.get("/boom", headers={"X-Request-Id": "req-12345678"})
    assert response.status == 500
    body = await response.text()
    assert "secret internals" not in body and "Traceback" not in body
    assert json.loads(body)["error"]["code"] == "internal_error"
    assert response.headers.get("X-Request-Id") == "req-12345678"
    crash = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert crash and crash[0].exc_info is not None


async def test_request_ids_are_echoed_or_made(aiohttp_server, aiohttp_client, tmp_path):
    client = await aiohttp_client((await start_app(aiohttp_server, tmp_path)).server)
    given = await client.get("/healthz", headers={"X-Request-Id": "abc-def-12345"})
    assert given.headers["X-Request-Id"] == "abc-def-12345"
    hostile = await client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert hostile.headers["X-Request-Id"] != "<script>" and len(hostile.headers["X-Request-Id"]) == 32


@pytest.mark.parametrize("redis_url", ["redis"] if REDIS_URL else [], indirect=True)
def test_stopping_serve_stops_all_its_app_processes(tmp_path, redis_url):
    port = free_port()
    process = subprocess.Popen(ONETHING + ["serve", "--port", str(port), "--workers", "2"], cwd=tmp_path,
                               env=clean_env(ONETHING_REDIS_URL=redis_url), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for_port(port, timeout=30)
    process.terminate()
    assert process.wait(timeout=30) == 0
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "an app process is still serving"


def test_more_than_one_process_needs_redis(tmp_path):
    result = subprocess.run(ONETHING + ["serve", "--workers", "2"], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "needs ONETHING_REDIS_URL" in result.stderr


def run_cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(ONETHING + list(args), cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
                          timeout=60)


def test_clerks_check_deadlines_by_hand_with_the_calendar_command(tmp_path):
    assert run_cli(tmp_path, "calendar", "due", "2026-09-30", "5").stdout.strip() == "2026-10-13"
    assert run_cli(tmp_path, "calendar", "between", "2026-09-30", "2026-10-13").stdout.strip() == "5"
    provisional = run_cli(tmp_path, "calendar", "due", "2027-03-01", "5")  # no 2027 notice imported yet
    assert provisional.stdout.strip() == "2027-03-08  (provisional: the year's official schedule is not imported)"
    unknown = run_cli(tmp_path, "calendar", "due", "2150-03-01", "5")
    assert unknown.returncode == 2 and "no holiday schedule for 2150" in unknown.stderr


def test_catalog_check_and_staff_accounts_from_the_command_line(tmp_path):
    check = run_cli(tmp_path, "catalog", "check")
    assert check.returncode == 0 and "catalog ok: 6 things" in check.stdout
    assert run_cli(tmp_path, "migrate").returncode == 0
    created = run_cli(tmp_path, "staff", "create", "wang", "--role", "reviewer", "--department", "market",
                      "--password", "long-enough-pw", "--name", "王芳")
    assert created.returncode == 0, created.stderr
    assert "王芳" in created.stdout
    twice = run_cli(tmp_path, "staff", "create", "wang", "--role", "clerk", "--password", "long-enough-pw")
    assert twice.returncode == 2 and "already exists" in twice.stderr
    nowhere = run_cli(tmp_path, "staff", "create", "li", "--role", "reviewer", "--department", "moon",
                      "--password", "long-enough-pw")
    assert nowhere.returncode == 2 and "unknown department 'moon'" in nowhere.stderr
    assert run_cli(tmp_path, "audit", "check").stdout.strip() == "audit trail intact"


def test_courier_accounts_from_the_command_line(tmp_path):
    assert run_cli(tmp_path, "migrate").returncode == 0
    created = run_cli(tmp_path, "courier", "create", "li-ems", "--carrier", "ems", "--password", "long-enough-pw")
    assert created.returncode == 0 and "created courier li-ems (ems)" in created.stdout, created.stderr
    unknown = run_cli(tmp_path, "courier", "create", "li-dhl", "--carrier", "dhl", "--password", "long-enough-pw")
    assert unknown.returncode == 2 and "unknown carrier 'dhl'" in unknown.stderr


def test_an_unreachable_database_is_named_not_traced(tmp_path):
    result = subprocess.run(ONETHING + ["migrate"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env=clean_env(ONETHING_DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/x"))
    assert result.returncode == 1
    assert "cannot reach a service" in result.stderr and "ONETHING_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
