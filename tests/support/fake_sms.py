"""A local stand-in for Tencent Cloud SMS's API (sms.tencentcloudapi.com) that the SDK is pointed at.

It checks what the real one checks first: the TC3-HMAC-SHA256 signature over the request, under
the one secret id and key it knows, and the action and version. ``SendSms`` answers one status a
number, ``Ok`` with a serial number unless a test scripted a code for that number; what was
accepted is in ``SENT`` as (phone, template id, parameters, serial number).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
from collections import defaultdict

from aiohttp import web

SECRET_ID, SECRET_KEY = "AKIDtest0123456789", "sms-secret-key-0123456789"
SDK_APP_ID, SIGN_NAME = "1400000001", "某县政务服务"
SENT = web.AppKey("sent", list)
SCRIPT = web.AppKey("script", dict)  # phone (+86...) -> status codes to answer, one per call, then Ok
AUTH = re.compile(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
                  r"SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$")
_serial = itertools.count(1)


def script(app: web.Application, phone: str, *codes: str) -> None:
    app[SCRIPT][f"+86{phone}"].extend(codes)


def env(server) -> dict[str, str]:
    """Settings for an app whose SMS goes to this fake, with a template for every kind."""
    from onething.domain.notifications import SMS_KINDS

    templates = ",".join(f"{kind}={2000000 + i}" for i, kind in enumerate(sorted(SMS_KINDS)))
    return {"sms_secret_id": SECRET_ID, "sms_secret_key": SECRET_KEY, "sms_sdk_app_id": SDK_APP_ID,
            "sms_sign_name": SIGN_NAME, "sms_templates": templates, "sms_endpoint": str(server.make_url("")),
            "sms_callback_token": "receipts-token-0123456789"}


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _signed(request: web.Request, body: bytes) -> bool:
    found = AUTH.match(request.headers.get("Authorization", ""))
    if not found or found.group(1) != SECRET_ID:
        return False
    _, date, signed, signature = found.groups()
    names = signed.split(";")
    headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in names)
    canonical = "\n".join(["POST", "/", "", headers, signed, hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["TC3-HMAC-SHA256", request.headers.get("X-TC-Timestamp", ""),
                         f"{date}/sms/tc3_request", hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(("TC3" + SECRET_KEY).encode(), date), "sms"), "tc3_request")
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature)


def _error(code: str, message: str) -> web.Response:
    return web.json_response({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "fake"}})


async def api(request: web.Request) -> web.Response:
    body = await request.read()
    if not _signed(request, body):
        return _error("AuthFailure.SignatureFailure", "signature mismatch")
    if request.headers.get("X-TC-Action") != "SendSms" or request.headers.get("X-TC-Version") != "2021-01-11":
        return _error("InvalidAction", "only SendSms 2021-01-11")
    sent = json.loads(body)
    if sent.get("SmsSdkAppId") != SDK_APP_ID or sent.get("SignName") != SIGN_NAME:
        return _error("FailedOperation.SignatureIncorrectOrUnapproved", "unknown app or sign")
    statuses = []
    for phone in sent["PhoneNumberSet"]:
        code = request.app[SCRIPT][phone].pop(0) if request.app[SCRIPT][phone] else "Ok"
        serial = f"2433:{next(_serial):020d}"
        if code == "Ok":
            request.app[SENT].append((phone.removeprefix("+86"), sent["TemplateId"], sent["TemplateParamSet"], serial))
        statuses.append({"SerialNo": serial if code == "Ok" else "", "PhoneNumber": phone, "Fee": 1,
                         "SessionContext": "", "Code": code, "Message": "send success" if code == "Ok" else code,
                         "IsoCode": "CN"})
    return web.json_response({"Response": {"SendStatusSet": statuses, "RequestId": "fake"}})


def create_fake_sms() -> web.Application:
    app = web.Application()
    app[SENT], app[SCRIPT] = [], defaultdict(list)
    app.router.add_post("/", api)
    return app
