"""The ``onething`` command: serve, worker, migrate and the admin commands."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import logging
import multiprocessing
import signal
import socket
import sys
from typing import Callable

from redis.exceptions import ConnectionError as RedisConnectionError

from onething import admin, calendar_admin, wechat_admin
from onething.logs import configure_logging
from onething.settings import Settings, SettingsError, Unreachable, load_settings

log = logging.getLogger("onething.cli")
COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {}


def command(name: str):
    def register(func):
        COMMANDS[name] = func
        return func

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onething", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="app processes sharing the port")
    sub.add_parser("worker", help="run background jobs (needs ONETHING_REDIS_URL)")
    sub.add_parser("migrate", help="apply database migrations")
    admin.add_parsers(sub)
    calendar_admin.add_parsers(sub)
    wechat_admin.add_parsers(sub)
    return parser


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers < 1:
        raise SystemExit("--workers must be at least 1")
    if args.workers > 1 and settings.embedded_redis:
        print("--workers > 1 needs ONETHING_REDIS_URL: the in-process store serves one process.", file=sys.stderr)
        return 2
    if port_taken(args.host, args.port):  # before anything starts: nothing to stop, no tracebacks
        print(PORT_TAKEN.format(host=args.host, port=args.port), file=sys.stderr)
        return 1
    if settings.database_is_sqlite:
        # The embedded default must work in an empty folder: bring its schema up to date.
        _migrate(settings)
    if args.workers == 1:
        _serve_one(settings, args.host, args.port, reuse_port=False)
        return 0
    processes = [
        multiprocessing.get_context("spawn").Process(
            target=_serve_one, args=(settings, args.host, args.port, True), daemon=False
        )
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()

    def stop(signum, frame):  # a stopped parent must not leave its app processes serving
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.join()
    return max((p.exitcode or 0) for p in processes)


PORT_TAKEN = ("onething: port {port} on {host} is already in use (another `onething serve`?): "
              "stop what listens there, or choose another port with --port")


def port_taken(host: str, port: int) -> bool:
    """Whether another process holds the port (bound as aiohttp binds it, so TIME_WAIT is no holder)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return False  # the server says what is wrong with the host
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
    return False


def _serve_one(settings: Settings, host: str, port: int, reuse_port: bool) -> None:
    from aiohttp import web

    from onething.app import create_app

    configure_logging(settings.log_level)
    # Requests allocate many short-lived objects; collecting the young generation less often
    # removes most collector pauses from the latency tail at no cost in memory that matters.
    gc.set_threshold(50_000, 20, 20)
    web.run_app(
        create_app(settings), host=host, port=port, reuse_port=reuse_port or None,
        access_log=None, shutdown_timeout=15, print=lambda msg: log.info(msg),
    )


@command("worker")
def worker(args: argparse.Namespace, settings: Settings) -> int:
    from onething.worker import run_worker

    if settings.embedded_redis:
        print("onething worker needs ONETHING_REDIS_URL; on the embedded default `serve` runs the jobs.",
              file=sys.stderr)
        return 2
    asyncio.run(run_worker(settings))
    return 0


@command("migrate")
def migrate(args: argparse.Namespace, settings: Settings) -> int:
    applied = _migrate(settings)
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def _migrate(settings: Settings) -> list[str]:
    from storage import db

    if settings.database_is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(db.migrate(settings.database_url, secret_key=settings.secret_key))


for _name in ("staff", "courier", "catalog", "audit"):
    COMMANDS[_name] = getattr(admin, _name)
COMMANDS["calendar"] = calendar_admin.calendar
COMMANDS["wechat"] = wechat_admin.wechat


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"onething: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return COMMANDS[args.command](args, settings)
    except Unreachable as exc:  # named by the startup that tried it
        print(f"onething: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE and args.command == "serve":  # taken between the check and the bind
            print(PORT_TAKEN.format(host=args.host, port=args.port), file=sys.stderr)
            return 1
        return _unreachable(exc)
    except RedisConnectionError as exc:
        return _unreachable(exc)


def _unreachable(exc: BaseException) -> int:
    # The usual 2 a.m. failure: a dependency is down. Say which, not a stack trace.
    print(f"onething: cannot reach a service it depends on ({type(exc).__name__}: {exc}); "
          "check ONETHING_DATABASE_URL, ONETHING_REDIS_URL and ONETHING_OBJECT_STORE_URL", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
