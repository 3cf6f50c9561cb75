"""The SMS channel's settings (Tencent Cloud SMS), read with the others by ``load_settings``.

All of ``ONETHING_SMS_SECRET_ID``, ``_SECRET_KEY``, ``_SDK_APP_ID``, ``_SIGN_NAME`` and
``_TEMPLATES`` or none: with none, the channel runs in the sandbox and records what it would send.
``ONETHING_SMS_TEMPLATES`` names the pre-approved template id of each notification kind, as
``accepted=1234567,returned=1234568``; a kind without one is never sent by SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from onething.domain.notifications import SMS_KINDS
from onething.settings_parts import PREFIX, Secret, _http_url

REQUIRED = ("SMS_SECRET_ID", "SMS_SECRET_KEY", "SMS_SDK_APP_ID", "SMS_SIGN_NAME", "SMS_TEMPLATES")


@dataclass(frozen=True)
class SmsSettings:
    secret_id: str
    secret_key: Secret
    sdk_app_id: str
    sign_name: str  # the approved signature (短信签名), e.g. 某县政务服务
    templates: tuple[tuple[str, str], ...]  # (notification kind, template id)
    endpoint: str = "https://sms.tencentcloudapi.com"  # tests point it at a local fake
    region: str = "ap-guangzhou"
    callback_token: Secret = Secret("")  # the secret path part of the delivery-receipt URL

    @property
    def scheme(self) -> str:
        return urlsplit(self.endpoint).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).netloc

    def template(self, kind: str) -> str:
        return dict(self.templates).get(kind, "")


def sms_settings(get, problems: list[str]) -> SmsSettings | None:
    values = {name: get(name) for name in REQUIRED}
    given = [name for name, value in values.items() if value]
    if not given:
        return None
    for name in REQUIRED:
        if not values[name]:
            problems.append(f"{PREFIX}{name} is required when any of {PREFIX}SMS_* is set")
    templates = []
    for part in filter(None, (p.strip() for p in values["SMS_TEMPLATES"].split(","))):
        kind, _, template_id = (s.strip() for s in part.partition("="))
        if kind not in SMS_KINDS or not template_id.isdigit():
            problems.append(f"{PREFIX}SMS_TEMPLATES: {part!r} is not kind=template id "
                            f"(kinds: {', '.join(sorted(SMS_KINDS))})")
        else:
            templates.append((kind, template_id))
    endpoint = _http_url("SMS_ENDPOINT", get("SMS_ENDPOINT", "https://sms.tencentcloudapi.com"), problems)
    token = get("SMS_CALLBACK_TOKEN")
    if token and len(token) < 16:
        problems.append(f"{PREFIX}SMS_CALLBACK_TOKEN must be at least 16 characters")
    return SmsSettings(values["SMS_SECRET_ID"], Secret(values["SMS_SECRET_KEY"]), values["SMS_SDK_APP_ID"],
                       values["SMS_SIGN_NAME"], tuple(templates), endpoint.rstrip("/"),
                       get("SMS_REGION", "ap-guangzhou"), Secret(token))
