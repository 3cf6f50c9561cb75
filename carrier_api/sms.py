"""The SMS provider's delivery receipts (``POST /sms/receipts/{token}``), Tencent Cloud SMS's
短信下发状态回调: a JSON array of ``{"sid", "report_status": SUCCESS|FAIL, "errmsg",
"description", "mobile", ...}``, answered ``{"result": 0, "errmsg": "OK"}``.

The provider signs nothing, so the URL carries a secret (``ONETHING_SMS_CALLBACK_TOKEN``); without
one there is no endpoint (404). The numbers in a receipt are never read or logged: ``sid`` alone
names the notification.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from onething.keys import settings_key
from onething.services import sms

from .app import _body

log = logging.getLogger("onething.sms")
MAX_BODY_BYTES = 512 * 1024  # a batch of receipts is about 250 bytes each: a couple of thousand


def _answer(result: int, errmsg: str, status: int = 200) -> web.Response:
    return web.json_response({"result": result, "errmsg": errmsg}, status=status)


async def receipts(request: web.Request) -> web.Response:
    settings = request.config_dict[settings_key].sms
    token = settings.callback_token if settings is not None else ""
    if not token or not hmac.compare_digest(request.match_info["token"].encode(), token.encode()):
        raise web.HTTPNotFound()
    raw = await _body(request, MAX_BODY_BYTES)
    try:
        entries = json.loads(raw)
    except ValueError:
        entries = None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return _answer(1, "expected a JSON array of receipts", 400)
    changed = await sms.record_receipts(entries)
    log.info("SMS receipts recorded", extra={"receipts": len(entries), "matched": changed})
    return _answer(0, "OK")


def create_sms_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/receipts/{token}", receipts)
    return app
