"""The signed-in citizen: identity, enterprise binding and their wallet of verified documents."""

from __future__ import annotations

from aiohttp import web

from onething.domain.notifications import MP_SUBSCRIBE
from onething.domain.refusals import Refused
from onething.keys import catalog_key, id_cipher_key, notifier_key
from onething.services import citizens, followers
from onething.services import wallet as wallet_
from onething.web.http import json_response
from onething.web.validation import body

from .auth import current_citizen, me_json


async def me(request: web.Request) -> web.Response:
    return json_response(me_json(await current_citizen(request)))


async def identity(request: web.Request) -> web.Response:
    sent = body(request)
    try:
        citizen = await citizens.set_identity(
            await current_citizen(request), request.config_dict[id_cipher_key], real_name=sent["real_name"],
            id_number=sent["id_number"], mobile=sent["mobile"],
        )
    except citizens.IdentityInvalid as exc:
        raise Refused("invalid_identity", details={"fields": exc.fields}) from None
    return json_response(me_json(citizen))


async def enterprise(request: web.Request) -> web.Response:
    try:
        citizen = await citizens.bind_enterprise(await current_citizen(request), body(request)["credit_code"])
    except citizens.IdentityInvalid as exc:
        raise Refused("invalid_credit_code", details={"fields": exc.fields}) from None
    return json_response(me_json(citizen))


async def wallet(request: web.Request) -> web.Response:
    catalog = request.config_dict[catalog_key]
    files = await wallet_.wallet(await current_citizen(request), catalog)
    return json_response({"items": [
        {"id": f.id, "material": f.material, "name": catalog.materials[f.material].name, "filename": f.filename,
         "size": f.size, "uploaded_at": f.created_at.isoformat()}
        for f in files
    ]})


async def subscriptions(request: web.Request) -> web.Response:
    """The template ids to pass to wx.requestSubscribeMessage, and how many messages each allows."""
    citizen = await current_citizen(request)
    template_id = request.config_dict[notifier_key].templates.mp_subscribe
    counts = await followers.consents(MP_SUBSCRIBE, citizen.openid)
    return json_response({"templates": [template_id] if template_id else [],
                              "remaining": {template_id: counts.get(template_id, 0)} if template_id else {}})


async def record_subscriptions(request: web.Request) -> web.Response:
    """What wx.requestSubscribeMessage returned, posted as it is: ``{"results": {id: "accept", ...}}``."""
    known = request.config_dict[notifier_key].templates.mp_subscribe
    # errMsg and templates this service does not send are not consents to anything of ours
    choices = {k: v for k, v in body(request)["results"].items() if k == known}
    citizen = await current_citizen(request)
    counts = await followers.record_consent(MP_SUBSCRIBE, citizen.openid, choices)
    return json_response({"remaining": {known: counts.get(known, 0)} if known else {}})
