"""WeChat's receipt for a template message (TEMPLATESENDJOBFINISH): did it reach the user?

The send itself only says WeChat accepted it; the receipt, a few seconds later, says whether the
user had blocked the account or WeChat failed. A failure is recorded on what was sent, so the
outbox and the manager's thread show it was never seen.
"""

from __future__ import annotations

from storage.models import MessageDelivery, Notification

REASONS = {"failed:user block": "用户已拒收公众号消息", "failed: system failed": "微信系统故障，未送达"}


async def template_finished(msgid: str, status: str) -> None:
    if not msgid or status == "success":
        return
    reason = REASONS.get(status, status[:200])
    await Notification.filter(wechat_msgid=msgid, channel="oa_template").update(
        state="failed", last_error=f"oa_template: {reason}")
    await MessageDelivery.filter(wechat_msgid=msgid).update(state="failed", error=reason)
