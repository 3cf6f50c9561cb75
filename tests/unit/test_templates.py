"""Every template renders, in strict mode, with what the code gives it."""

import dataclasses
from importlib import resources
from pathlib import Path

import pytest

from miniapp_api.app import ROUTES
from miniapp_api.openapi import document
from onething.domain.notice import notice_for
from onething.services.reference import load_catalog
from onething.templating import make_environment

CATALOG = load_catalog()
TEMPLATES = sorted(p.name for p in Path(str(resources.files("onething.templates"))).glob("*.j2"))


def notice_cases():
    for code, thing in sorted(CATALOG.things.items()):
        notice = notice_for(CATALOG, thing)
        yield code, {"notice": notice}, [thing.name, *(m.name for m in notice.materials)]


# The shape shipment_views.courier_view / staff_view give the pages (recipient already masked).
SHIPMENT = {
    "id": 7, "application_id": 3, "number": "YS20260302-0001", "carrier": "ems", "carrier_name": "中国邮政EMS",
    "tracking_number": "EA123456789CN", "state": "out_for_delivery", "state_name": "派送中",
    "pieces": ["营业执照正副本", "公章一套"], "recipient": "王**", "phone": "138****5678",
    "address": "浙江省杭州市某县城关镇解放路18号", "created_at": "2026-03-02T02:00:00+00:00",
    "next_actions": [{"action": "deliver", "name": "签收（核对取件码）"}, {"action": "fail", "name": "登记投递失败"}],
    "code_locked": False,
    "scans": [{"seq": 1, "action": "pickup", "action_name": "在服务中心揽收", "state": "picked_up", "state_name": "已揽收",
               "at": "2026-03-02T02:00:00+00:00", "at_local": "2026-03-02 10:00", "note": "", "actor": "courier:li",
               "latitude": None, "longitude": None}],
}
COURIER_PAGE = {"shipment": SHIPMENT, "message": "已登记：开始派送。", "error": "", "reasons": ["收件人不在"],
                "action_path": "/courier/s/TOKEN", "form_token": "f" * 32}

CASES = {
    "shipment_slip.html.j2": [("two pieces", {"shipment": SHIPMENT, "qr_image": "data:image/svg+xml;base64,AAAA"},
                               ["第1/2件", "第2/2件", "YS20260302-0001", "王**", "138****5678", "data:image/svg+xml",
                                "size: A6"])],
    "courier_shipment.html.j2": [
        ("out for delivery", COURIER_PAGE, ["EA123456789CN", "王**", 'name="pickup_code"', 'value="' + "f" * 32,
                                            "收件人不在", "已登记：开始派送。", "2026-03-02 10:00 在服务中心揽收"]),
        ("nothing left", {**COURIER_PAGE, "shipment": {**SHIPMENT, "next_actions": [], "code_locked": True}},
         ["本邮件已无需操作", "多次错误锁定"]),
    ],
    "courier_login.html.j2": [("with error", {"next": "/courier/s/TOKEN", "error": "用户名或密码不正确。"},
                               ['value="/courier/s/TOKEN"', "用户名或密码不正确。"])],
    "courier_error.html.j2": [("forged", {"title": "无法打开此邮件", "message": "投递二维码无效，请核对面单。"},
                               ["投递二维码无效"])],

    "notice.html.j2": list(notice_cases()),
    "notice.txt.j2": list(notice_cases()),
    "api_docs.html.j2": [("all", {"spec": document(ROUTES)}, ["/api/v1/auth/login", "好差评"])],
    "bot_welcome.txt.j2": [("all", {"things": list(CATALOG.things.values())}, ["企业开办", "退休一件事"])],
    "bot_choose.txt.j2": [("two", {"things": [CATALOG.things["newborn"], CATALOG.things["retirement"]]},
                           ["1. 新生儿出生一件事", "2. 退休一件事"])],
    "bot_unknown.txt.j2": [("all", {"things": list(CATALOG.things.values())}, ["抱歉", "开办餐饮店"])],
    "bot_notice.txt.j2": [
        (code, {**context, "public_url": "https://example.gov.cn"}, [*expected, "https://example.gov.cn"])
        for code, context, expected in notice_cases()
    ],
}


def test_every_template_has_cases_here():
    assert set(TEMPLATES) == set(CASES), "add rendering cases for each new template"


@pytest.mark.parametrize("template, name, context, expected",
                         [(t, n, c, e) for t, cases in CASES.items() for n, c, e in cases])
def test_each_template_renders(template, name, context, expected):
    text = make_environment().get_template(template).render(**context)
    for fragment in expected:
        assert fragment in text


def test_html_pages_escape_what_they_show():
    hostile = dataclasses.replace(notice_for(CATALOG, CATALOG.things["newborn"]), summary="<script>alert(1)</script>")
    rendered = make_environment().get_template("notice.html.j2").render(notice=hostile)
    assert "<script>alert(1)" not in rendered and "&lt;script&gt;" in rendered


def test_the_courier_page_escapes_what_it_shows():
    hostile = {**COURIER_PAGE, "shipment": {**SHIPMENT, "address": "<img src=x onerror=alert(1)>"}}
    rendered = make_environment().get_template("courier_shipment.html.j2").render(**hostile)
    assert "<img src=x" not in rendered and "&lt;img src=x" in rendered
