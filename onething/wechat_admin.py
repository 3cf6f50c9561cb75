"""``onething wechat``: publish the official account's menu, make the codes people scan."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from onething.settings import Settings


def add_parsers(sub) -> None:
    wechat = sub.add_parser("wechat", help="the official account").add_subparsers(dest="action", required=True)
    menu = wechat.add_parser("menu", help="publish the menu (templates/wechat_menu.json.j2)")
    menu.add_argument("--print", action="store_true", dest="print_only", help="print it instead of publishing")
    code = wechat.add_parser("code", help="a QR code whose scan binds the follower (30 days)")
    code.add_argument("kind", choices=["window", "application", "enterprise"])
    code.add_argument("ref", help="the window's code, the case id or the enterprise's credit code")


def menu_json(settings: Settings) -> dict:
    from onething.templating import make_environment

    text = make_environment().get_template("wechat_menu.json.j2").render(
        public_url=settings.public_url, mini_appid=settings.mini_program.appid if settings.mini_program else None)
    return json.loads(text)


def wechat(args: argparse.Namespace, settings: Settings) -> int:
    from onething.domain import scenes
    from onething.services import scene_codes
    from storage.wechat import WeChatError, open_gateway

    gateway, close = open_gateway(settings)

    async def run() -> None:
        if args.action == "menu":
            menu = menu_json(settings)
            if args.print_only:
                print(json.dumps(menu, ensure_ascii=False, indent=2))
                return
            await gateway.create_menu(menu)
            print("menu published" + (" (sandbox: nothing sent)" if settings.official_account is None else ""))
            return
        kind = {"window": scenes.WINDOW, "application": scenes.APPLICATION, "enterprise": scenes.ENTERPRISE}[args.kind]
        code = await scene_codes.make(gateway, settings.secret_key, kind, args.ref)
        print(f"scene\t{code['scene']}\nurl\t{code['url']}\nimage\t{code['image_url']}")

    try:
        asyncio.run(run())
    except (WeChatError, ValueError) as exc:
        print(f"onething: {exc}", file=sys.stderr)
        return 1
    finally:
        close()
    return 0
