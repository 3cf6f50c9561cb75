"""Events wechatpy 1.8.18 does not parse: the subscription-notice consent events.

``subscribe_msg_popup_event`` (the user answered the popup) and ``subscribe_msg_change_event``
(they changed their mind in the settings) carry a list of template ids and the choice made
for each. The XML has been checked for DTDs before it gets here.
"""

from __future__ import annotations

from defusedxml.ElementTree import fromstring

LISTS = ("SubscribeMsgPopupEvent", "SubscribeMsgChangeEvent")
CHOICES = {"accept", "reject", "ban", "filter"}


def consent_choices(xml: str) -> dict[str, str]:
    """``{template id: accept | reject}`` as the user chose, from either event."""
    root = fromstring(xml, forbid_dtd=True)
    choices = {}
    for name in LISTS:
        for entry in root.iterfind(f"{name}/List"):
            template_id = (entry.findtext("TemplateId") or "").strip()
            status = (entry.findtext("SubscribeStatusString") or "").strip()
            if template_id and status in CHOICES:
                choices[template_id] = status
    return choices
