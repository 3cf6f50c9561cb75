"""What the bot says: every text comes from ``templates/``.

Subscribing (or scanning a QR code) gets a welcome; a plain question finds the thing it is
about by its name and keywords and answers with its notice in short form; anything else
gets a plain "I don't know that" with the choices — never silence.
"""

from __future__ import annotations

from typing import Mapping

from onething.domain.catalog import Catalog, Thing
from onething.domain.notice import notice_for
from onething.keys import catalog_key, settings_key, templates_key

WELCOME_EVENTS = {"subscribe", "subscribe_scan", "scan"}


def find_things(catalog: Catalog, question: str) -> list[Thing]:
    """Things whose name or a keyword appears in the question, best (longest match) first."""
    scored = []
    for thing in catalog.things.values():
        words = [thing.name, *thing.keywords]
        best = max((len(w) for w in words if w and w in question), default=0)
        if best:
            scored.append((-best, thing.code, thing))
    return [thing for _, _, thing in sorted(scored)]


async def answer(app: Mapping, message) -> str | None:
    templates = app[templates_key]
    catalog = app[catalog_key]
    context = {"things": list(catalog.things.values()), "public_url": app[settings_key].public_url}
    if message.type == "event" and message.event in WELCOME_EVENTS:
        return templates.get_template("bot_welcome.txt.j2").render(**context)
    if message.type == "event":
        return None  # clicks and other events are answered by their own handlers (or not at all)
    if message.type == "text":
        found = find_things(catalog, message.content.strip())
        if len(found) == 1 or (found and found[0].name in message.content):
            return templates.get_template("bot_notice.txt.j2").render(
                notice=notice_for(catalog, found[0]), **context)
        if found:
            return templates.get_template("bot_choose.txt.j2").render(**{**context, "things": found})
    return templates.get_template("bot_unknown.txt.j2").render(**context)
