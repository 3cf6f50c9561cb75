"""What the window prints and hands out: the acceptance receipt with the case's WeChat code, the
one-time notice, posting the results and the shipment's slip; and the audited reveal of a field."""

from __future__ import annotations

from aiohttp import web

from onething.domain import scenes
from onething.domain.notice import notice_for
from onething.domain.refusals import Refused
from onething.domain.shipment import DEFAULT_CARRIER
from onething.keys import catalog_key, id_cipher_key, object_store_key, settings_key, wechat_key, workflow_key
from onething.services import console_cases, qr, reveals, scene_codes, shipments
from onething.services.shipment_views import delivery_url, shipment, staff_view_of
from onething.services.staff_cases import READ_ALL
from onething.web.errors import message_of
from onething.web.http import int_id
from storage.wechat.gateway import WeChatError
from .framework import Page, actor, form, me, render, words
from .review import task_page
from .window import CASE, CLERK, case_page

SLIP = r"/shipments/{id:\d{1,9}}/slip"


async def receipt(request: web.Request) -> web.Response:
    """受理回执: printed for the applicant; its code follows the case on the official account."""
    config = request.config_dict
    view = await console_cases.case_page(config[catalog_key], config[id_cipher_key], config[object_store_key],
                                         me(request), int_id(request))
    try:
        code = await scene_codes.make(config[wechat_key], config[settings_key].secret_key, scenes.APPLICATION,
                                      str(view["id"]))
        qr_image, qr_missing = qr.svg_data_uri(code["url"]), ""
    except WeChatError:  # the receipt still prints; the code can be printed again later
        qr_image, qr_missing = "", words(request, "scene_code_unavailable")
    return render(request, "console/receipt.html.j2", case=view, qr_image=qr_image, qr_missing=qr_missing,
                  today=config[workflow_key].clock())


async def notice(request: web.Request) -> web.Response:
    thing = request.config_dict[catalog_key].things.get(request.match_info["code"])
    if thing is None:
        raise Refused("not_found", status=404)
    return render(request, "notice.html.j2", notice=notice_for(request.config_dict[catalog_key], thing))


async def post_results(request: web.Request) -> web.Response:
    given = form(request)
    config = request.config_dict
    try:
        row = await shipments.post(
            config[workflow_key], int_id(request), actor(me(request)), config[settings_key].secret_key,
            carrier=given.get("carrier", "").strip() or DEFAULT_CARRIER,
            tracking_number=given.get("tracking_number", "").strip()[:32],
            pieces=[line.strip()[:200] for line in given.get("pieces", "").splitlines() if line.strip()])
    except Refused as exc:
        return await case_page(request, status=exc.status, refusal=message_of(request, exc), which="ship", typed=given)
    raise web.HTTPSeeOther(f"/staff/shipments/{row.id}/slip")


async def slip(request: web.Request) -> web.Response:
    """The label, one A6 page per piece (the API's template and QR code)."""
    row = await shipment(int_id(request))
    settings = request.config_dict[settings_key]
    return render(request, "shipment_slip.html.j2", shipment=await staff_view_of(row),
                  qr_image=qr.svg_data_uri(delivery_url(settings.public_url, row, settings.secret_key)))


async def reveal(request: web.Request) -> web.Response:
    """One personal field in full, traced in the case's trail before it is shown."""
    config, given, session = request.config_dict, form(request), me(request)
    task = given.get("task", "")
    try:
        revealed = await reveals.reveal(config[workflow_key], config[id_cipher_key], session, actor(session),
                                        int_id(request), given.get("field", ""))
        status, refusal = 200, ""
    except Refused as exc:
        if exc.status == 404:
            raise
        revealed, status, refusal = None, exc.status, message_of(request, exc)
    if task.isdigit():
        return await task_page(request, int(task), status=status, refusal=refusal, which="reveal", revealed=revealed)
    return await case_page(request, status=status, refusal=refusal, which="reveal", revealed=revealed)


PAGES = [
    Page("GET", f"{CASE}/receipt", receipt, READ_ALL),
    Page("GET", r"/things/{code:[a-z0-9-]{1,64}}/notice", notice, ()),
    Page("POST", f"{CASE}/shipments", post_results, CLERK),
    Page("GET", SLIP, slip, READ_ALL),
    Page("POST", f"{CASE}/reveal", reveal, (*READ_ALL, "reviewer")),
]
