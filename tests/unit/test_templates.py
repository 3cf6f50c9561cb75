"""Every template renders, in strict mode, with what the code gives it."""

import dataclasses
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import pytest

from miniapp_api.app import ROUTES
from onething.web.openapi import document
from onething.domain.notice import notice_for
from onething.services.notifier import render
from onething.services.reference import load_calendar, load_catalog
from onething.web.provisional import mark_provisional
from onething.templating import make_environment
from tests.support.bulletins import sample as bulletin_sample

CATALOG = load_catalog()
CALENDAR = load_calendar()  # 2025 and 2026 official; 2027 provisional
TEMPLATES = sorted(p.name for p in Path(str(resources.files("onething.templates"))).glob("*.j2"))


def notice_cases():
    for code, thing in sorted(CATALOG.things.items()):
        notice = notice_for(CATALOG, thing)
        yield code, {"notice": notice}, [thing.name, *(m.name for m in notice.materials)]


def notify(kind: str, expected: list[str], **payload):
    """A notification as the sender renders it: number, thing name and the catalog's names."""
    context = {"number": "YS20261121-0007", "thing_name": "企业开办一件事", **payload,
               "item_name": lambda code: {"business_license": "营业执照"}.get(code, code),
               "material_name": lambda code: {"lease": "租赁合同"}.get(code, code)}
    return [(kind, context, ["YS20261121-0007", *expected])]


NOTIFY = {
    "received": notify("received", ["已收到您的申请", "2026-11-27 前作出受理决定"], intake_due_on="2026-11-27",
                       provisional=False),
    "accepted": notify("accepted", ["已受理", "租赁合同"], owed=["lease"]),
    "returned": notify("returned", ["需补正", "1. 缺少签字", "2. 照片模糊"], problems=["缺少签字", "照片模糊"]),
    "refused": notify("refused", ["不予受理", "不属于本机关职权"], reason="不属于本机关职权"),
    "item_approved": notify("item_approved", ["营业执照", "JY2026"], item="business_license", result_number="JY2026"),
    "approved": notify("approved", ["全部事项已审批通过"]),
    "rejected": notify("rejected", ["营业执照", "名称重复"], item="business_license", reason="名称重复",
                       cancelled=[], goes_on=False)
    + notify("rejected", ["公积金", "缴存比例", "随之终止办理：“印章备案”", "其余事项继续办理"], item="公积金",
             reason="缴存比例不符", cancelled=["印章备案"], goes_on=True),
    "partly_approved": notify("partly_approved", ["部分办结", "已通过：“营业执照”、“公章”", "未通过：“公积金”"],
                              approved=["business_license", "公章"], rejected=["公积金"]),
    "item_returned": notify("item_returned", ["需补正", "营业执照", "1. 章程未签字", "2. 住所证明模糊", "暂停计时"],
                            item="business_license", problems=["章程未签字", "住所证明模糊"]),
    "owed_waived": notify("owed_waived", ["租赁合同", "免于补交", "理由：已共享核验"], material="lease",
                          reason="已共享核验"),
    "results_ready": notify("results_ready", ["证照已制作完成", "办理结果", "无需再交"]),
    "closed": notify("closed", ["已送达"], how="deliver"),
    "rate_invitation": notify("rate_invitation", ["好差评"]),
    "extended": notify("extended", ["营业执照", "延长法定办理期限10个工作日", "2026-03-30", "需现场核查经营场所",
                                    "第四十二条", "2026-03-03"], item="business_license", reason="需现场核查经营场所",
                       days=10, legal_due_on="2026-03-30", due_on="2026-03-03"),
}
NOTIFY["extended"] += notify("extended", ["延至预计 2027-01-20（以国务院公布的放假安排为准）"], item="business_license",
                             reason="需现场核查经营场所", days=10, legal_due_on="2027-01-20", due_on="2027-01-06",
                             provisional=True)
NOTIFY |= {
    "suspended": notify("suspended", ["租赁合同", "暂停办理"], material="lease"),
    "owed_due": notify("owed_due", ["租赁合同", "2026-12-01"], material="lease", due_on="2026-12-01"),
    "shipment_posted": notify("shipment_posted", ["EMS", "1234567890", "802311"], carrier="EMS",
                              tracking_number="1234567890", pickup_code="802311"),
    "shipment_picked_up": notify("shipment_picked_up", ["EMS", "1234567890"], carrier="EMS",
                                 tracking_number="1234567890"),
    "shipment_out_for_delivery": notify("shipment_out_for_delivery", ["派送"], carrier="EMS",
                                        tracking_number="1234567890"),
    "shipment_failed": notify("shipment_failed", ["无人在家"], reason="无人在家"),
    "shipment_returned": notify("shipment_returned", ["退回服务中心"]),
    "deadline_moved": notify("deadline_moved", ["由 2027-02-09 调整为 2027-02-12", "国务院2027年放假安排已导入"],
                             before="2027-02-09", after="2027-02-12", why="国务院2027年放假安排已导入",
                             provisional=False, intake=False),
}
NOTIFY["deadline_moved"] += notify(
    "deadline_moved", ["受理期限由 2027-03-01 调整为 预计 2027-03-02（以国务院公布的放假安排为准）"],
    before="2027-03-01", after="2027-03-02", why="工作日历更新", provisional=True, intake=True)

THINGS = list(CATALOG.things.values())
MESSAGE = {"kind": "text", "text": "明天上午来现场踏勘", "filename": "", "enterprise": {"name": "青禾餐饮"}}
PARCELS = {"parcels": [], "linked": False, "public_url": "https://example.gov.cn",
           "thing_names": {"business-opening": "企业开办一件事"}}
PARCEL = {"number": "YS20260302-0001", "thing": "business-opening", "carrier_name": "中国邮政EMS",
          "tracking_number": "EA123456789CN", "state_name": "派送中", "last_update": "",
          "last_update_at": datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), "pickup_code": "802311"}
PROGRESS = {"cases": [], "linked": False, "number": None, "public_url": "https://example.gov.cn"}
# The shape progress.render gives the template: a case's view with its due dates marked.
CASE_VIEW = mark_provisional({
    "number": "YS20261121-0007", "thing_name": "企业开办一件事", "state": "in_review", "state_name": "审批中",
    "intake_due_on": "2026-11-21", "expected_completion_on": "2026-11-27",
    "tasks": [{"name": "营业执照", "state": "in_review", "state_name": "审批中", "due_on": "2026-11-27",
               "pause": None, "note": "", "problems": [], "certificate": False},
              {"name": "公章刻制", "state": "approved", "state_name": "已通过", "due_on": "2026-11-25",
               "pause": None, "note": "同意", "problems": [], "certificate": False}]}, CALENDAR)
DECIDED_VIEW = mark_provisional({**CASE_VIEW, "state_name": "审批中", "tasks": [
    {"name": "公积金登记", "state": "rejected", "state_name": "未通过", "due_on": "2026-11-25", "pause": None,
     "note": "缴存比例不符合规定", "problems": [], "certificate": False},
    {"name": "税务登记", "state": "paused", "state_name": "暂停计时", "due_on": "2026-11-27",
     "pause": "退回补正，等待申请人补正", "note": "", "problems": ["财务负责人身份证不清晰", "未选会计制度"], "certificate": False}]}, CALENDAR)
PROVISIONAL_VIEW = mark_provisional({
    **CASE_VIEW, "expected_completion_on": "2027-01-05",
    "tasks": [{"name": "营业执照", "state": "in_review", "state_name": "审批中", "due_on": "2027-01-05",
               "pause": None, "note": "", "problems": [], "certificate": False}]}, CALENDAR)
SUBMITTED_VIEW = mark_provisional({**CASE_VIEW, "state": "submitted", "state_name": "已提交，待受理",
                                   "intake_due_on": "2027-01-06", "expected_completion_on": None, "tasks": []},
                                  CALENDAR)

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

# The staff inbox: the context services.issues and services.projects give each notice.
ISSUE_NOTICE = {"issue": {"id": 12, "title": "项目用地指标未落实", "department_name": "县住房和城乡建设局",
                          "requested_by": "2026-11-30"},
                "project": {"name": "年产5万吨食品加工项目"}, "enterprise": {"name": "某县青禾食品有限公司"},
                "level": {"name": "县重大项目服务处"}}
STAFF_NOTICES = {
    "staff_issue_opened.txt.j2": [("by an enterprise", {**ISSUE_NOTICE, "opened_by": "contact:3"},
                                   ["第12号", "项目用地指标未落实", "县住房和城乡建设局", "2026-11-30"])],
    "staff_issue_escalated.txt.j2": [("to the service centre", {**ISSUE_NOTICE, "from_level": "项目服务经理",
                                                                "due_on": "2026-12-07", "note": ""},
                                      ["在项目服务经理逾期未解决", "升级至县重大项目服务处", "本级办理时限：2026-12-07"])],
    "staff_issue_reopened.txt.j2": [("with a reason", {**ISSUE_NOTICE, "from_level": "项目服务经理", "note": "企业反映仍未解决",
                                                       "due_on": "2026-12-07"}, ["原因：企业反映仍未解决", "2026-12-07"])],
    "staff_calendar_missing.txt.j2": [("next year", {"year": 2027, "today": "2026-11-01"},
                                       ["2027年的国务院放假安排尚未导入", "onething calendar import 2027", "--apply"])],
    "staff_grade.txt.j2": [("two items", {"number": "YS20261121-0007", "thing_name": "企业开办一件事", "items": [
        {"item_name": "营业执照", "department_name": "县市场监督管理局", "grade_name": "黄牌",
         "note": "已超过承诺办理期限 2026-11-27"},
        {"item_name": "税务登记", "department_name": "县税务局", "grade_name": "预警",
         "note": "距承诺办理期限（2026-11-27）还剩0个工作日"}]},
        ["【电子监察】办件 YS20261121-0007（企业开办一件事）", "黄牌：事项《营业执照》（县市场监督管理局），已超过承诺办理期限 2026-11-27。",
         "预警：事项《税务登记》（县税务局）"])],
    "staff_overturned.txt.j2": [
        ("an item's rejection", {"number": "YS20261121-0007", "thing_name": "企业开办一件事",
                                 "what": "事项《营业执照》（县市场监督管理局）的不予许可决定", "basis_name": "行政复议",
                                 "note": "县政府复议决定书（县政复决字〔2026〕12号）"},
         ["【电子监察】办件 YS20261121-0007（企业开办一件事）：事项《营业执照》（县市场监督管理局）的不予许可决定已被撤销（行政复议）。",
          "说明：县政府复议决定书（县政复决字〔2026〕12号）。", "请依法重新作出决定"]),
        ("the case's refusal, no note", {"number": "YS20261121-0008", "thing_name": "新生儿出生一件事",
                                         "what": "不予受理决定", "basis_name": "投诉核查", "note": ""},
         ["YS20261121-0008（新生儿出生一件事）：不予受理决定已被撤销（投诉核查）。\n请依法"]),
    ],
    "staff_project_assigned.txt.j2": [
        ("with a note", {"project": {"name": "年产5万吨食品加工项目", "level_name": "县重点项目"},
                         "enterprise": {"name": "某县青禾食品有限公司"}, "assigned_by": "admin", "note": "原经理调岗"},
         ["年产5万吨食品加工项目", "县重点项目", "说明：原经理调岗"]),
        ("without", {"project": {"name": "甲项目", "level_name": "省重点项目"}, "enterprise": {"name": "乙公司"},
                     "assigned_by": "admin", "note": ""}, ["甲项目", "项目服务经理"]),
    ],
}

CASES = {
    **{f"notify_{kind}.txt.j2": cases for kind, cases in NOTIFY.items()},
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
    "api_docs.html.j2": [("all", {"spec": document(ROUTES, "/api/v1", "onething 小程序接口")}, ["/api/v1/auth/login", "好差评"])],
    "bot_welcome.txt.j2": [
        ("subscribe", {"things": THINGS, "bound": None, "returning": False}, ["欢迎关注", "企业开办", "退休一件事"]),
        ("scanned a receipt", {"things": THINGS, "returning": True, "bound": {
            "kind": "application", "number": "YS20261121-0007", "thing_name": "企业开办一件事"}},
         ["已关联办件 YS20261121-0007"]),
        ("scanned a window", {"things": THINGS, "returning": False, "bound": {"kind": "window", "ref": "W03"}},
         ["W03 号窗口", "欢迎关注"]),
        ("scanned an enterprise", {"things": THINGS, "returning": True, "bound": {"kind": "enterprise", "ref": "X"}},
         ["项目服务经理"]),
    ],
    "bot_choose.txt.j2": [("two", {"choices": [CATALOG.things["newborn"], CATALOG.things["retirement"]]},
                           ["1. 新生儿出生一件事", "2. 退休一件事"])],
    "bot_progress.txt.j2": [
        ("cases", {**PROGRESS, "cases": [CASE_VIEW]}, ["YS20261121-0007", "营业执照：审批中，2026-11-27前办结",
                                                        "预计办结：2026-11-27"]),
        ("over a provisional year", {**PROGRESS, "cases": [PROVISIONAL_VIEW]},
         ["营业执照：审批中，预计2027-01-05前办结", "预计办结：2027-01-05（以国务院公布的放假安排为准）"]),
        ("awaiting intake", {**PROGRESS, "cases": [SUBMITTED_VIEW]},
         ["预计2027-01-06前作出受理决定（以国务院公布的放假安排为准）"]),
        ("item by item", {**PROGRESS, "cases": [DECIDED_VIEW]}, [
            "公积金登记：未通过", "原因：缴存比例不符合规定", "税务登记：暂停计时（退回补正，等待申请人补正），2026-11-27前办结",
            "请补正：1. 财务负责人身份证不清晰；2. 未选会计制度"]),
        ("a certificate issued", {**PROGRESS, "cases": [{**CASE_VIEW, "tasks": [
            {**CASE_VIEW["tasks"][1], "certificate": True}]}]}, ["公章刻制：已通过", "电子证照已签发，可在小程序“办理结果”中查看"]),
        ("not theirs", {**PROGRESS, "number": "YS20261121-0008"}, ["没有找到您名下编号为 YS20261121-0008"]),
        ("no cases yet", {**PROGRESS, "linked": True}, ["还没有提交过办件"]),
        ("unknown follower", PROGRESS, ["请先在小程序中登录", "https://example.gov.cn"]),
    ],
    "bot_wait.txt.j2": [("any", {}, ["正在为您查询"])],
    "bot_parcels.txt.j2": [
        ("on its way", {**PARCELS, "parcels": [PARCEL]}, ["企业开办一件事", "中国邮政EMS EA123456789CN：派送中",
                                                       "2026-03-02 10:00", "取件码：802311"]),
        ("delivered", {**PARCELS, "parcels": [{**PARCEL, "pickup_code": None, "state_name": "已签收"}]},
         ["EA123456789CN：已签收，2026-03-02 10:00"]),
        ("failed", {**PARCELS, "parcels": [{**PARCEL, "state_name": "投递未成功", "last_update": "收件人不在"}]},
         ["EA123456789CN：投递未成功（收件人不在），2026-03-02 10:00"]),
        ("nothing posted", {**PARCELS, "linked": True}, ["还没有邮寄中的证照"]),
        ("unknown follower", PARCELS, ["请先在小程序中登录"]),
    ],
    "bot_manager.txt.j2": [("none yet", {}, ["项目服务经理"])],
    "bot_choose_enterprise.txt.j2": [("two", {"choices": [{"enterprise": "青禾餐饮", "manager": "张三"},
                                                          {"enterprise": "青禾建设", "manager": "李四"}]},
                                      ["1. 青禾餐饮（项目服务经理 张三）", "2. 青禾建设（项目服务经理 李四）"])],
    "bot_manager_on.txt.j2": [("connected", {"enterprise": "青禾餐饮", "manager": "张三"},
                               ["青禾餐饮的项目服务经理 张三。", "退出"])],
    "bot_manager_sent.txt.j2": [("first message", {}, ["已转给您的项目服务经理"])],
    "bot_manager_off.txt.j2": [("left", {}, ["已结束", "找经理"])],
    "manager_message.txt.j2": [
        ("text", {"message": MESSAGE, "link": None, "manager": "张三"},
         ["【项目服务经理 张三】青禾餐饮", "明天上午来现场踏勘", "退出"]),
        ("document", {"message": {**MESSAGE, "filename": "踏勘通知.pdf"}, "link": "https://files.example/x",
                      "manager": ""},
         ["踏勘通知.pdf", "https://files.example/x", "7天内有效"]),
    ],
    "issue_closed.txt.j2": [("closed", {"issue": {"title": "排水许可迟迟未批", "resolution": "已于11月20日核发"},
                                        "project": {"name": "年产万吨食品加工项目"}},
                             ["年产万吨食品加工项目", "排水许可迟迟未批", "已于11月20日核发", "回复"])],
    "manager_invitation.txt.j2": [("text", {"message": MESSAGE}, ["经理有新消息"]),
                                  ("document", {"message": {**MESSAGE, "kind": "document"}}, ["经理发来文件"])],
    "wechat_menu.json.j2": [
        ("with the mini-program", {"public_url": "https://example.gov.cn", "mini_appid": "wx-mp"},
         ['"appid": "wx-mp"', '"key": "MY_CASES"', '"key": "CONTACT_MANAGER"']),
        ("without", {"public_url": "https://example.gov.cn", "mini_appid": None}, ['"key": "GUIDE"']),
    ],
    **STAFF_NOTICES,
    "bulletin.html.j2": [
        ("a month", {"bulletin": bulletin_sample(), "county": "某县"},
         ["某县行政审批电子监察评估情况通报（2026年11月）", "预警提示 1 件次", "黄牌警告 1 件次", "红牌警告 1 件次",
          "YS20261102-0002", "县税务局", "66.7%", "近12个月按时办结率", "<polyline", "↑2", "新上榜", "↓1",
          "&lt;script&gt;", "2026-11-25（逾期）"]),
        ("a quiet month", {"bulletin": bulletin_sample(quiet=True), "county": ""},
         ["本月尚未结束", "本月无预警、黄牌和红牌。", "本月无审批决定。", "本月无可排名的部门。", "本月无超期事项。"]),
    ],
    "bot_unknown.txt.j2": [("all", {"things": list(CATALOG.things.values())}, ["抱歉", "开办餐饮店"])],
    # macros only, one sentence per action: each is rendered in test_timeline.py
    "timeline.txt.j2": [("macros", {}, [])],
    "bot_notice.txt.j2": [
        *((code, {**context, "mini_program": {"appid": "", "thing_page": "pages/thing/index"}},
           [*expected, "pages/thing/index?code="]) for code, context, expected in notice_cases()),
        ("in the mini-program", {"notice": notice_for(CATALOG, CATALOG.things["newborn"]),
                                 "mini_program": {"appid": "wx-mp", "thing_page": "pages/thing/index"}},
         ['data-miniprogram-appid="wx-mp"', 'data-miniprogram-path="pages/thing/index?code=newborn"']),
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


def test_the_menu_is_the_json_wechat_takes():
    import json

    menu = json.loads(make_environment().get_template("wechat_menu.json.j2").render(
        public_url="https://example.gov.cn", mini_appid="wx-mp"))
    assert len(menu["button"]) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in menu["button"])


def test_html_pages_escape_what_they_show():
    hostile = dataclasses.replace(notice_for(CATALOG, CATALOG.things["newborn"]), summary="<script>alert(1)</script>")
    rendered = make_environment().get_template("notice.html.j2").render(notice=hostile)
    assert "<script>alert(1)" not in rendered and "&lt;script&gt;" in rendered


@pytest.mark.parametrize("kind", sorted(NOTIFY))
def test_notifications_fit_wechat_fields(kind):
    # phrase fields take at most 5 characters and no digits; thing fields at most 20
    for _, context, expected in NOTIFY[kind]:
        message = render(make_environment(), kind, context)
        assert 0 < len(message.status) <= 5 and not any(c.isdigit() for c in message.status)
        assert 0 < len(message.hint) <= 20, message.hint
        for fragment in expected:
            assert fragment in message.text + message.status


def test_the_courier_page_escapes_what_it_shows():
    hostile = {**COURIER_PAGE, "shipment": {**SHIPMENT, "address": "<img src=x onerror=alert(1)>"}}
    rendered = make_environment().get_template("courier_shipment.html.j2").render(**hostile)
    assert "<img src=x" not in rendered and "&lt;img src=x" in rendered


SMS_TEMPLATES = sorted(p.name for p in Path(str(resources.files("onething.templates"))).glob("sms/*.j2"))
SMS_LAST = {"accepted": "1", "returned": "2", "refused": "不属于本机关职权", "item_returned": "2",
            "results_ready": "企业开办一件事", "owed_due": "2026-12-01", "shipment_posted": "802311"}


def test_every_sms_kind_has_its_parameter_template():
    from onething.domain.notifications import SMS_KINDS

    assert {name.removesuffix(".txt.j2") for name in SMS_TEMPLATES} == set(SMS_KINDS) == set(SMS_LAST)


@pytest.mark.parametrize("kind", sorted(SMS_LAST))
def test_sms_parameters_render_short_and_in_order(kind):
    from onething.services.sms import params

    for _, context, _ in NOTIFY[kind]:
        values = params(make_environment(), kind, context)
        assert values[0] == "YS20261121-0007" and values[-1] == SMS_LAST[kind]
        assert all(0 < len(value) <= 20 for value in values), values


def test_an_sms_parameter_too_long_for_the_provider_is_shortened():
    from onething.services.sms import params

    [(_, context, _)] = NOTIFY["refused"]
    values = params(make_environment(), "refused", {**context, "reason": "申请事项不属于本行政机关职权范围，请向有关行政机关申请"})
    assert len(values[-1]) == 20 and values[-1].endswith("…")
