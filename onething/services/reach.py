"""Where an applicant can be reached on WeChat: their mini-program openid, the official-account
follower that is the same person (linked by unionid) or that scanned their case's code, and
the consents they gave on each side; failing WeChat, the phone of their verified identity."""

from __future__ import annotations

from tortoise.expressions import Q

from onething.domain.notifications import MP_SUBSCRIBE, OA_SUBSCRIBE, Reach, Templates
from storage.models import Citizen, Follower, FollowerLink, Notification, SubscribeConsent


async def follower_of(citizen_id: int | None, application_id: int | None) -> Follower | None:
    """The applicant's follower; failing that, whoever scanned the case's code (the receipt)."""
    if citizen_id is not None:
        own = await Follower.filter(citizen_id=citizen_id, subscribed=True).order_by("-last_message_at").first()
        if own is not None:
            return own
    if application_id is not None:
        link = await FollowerLink.filter(kind="application", ref=str(application_id),
                                         follower__subscribed=True).order_by("-id").first()
        if link is not None:
            return await Follower.get(id=link.follower_id)
    return None


async def _consented(channel: str, openid: str | None, template_id: str) -> bool:
    if not openid or not template_id:
        return False
    return await SubscribeConsent.filter(channel=channel, openid=openid, template_id=template_id).filter(
        Q(remaining__gt=0) | Q(long_term=True)).exists()


async def reach_of(row: Notification, templates: Templates) -> Reach:
    citizen = await Citizen.get_or_none(id=row.citizen_id) if row.citizen_id else None
    follower = await follower_of(row.citizen_id, row.application_id)
    mini_openid = citizen.openid if citizen else None
    follower_openid = follower.openid if follower else None
    return Reach(
        mini_openid=mini_openid,
        mini_consent=await _consented(MP_SUBSCRIBE, mini_openid, templates.mp_subscribe),
        follower_openid=follower_openid,
        follower_subscribed=bool(follower and follower.subscribed),
        oa_consent=await _consented(OA_SUBSCRIBE, follower_openid, templates.oa_subscribe),
        last_message_at=follower.last_message_at if follower else None,
        # the phone of the verified identity only: a number typed for a delivery is the recipient's
        phone_cipher=citizen.phone_cipher if citizen else None,
    )
