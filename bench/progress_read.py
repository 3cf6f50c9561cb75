"""Benchmark: GET /api/v1/applications/{id} under concurrent load, beside a floor measured in the same run.

The floor is a bare aiohttp endpoint doing one Redis GET and one asyncpg primary-key select.
Both run as 2 processes on PostgreSQL and Redis. Budget (issue): at least half the floor's
throughput, p99 within 1.5x the floor's.

    ./dev bench progress_read [--seconds 10] [--concurrency 64]
Needs PostgreSQL and Redis on localhost (BENCH_DATABASE_URL, BENCH_REDIS_URL to override).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid

import aiohttp
import asyncpg

PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

FLOOR = textwrap.dedent('''
    import asyncio, os, sys, asyncpg, redis.asyncio as aioredis
    from aiohttp import web
    async def ctx(app):
        app["pg"] = await asyncpg.create_pool(os.environ["PG"].replace("postgres://", "postgresql://", 1), min_size=2, max_size=10)
        app["redis"] = aioredis.from_url(os.environ["REDIS"])
        yield
        await app["pg"].close(); await app["redis"].aclose()
    async def handler(request):
        await request.app["redis"].get("bench:session")
        row = await request.app["pg"].fetchrow("SELECT id, state FROM application WHERE id = $1", int(request.match_info["id"]))
        return web.json_response({"id": row["id"], "state": row["state"]})
    app = web.Application(); app.cleanup_ctx.append(ctx)
    app.router.add_get("/floor/{id}", handler)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), reuse_port=True, access_log=None, print=None)
''')


def load(url: str, headers: dict, seconds: float, concurrency: int) -> tuple[float, float]:
    """Throughput and p99 (ms): wrk when installed (apt-get install wrk), else a Python client,
    which saturates first and then measures itself rather than the server."""
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds, concurrency)
    return asyncio.run(_python_load(url, headers, seconds, concurrency))


def _wrk(url: str, headers: dict, seconds: float, concurrency: int) -> tuple[float, float]:
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"errors under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


async def _python_load(url: str, headers: dict, seconds: float, concurrency: int) -> tuple[float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def worker():
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append(time.perf_counter() - started)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.sort()
    return len(latencies) / seconds, latencies[int(len(latencies) * 0.99)] * 1000


def wait(url: str, timeout: float = 60) -> None:
    import urllib.request
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


async def prepare(base: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/v1/auth/login", json={"code": f"sandbox-bench-{uuid.uuid4().hex[:6]}"}) as r:
            body = await r.json()
            if r.status != 200:
                raise SystemExit(f"login failed: {body}")
            token = body["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(f"{base}/api/v1/applications", json={"thing": "business-opening"}, headers=headers) as r:
            case_id = (await r.json())["id"]
    return case_id, token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    database = f"onething_bench_{uuid.uuid4().hex[:8]}"
    admin = PG.replace("postgres://", "postgresql://", 1)
    asyncio.run(_sql(admin, f'CREATE DATABASE "{database}"'))
    db_url = PG.rsplit("/", 1)[0] + "/" + database
    env = {**os.environ, "ONETHING_DATABASE_URL": db_url, "ONETHING_REDIS_URL": REDIS,
           "ONETHING_SECRET_KEY": "bench-" + "k" * 40, "ONETHING_LOG_LEVEL": os.environ.get("ONETHING_LOG_LEVEL", "WARNING"),
           "ONETHING_DATA_DIR": tempfile.mkdtemp(),
           # the limits protect the service from one user; here one user is the whole load
           "ONETHING_RATE_LIMIT_PER_USER": "100000000", "ONETHING_RATE_LIMIT_PER_IP": "100000000", "PG": db_url, "REDIS": REDIS}
    onething = [sys.executable, "-m", "onething.cli"]
    processes = []
    try:
        subprocess.run(onething + ["migrate"], env=env, check=True, capture_output=True)
        processes.append(subprocess.Popen(onething + ["serve", "--port", "8781", "--workers", "2"], env=env))
        floor_script = os.path.join(env["ONETHING_DATA_DIR"], "floor.py")
        with open(floor_script, "w") as handle:
            handle.write(FLOOR)
        processes += [subprocess.Popen([sys.executable, floor_script, "8782"], env=env) for _ in range(2)]
        wait("http://127.0.0.1:8781/healthz")
        case_id, token = asyncio.run(prepare("http://127.0.0.1:8781"))
        wait(f"http://127.0.0.1:8782/floor/{case_id}")
        headers = {"Authorization": f"Bearer {token}"}
        for warmup in (True, False):
            seconds = 2 if warmup else args.seconds
            floor = load(f"http://127.0.0.1:8782/floor/{case_id}", {}, seconds, args.concurrency)
            ours = load(f"http://127.0.0.1:8781/api/v1/applications/{case_id}", headers, seconds, args.concurrency)
        print(f"{'':28}{'req/s':>10}{'p99 ms':>10}")
        print(f"{'floor (Redis GET + PG PK)':28}{floor[0]:>10.0f}{floor[1]:>10.1f}")
        print(f"{'GET /applications/{id}':28}{ours[0]:>10.0f}{ours[1]:>10.1f}")
        ratio, tail = ours[0] / floor[0], ours[1] / floor[1]
        print(f"throughput ratio {ratio:.2f} (budget >= 0.50), p99 ratio {tail:.2f} (budget <= 1.50)")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
        asyncio.run(_sql(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


async def _sql(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
