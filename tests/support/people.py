"""Citizens as WeChat knows them: a mini-program user and (the same person) a follower of the
official account, with the fake WeChat's openid convention (``o<name>`` / ``oa-<name>``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Citizen
from tests.support import wechat_messages as wx
from tests.support.cases import draft
from tests.support.miniapp import MiniProgram

MP_TEMPLATE, OA_SUBSCRIBE_TEMPLATE, OA_TEMPLATE = "tmpl-mp-progress", "tmpl-oa-progress", "tmpl-oa-template"


@dataclass
class Person:
    name: str
    mini: MiniProgram
    citizen: Citizen

    @property
    def openid(self) -> str:
        return f"o{self.name}"

    @property
    def follower_openid(self) -> str:
        return f"oa-{self.name}"

    @classmethod
    async def login(cls, client, name: str | None = None) -> "Person":
        name = name or uuid.uuid4().hex[:10]
        mini = await MiniProgram.login(client, f"good-{name}")
        return cls(name, mini, await Citizen.get(openid=f"o{name}"))

    async def consent(self, *results: str) -> dict:
        """Accept (or refuse) subscribe messages in the mini-program, once per result."""
        body = {}
        for result in results:
            body = await self.mini.post("/me/subscriptions", {"results": {MP_TEMPLATE: result,
                                                                           "errMsg": "requestSubscribeMessage:ok"}})
        return body

    async def says(self, client, text: str, *, msg_id: int | None = None):
        """A text message to the official account, as WeChat delivers it; the parsed reply (or None)."""
        return await self._sends(client, wx.text_xml(text, sender=self.follower_openid, msg_id=msg_id))

    async def does(self, client, event: str, key: str = "", xml: str | None = None):
        return await self._sends(client, xml or wx.event_xml(event, sender=self.follower_openid, key=key))

    async def _sends(self, client, xml: str):
        response = await wx.WeChatServer(client).post(xml)
        assert response.status == 200, await response.text()
        return wx.opened(await response.text())

    async def submitted_case(self, running, thing: str = "business-opening") -> int:
        row = await draft(thing, applicant=self.citizen)
        await running.app[workflow_key].submit(row.id, Actor(f"citizen:{self.citizen.id}", "citizen"))
        return row.id


def wechat_env(fake_wechat_server, *, templates: bool = True) -> dict[str, str]:
    """Settings for an app wired to the fake WeChat: both accounts, safe mode, message templates."""
    from tests.support import fake_wechat

    env = {"mp_appid": fake_wechat.APPID, "mp_secret": fake_wechat.SECRET, "oa_appid": fake_wechat.OA_APPID,
           "oa_secret": fake_wechat.OA_SECRET, "oa_token": wx.TOKEN, "oa_aes_key": wx.AES_KEY,
           "wechat_api_base": str(fake_wechat_server.make_url("/"))}
    if templates:
        env.update(mp_subscribe_template=MP_TEMPLATE, oa_subscribe_template=OA_SUBSCRIBE_TEMPLATE,
                   oa_template=OA_TEMPLATE)
    return env
