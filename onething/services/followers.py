"""Followers of the official account: who they are on our side, what they scanned, what they allow.

WeChat tells the bot only a follower's openid in the official account. The unionid (asked of
WeChat once, after answering) links it to the citizen of the mini-program, and with it to
their cases; a scanned code links it to a case or an enterprise directly.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from onething.domain import scenes
from onething.services import enterprises
from onething.domain.notifications import MP_SUBSCRIBE, OA_SUBSCRIBE
from storage.models import Application, Citizen, Follower, FollowerLink, SubscribeConsent
from storage.wechat import WeChatGateway

MAX_ONE_TIME_CONSENTS = 50  # one accepted request, one message: no one clicks more than this for real


async def touch(openid: str, now: datetime) -> Follower:
    """A follower just wrote (or clicked, or scanned): WeChat's 48-hour window opens again."""
    follower, created = await Follower.get_or_create(openid=openid, defaults={"last_message_at": now})
    if not created:
        await Follower.filter(id=follower.id).update(last_message_at=now, subscribed=True)
        follower.last_message_at, follower.subscribed = now, True
    return follower


async def link(gateway: WeChatGateway, openid: str) -> Follower:
    """Ask WeChat who this follower is (the unionid) and link them to their citizen record."""
    info = await gateway.follower_info(openid)
    follower, _ = await Follower.get_or_create(openid=openid)
    follower.subscribed = info.subscribed
    if info.unionid:
        follower.unionid = info.unionid
        citizen = await Citizen.get_or_none(unionid=info.unionid)
        if citizen is not None:
            follower.citizen_id = citizen.id
    await follower.save(update_fields=["subscribed", "unionid", "citizen_id"])
    await enterprises.same_person(follower)
    return follower


async def citizen_logged_in(citizen: Citizen, unionid: str | None) -> None:
    """The mini-program told us the unionid: link the followers that are this citizen."""
    if not unionid or citizen.unionid == unionid:
        return
    try:
        await Citizen.filter(id=citizen.id).update(unionid=unionid)
    except IntegrityError:  # another record already holds it: leave both as they are
        return
    citizen.unionid = unionid
    await Follower.filter(unionid=unionid, citizen_id=None).update(citizen_id=citizen.id)
    for follower in await Follower.filter(unionid=unionid):
        await enterprises.same_person(follower)


async def unsubscribed(openid: str) -> None:
    await Follower.filter(openid=openid).update(subscribed=False)


async def bind(follower: Follower, scene: scenes.Scene) -> Application | str | None:
    """Bind the follower to what a scanned scene names; what it was bound to, or None if gone."""
    if scene.kind == scenes.WINDOW:
        await Follower.filter(id=follower.id).update(window=scene.ref)
        return scene.ref
    if scene.kind == scenes.APPLICATION:
        application = await Application.get_or_none(id=int(scene.ref)) if scene.ref.isdigit() else None
        if application is None:
            return None
        await FollowerLink.get_or_create(follower_id=follower.id, kind="application", ref=scene.ref)
        return application
    if await enterprises.bind_follower(follower, scene.ref) is None:
        return None  # a code for an enterprise no longer registered
    await FollowerLink.get_or_create(follower_id=follower.id, kind="enterprise", ref=scene.ref)
    return scene.ref


async def linked_applications(follower: Follower) -> list[int]:
    refs = await FollowerLink.filter(follower_id=follower.id, kind="application").values_list("ref", flat=True)
    return [int(ref) for ref in refs]


async def record_consent(channel: str, openid: str, results: dict[str, str]) -> dict[str, int]:
    """Record subscribe-message choices (``{template id: accept | reject | ban | filter}``).

    Each mini-program acceptance allows one message; the official account's subscription
    notices stay allowed until the user turns them off. Refusals cancel what was allowed.
    """
    for template_id, status in results.items():
        consent, _ = await SubscribeConsent.get_or_create(channel=channel, openid=openid, template_id=template_id)
        if status == "accept" and channel == OA_SUBSCRIBE:
            await SubscribeConsent.filter(id=consent.id).update(long_term=True, remaining=0)
        elif status == "accept" and channel == MP_SUBSCRIBE:
            await SubscribeConsent.filter(id=consent.id, remaining__lt=MAX_ONE_TIME_CONSENTS).update(
                remaining=F("remaining") + 1)
        elif status in ("reject", "ban"):
            await SubscribeConsent.filter(id=consent.id).update(remaining=0, long_term=False)
        # "filter" (WeChat filtered the request in the background): nothing was decided
    return await consents(channel, openid)


async def consents(channel: str, openid: str) -> dict[str, int]:
    """Messages each template may still send: -1 for long-term consent."""
    rows = await SubscribeConsent.filter(channel=channel, openid=openid)
    return {row.template_id: -1 if row.long_term else row.remaining for row in rows}
