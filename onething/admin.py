"""Admin commands of the ``onething`` CLI: staff and courier accounts, catalog check, audit check."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from onething.settings import Settings


def add_parsers(sub) -> None:
    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="action", required=True)
    create = staff.add_parser("create", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--role", required=True,
                        help="clerk, reviewer, supervisor, manager or admin (couriers: `onething courier create`)")
    create.add_argument("--department", help="department code (reviewers)")
    create.add_argument("--password", help="asked for on the terminal when absent (needed without one)")
    create.add_argument("--name", default="", help="the name people read (项目服务经理 张三); the login if absent")
    courier = sub.add_parser("courier", help="courier accounts").add_subparsers(dest="action", required=True)
    create_courier = courier.add_parser("create", help="create a courier account (signs in on the courier page only)")
    create_courier.add_argument("username")
    create_courier.add_argument("--carrier", required=True, help="carrier code: ems or sf")
    create_courier.add_argument("--password", help="asked for on the terminal when absent (needed without one)")
    create_courier.add_argument("--name", default="", help="display name")
    catalog = sub.add_parser("catalog", help="the catalog of things").add_subparsers(dest="action", required=True)
    catalog.add_parser("check", help="validate the catalog and print each thing's notice summary")
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="action", required=True)
    audit.add_parser("check", help="verify the hash chain and head of every case, enterprise and issue trail")


def password_of(args: argparse.Namespace) -> str | None:
    """``--password``, else asked for on the terminal; None (and said why) when there is none to ask on."""
    if args.password:
        return args.password
    if not sys.stdin.isatty():
        print("onething: no terminal to ask for the password on: give --password", file=sys.stderr)
        return None
    try:
        return getpass.getpass("password: ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None


def staff(args: argparse.Namespace, settings: Settings) -> int:
    from onething.services import staff as accounts
    from onething.services.reference import load_catalog
    from storage import db

    if args.role == "courier":  # a courier works for a carrier, which only `courier create` takes
        print(f"onething: couriers have their own command: onething courier create {args.username} --carrier ems|sf",
              file=sys.stderr)
        return 2
    departments = load_catalog().departments
    if args.department and args.department not in departments:
        print(f"onething: unknown department {args.department!r}; one of: {', '.join(sorted(departments))}",
              file=sys.stderr)
        return 2
    password = password_of(args)
    if password is None:
        return 2

    async def run() -> None:
        async with db.database(settings.database_url):
            await accounts.create_staff(args.username, args.role, password, department=args.department,
                                        departments=set(departments), display_name=args.name.strip())

    try:
        asyncio.run(run())
    except accounts.StaffError as exc:
        print(f"onething: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.role} {args.username}" + (f" ({args.name.strip()})" if args.name.strip() else ""))
    return 0


def courier(args: argparse.Namespace, settings: Settings) -> int:
    from onething.services import couriers
    from onething.services.staff import StaffError
    from storage import db

    password = password_of(args)
    if password is None:
        return 2

    async def run() -> None:
        async with db.database(settings.database_url):
            await couriers.create_courier(args.username, args.carrier, password, display_name=args.name)

    try:
        asyncio.run(run())
    except StaffError as exc:
        print(f"onething: {exc}", file=sys.stderr)
        return 2
    print(f"created courier {args.username} ({args.carrier})")
    return 0


def catalog(args: argparse.Namespace, settings: Settings) -> int:
    from onething.domain.catalog_rules import CatalogInvalid
    from onething.domain.notice import notice_for
    from onething.services.reference import load_catalog

    try:
        loaded = load_catalog()
    except CatalogInvalid as exc:
        print(exc, file=sys.stderr)
        return 1
    for thing in loaded.things.values():
        notice = notice_for(loaded, thing)
        print(f"{thing.code}\t{thing.name}\t{len(thing.items)} items\t{len(notice.materials)} materials\t"
              f"promised {notice.promised_days} working days")
    print(f"catalog ok: {len(loaded.things)} things")
    return 0


def audit(args: argparse.Namespace, settings: Settings) -> int:
    from onething.services.audit import Broken, check_all
    from storage import db

    async def run() -> list[Broken]:
        async with db.database(settings.database_url):
            return await check_all()

    broken = asyncio.run(run())
    for b in broken:
        print(f"{b.kind} {b.owner}: audit trail broken at event {b.seq} ({REASONS[b.reason]})")
    print("audit trail intact" if not broken else f"{len(broken)} trail(s) broken")
    return 1 if broken else 0


REASONS = {"altered": "changed, or its link to the one before is", "missing": "missing",
           "unrecorded": "beyond the trail's recorded head", "head": "the trail does not end at its recorded head"}
