"""The SMS provider (Tencent Cloud SMS, through its SDK), and its sandbox that records instead.

The SDK is synchronous (``requests``): each send runs on a worker thread, off the event loop. Its
endpoint comes from the settings, so tests point it at a local fake of the provider's HTTP API;
the SDK signs every request (TC3-HMAC-SHA256) as it would for the real one.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Protocol

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

log = logging.getLogger("onething.sms")
# The SDK logs whole requests and answers at DEBUG: the phone numbers in them must never be logged.
logging.getLogger("tencentcloud_sdk_common").setLevel(logging.WARNING)
TIMEOUT = 10  # seconds: a notification is not worth holding a worker thread longer
# The provider's own refusals that pass: its per-number frequency limits, its busy moments.
TRANSIENT = ("LimitExceeded.PhoneNumber", "InternalError", "RequestLimitExceeded", "ServerNetworkError")


class SmsError(Exception):
    """The provider did not take the message; the same questions as a WeChat error answers."""

    def __init__(self, errcode: str, errmsg: str = "", *, uncertain: bool = False):
        # uncertain: the request went out and no answer came back, so it may have been sent
        self.errcode, self.errmsg, self.uncertain = errcode, errmsg, uncertain
        super().__init__(f"SMS error {errcode}: {errmsg}")

    @property
    def transient(self) -> bool:
        return not self.uncertain and self.errcode.startswith(TRANSIENT)


class SmsSender(Protocol):
    async def send(self, phone: str, template_id: str, params: list[str]) -> str:
        """Send one templated SMS to a mainland number; the provider's serial number for its receipt."""


class SandboxSms:
    """Keeps what would have been sent, for the developer and the tests; nothing leaves the machine."""

    def __init__(self) -> None:
        self.sent: deque[tuple[str, str, list[str]]] = deque(maxlen=1000)  # (phone, template id, params)

    async def send(self, phone: str, template_id: str, params: list[str]) -> str:
        self.sent.append((phone, template_id, params))
        log.info("sandbox: SMS kept, not sent", extra={"template": template_id})
        return f"sandbox-{len(self.sent)}"


class TencentSms:
    def __init__(self, settings) -> None:
        http = HttpProfile(protocol=settings.scheme, endpoint=settings.host, reqTimeout=TIMEOUT)
        self.client = sms_client.SmsClient(credential.Credential(settings.secret_id, settings.secret_key),
                                           settings.region, ClientProfile(httpProfile=http))
        self.app_id, self.sign_name = settings.sdk_app_id, settings.sign_name

    async def send(self, phone: str, template_id: str, params: list[str]) -> str:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId, request.SignName = self.app_id, self.sign_name
        request.TemplateId, request.TemplateParamSet = template_id, params
        try:
            answer = await asyncio.to_thread(self.client.SendSms, request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ClientNetworkError"
            # a timeout after the request went out may still have sent it; a refused connection has not
            uncertain = code == "ClientNetworkError" and "timed out" in str(exc.get_message()).lower()
            raise SmsError(code, str(exc.get_message() or "")[:200], uncertain=uncertain) from None
        status = answer.SendStatusSet[0] if answer.SendStatusSet else None
        if status is None or status.Code != "Ok":
            raise SmsError(status.Code if status else "FailedOperation.NoStatus",
                           (status.Message if status else "")[:200])
        return status.SerialNo


def open_sms(settings) -> SmsSender:
    return SandboxSms() if settings.sms is None else TencentSms(settings.sms)


__all__ = ["SandboxSms", "SmsError", "SmsSender", "TencentSms", "open_sms"]
