"""What the bot says and does for each message: every text comes from ``templates/``.

Subscribing gets a welcome (and, through a scanned code, a binding); a plain question finds
its thing by name and keywords and answers with the notice in short form; "进度" or a case
number answers the progress of the follower's own cases; menu clicks do the same things;
anything else gets a plain "I don't know that" with the choices — never silence. What needs
WeChat itself (who is this follower?) is done after answering, by a job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from onething.domain import scenes
from onething.domain.catalog import Catalog, Thing
from onething.domain.notice import notice_for
from onething.domain.notifications import OA_SUBSCRIBE
from onething.keys import calendar_key, catalog_key, settings_key, templates_key
from onething.services import followers, manager_contacts, manager_messages, progress, receipts

from .events import consent_choices
from .finding import ThingFinder
from .resources import RESOURCES

PROGRESS_WORDS = ("进度", "我的办件", "办到哪", "查询办件")
PARCEL_WORDS = ("快递", "邮寄", "寄到哪", "取件码")
MANAGER_WORDS = ("经理", "找经理", "联系经理", "服务经理")
LEAVE_WORDS = ("退出", "结束", "再见")
MANAGER_MODE_TTL = 30 * 60  # a conversation with the manager lasts while the contact keeps writing
MENU = {"MY_CASES": "progress", "GUIDE": "guide", "CONTACT_MANAGER": "manager"}
CONSENT_EVENTS = {"subscribe_msg_popup_event", "subscribe_msg_change_event"}


@dataclass
class Incoming:
    openid: str
    type: str  # text, image, event...
    content: str = ""
    event: str = ""
    event_key: str = ""
    xml: str = ""
    media_id: str = ""  # images, voice, video, files
    receipt: tuple[str, str] = ("", "")  # a template message's (MsgID, Status)
    filename: str = ""
    state: dict = field(default_factory=dict)  # what the previous answer left for this one


@dataclass
class Answer:
    text: str | None = None
    state: dict | None = None  # None: forget the conversation state
    later: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # jobs to run after answering
    ttl: int = 600  # how long the state waits for the next message


class Conversation:
    """One message's handling. The follower's record is read only when an answer needs it (a
    plain question does not), and touched (WeChat's 48-hour window) when ``touch`` says so."""

    def __init__(self, app: Mapping, openid: str, *, now: datetime, touch: bool):
        self.app, self.openid, self.now, self.touch = app, openid, now, touch
        self.catalog: Catalog = app[catalog_key]
        settings = app[settings_key]
        self.public_url = settings.public_url
        # answers link into the mini-program (its page for a thing), never to a web page
        self.mini_program = {"appid": settings.mini_program.appid if settings.mini_program else "",
                             "thing_page": settings.mini_program_thing_page}
        self._follower = None  # the follower's record, once an answer needs it

    async def follower(self):
        if self._follower is None:
            if self.touch:
                self._follower = await followers.touch(self.openid, self.now)
            else:
                self._follower = await manager_contacts.follower(self.openid)
        return self._follower

    async def follow_ups(self) -> list[tuple[str, dict[str, Any]]]:
        """After answering: a follower seen for the first time in a while is asked about once."""
        if not self.touch:
            return []
        follower = await self.follower()
        return [("link_follower", {"openid": self.openid})] if follower.unionid is None else []

    def say(self, template: str, **context) -> str:
        return self.app[templates_key].get_template(template).render(
            things=list(self.catalog.things.values()), public_url=self.public_url, mini_program=self.mini_program,
            **context)

    async def answer(self, message: Incoming) -> Answer:
        if message.type == "event":
            return await self.event(message)
        if message.state.get("mode") == "manager":
            return await self.to_manager(message)
        if message.type != "text":
            return Answer(self.say("bot_unknown.txt.j2"))
        text = message.content.strip()
        if text in MANAGER_WORDS:
            return await self.enter_manager()
        choices = message.state.get("choose", [])
        contacts = message.state.get("choose_enterprise", [])
        if text.isdigit() and 1 <= int(text) <= len(contacts):
            return await self.enter_manager(contacts[int(text) - 1])
        if text.isdigit() and 1 <= int(text) <= len(choices):
            return Answer(self.notice(self.catalog.things[choices[int(text) - 1]]))
        if any(word in text for word in PARCEL_WORDS):
            return await self.parcels()
        number = progress.case_number_in(text)
        if number or any(word in text for word in PROGRESS_WORDS):
            return await self.progress(number)
        resources = self.app[RESOURCES]
        if "finder" not in resources:
            resources["finder"] = ThingFinder(self.catalog)
        found = resources["finder"].find(text)
        if len(found) == 1 or (found and found[0].name in text):
            return Answer(self.notice(found[0]))
        if found:
            return Answer(self.say("bot_choose.txt.j2", choices=found), state={"choose": [t.code for t in found]})
        return Answer(self.say("bot_unknown.txt.j2"))

    async def event(self, message: Incoming) -> Answer:
        event = message.event
        if event in ("subscribe", "scan"):
            bound = await self.bind(message.event_key)
            return Answer(self.say("bot_welcome.txt.j2", bound=bound, returning=event == "scan"))
        if event == "unsubscribe":
            await followers.unsubscribed(message.openid)
            return Answer()
        if event == "templatesendjobfinish":
            await receipts.template_finished(message.receipt[0], message.receipt[1])
            return Answer()
        if event in CONSENT_EVENTS:
            await followers.record_consent(OA_SUBSCRIBE, message.openid, consent_choices(message.xml))
            return Answer()
        if event == "click":
            action = MENU.get(message.event_key)
            if action == "progress":
                return await self.progress(None)
            if action == "manager":
                return await self.enter_manager()
            return Answer(self.say("bot_welcome.txt.j2", bound=None, returning=False))
        return Answer()  # views, template receipts and the like need no answer

    async def bind(self, event_key: str):
        # a scene is ours only in ASCII: anything else (a forged signature in other letters) binds nothing
        scene = scenes.parse(event_key, self.app[settings_key].secret_key) if event_key.isascii() else None
        if scene is None:
            return None
        bound = await followers.bind(await self.follower(), scene)
        if bound is not None and not isinstance(bound, str):  # a case; else a window's or enterprise's ref
            return {"kind": "application", "number": bound.number, "thing_name": self.catalog.things[bound.thing].name}
        return {"kind": {"w": "window", "e": "enterprise"}[scene.kind], "ref": bound} if bound else None

    async def progress(self, number: str | None) -> Answer:
        follower = await self.follower()
        cases = await progress.cases_of(self.catalog, follower, number)
        if not cases and follower.unionid is None:  # WeChat may know who this is: ask it, then answer
            self.touch = False  # the job below links the follower: no need to ask twice
            return Answer(self.say("bot_wait.txt.j2"),
                          later=[("answer_progress", {"openid": self.openid, "number": number})])
        return Answer(progress.render(self.app[templates_key], cases, linked=follower.citizen_id is not None,
                                      number=number, public_url=self.public_url,
                                      calendar=self.app[calendar_key].current))

    async def enter_manager(self, contact_id: int | None = None) -> Answer:
        """From now on the contact's messages go to their enterprise's manager, until 退出; a
        contact of several enterprises first says which (a numbered list, as for things)."""
        follower_id = (await self.follower()).id
        if contact_id is not None:
            line = await manager_contacts.manager_line_of(follower_id, contact_id)
        else:
            lines = await manager_contacts.manager_lines(follower_id)
            if len(lines) > 1:
                return Answer(self.say("bot_choose_enterprise.txt.j2", choices=lines),
                              state={"choose_enterprise": [line.contact_id for line in lines]})
            line = lines[0] if lines else None
        if line is None:
            return Answer(self.say("bot_manager.txt.j2"))
        return Answer(self.say("bot_manager_on.txt.j2", enterprise=line.enterprise, manager=line.manager),
                      state={"mode": "manager", "contact": line.contact_id}, ttl=MANAGER_MODE_TTL)

    async def to_manager(self, message: Incoming) -> Answer:
        if message.type == "text" and message.content.strip() in LEAVE_WORDS:
            return Answer(self.say("bot_manager_off.txt.j2"))
        contact = await manager_contacts.verified_contact(message.state.get("contact"))
        if contact is None:  # unbound meanwhile
            return Answer(self.say("bot_manager.txt.j2"))
        recorded = await manager_messages.received(
            contact, message.type if message.type in ("text", "image", "voice", "video", "file") else "text",
            message.content, self.now, media_id=message.media_id or None, filename=message.filename)
        later = [("fetch_media", {"message_id": recorded.id})] if message.media_id else []
        if message.state.get("acknowledged"):
            return Answer(state=message.state, later=later, ttl=MANAGER_MODE_TTL)  # a chat: no echo each time
        return Answer(self.say("bot_manager_sent.txt.j2"), state={**message.state, "acknowledged": True},
                      later=later, ttl=MANAGER_MODE_TTL)

    async def parcels(self) -> Answer:
        follower = await self.follower()
        if follower.citizen_id is None and follower.unionid is None:  # as for progress: ask WeChat first
            self.touch = False
            return Answer(self.say("bot_wait.txt.j2"), later=[("answer_parcels", {"openid": self.openid})])
        return Answer(await progress.parcels_text(self.app[templates_key], self.catalog, follower, self.public_url))

    def notice(self, thing: Thing) -> str:
        # the catalog and the templates do not change while the process runs
        key = f"notice:{thing.code}"
        cache = self.app[RESOURCES]
        if key not in cache:
            cache[key] = self.say("bot_notice.txt.j2", notice=notice_for(self.catalog, thing))
        return cache[key]
