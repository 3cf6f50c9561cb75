"""Rendering cases for the manager's, supervisor's and admin's console templates, as their
handlers fill them: ``tests/unit/test_console_templates.py`` renders each in strict mode."""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace as Row

from multidict import MultiDict, MultiDictProxy

from onething.domain.calendar import YearSchedule
from onething.domain.holiday_notice import Arrangement
from onething.domain.holidays import Changes
from onething.domain.identity import mask_name
from onething.domain.shipment import CARRIERS
from onething.services.calendar_import import Preview
from onething.services.ledger import FIGURE_NAMES, FIGURES, HEADERS, Row as LedgerRow
from onething.services.reference import load_catalog
from onething.services.staff import StaffSession

CATALOG = load_catalog()
AT = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)
MANAGER = {"me": StaffSession(5, "zhao", "manager", None, None), "role_name": "项目服务经理", "department_name": "",
           "nav": [{"title": "企业", "href": "/staff/enterprises"}], "csrf": "t" * 64, "path": "/staff/enterprises"}
SUPERVISOR = {**MANAGER, "me": StaffSession(6, "qian", "supervisor", None, None), "role_name": "科室负责人"}
ADMIN = {**MANAGER, "me": StaffSession(7, "sun", "admin", None, None), "role_name": "系统管理员"}
FIRM = Row(id=4, name="某县青禾餐饮有限公司", credit_code="91350100M000100Y43", manager_id=5, manager=Row(username="zhao"))
CASE_ROW = Row(id=3, number="YS20260302-0001", thing="business-opening", state="in_review")
TASK = Row(due_on=date(2026, 3, 9), overdue=True, warned=True)
FILE = Row(enterprise=FIRM, contacts=[Row(citizen=Row(real_name="张三丰"), bound_via="scan", verified=True, follower_id=1)],
           cases=[(CASE_ROW, [TASK])], managers=[Row(at=AT, assigned_by="staff:qian", manager=Row(username="zhao"),
                                                     note="按片区")],
           events=[Row(at=AT, actor="staff:zhao", action="register", note="")], credit=None)
DELIVERY = {"contact": 9, "state": "failed", "channel": "oa_text", "error": "errcode 45015：超出回复时间限制",
            "sent_at": None, "read_at": None}
MESSAGE = {"id": 1, "direction": "out", "author": "staff:zhao", "kind": "text", "text": "本周五可领取", "filename": None,
           "file_url": None, "contact": None, "created_at": "2026-03-02T10:00:00+08:00",
           "deliveries": [DELIVERY, {**DELIVERY, "state": "sent", "error": "", "read_at": "2026-03-02T11:00:00+08:00"}]}
KINDS = {"text": "文字", "notice": "一件事告知", "status": "办件进度卡片"}
SENT = MultiDictProxy(MultiDict([("kind", "status"), ("application", "3")]))
NOTIFICATION = {"id": 11, "number": "YS1", "kind": "accepted", "state": "failed", "channel": "mp_subscribe",
                "attempts": 3, "last_error": "errcode 43101", "created_at": "2026-03-02T02:00:00+00:00"}
STATES = {"pending": "待发送", "failed": "发送失败"}
FLAG = {"subject": "citizen", "who": "张*（110***********4573）", "active": True, "reason": "虚假材料", "document": "认定1号",
        "updated_by": "staff:qian", "updated_at": "2026-03-02T02:00:00+00:00",
        "history": [{"action": "set", "actor": "staff:qian", "reason": "虚假材料", "document": "认定1号"}]}
SCHEDULE = YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 2, 20)}))
PREVIEW = Preview(SCHEDULE, (Arrangement(("元旦",), (date(2027, 1, 1),), ()),), Changes((date(2027, 2, 11),), ()), True)
CALENDAR = {**ADMIN, "year": 2027, "schedule": SCHEDULE, "holidays": [date(2027, 1, 1)], "workdays": [date(2027, 2, 20)],
            "weekday": lambda d: f"{d.isoformat()}（周）", "official": [2025, 2026], "sent": {"year": "2027"}}
PROJECT = {"id": 2, "name": "年产5万吨食品加工项目", "level_name": "县重点项目", "stage_name": "开工建设",
           "enterprise": {"id": 4, "name": "某县青禾餐饮有限公司"}, "manager": {"display_name": "赵经理"},
           "issues": {"active": 2, "overdue": 1, "next_due_on": "2026-03-06"}}
ISSUE = {"id": 8, "title": "施工用电未接入", "detail": "需要临时用电", "resolution": "", "department_name": "国网县供电公司",
         "state": "in_progress", "state_name": "办理中", "reopened": False, "level": {"name": "项目服务经理"},
         "due_on": "2026-03-06", "overdue": True}

CASES = {
    "enterprises.html.j2": [({**MANAGER, "enterprises": [FIRM]}, ["某县青禾餐饮有限公司", "/staff/threads/4", "zhao"])],
    "enterprise.html.j2": [({**MANAGER, "file": FILE, "catalog": CATALOG, "mask_name": mask_name,
                             "state_names": {"in_review": "审查中"}},
                            ["91350100M000100Y43", "张*", "已关注", "已逾期", "审查中", "指定经理：zhao", "2026-03-02 10:00"])],
    "threads.html.j2": [({**MANAGER, "threads": [{"id": 4, "enterprise": "青禾", "unseen": 2, "last": {
        "direction": "in", "text": "在吗", "at": "2026-03-02T10:00:00+08:00"}}]}, ["2 条未读", "企业：在吗", "2026-03-02 10:00"])],
    "thread.html.j2": [({**MANAGER, "file": FILE, "kinds": KINDS, "things": CATALOG.things, "messages": [MESSAGE],
                         "sent": SENT, "refusal": "该办件不属于本企业。"},
                        ["本周五可领取", "发送失败（errcode 45015", 'data-state="read"', "该办件不属于本企业",
                         'value="status" checked', '<option value="3" selected>']),
                       ({**SUPERVISOR, "file": FILE, "kinds": KINDS, "things": {}, "messages": [], "sent": {},
                         "done": False}, ["暂无消息"])],
    "broadcasts.html.j2": [({**MANAGER, "broadcasts": [{"author": "staff:zhao", "text": "停水", "enterprises": 2,
                                                          "created_at": AT, "states": {"sent": 2, "failed": 1}}],
                             "enterprises": [FIRM], "things": CATALOG.things, "sent": {"enterprise": ["4"]},
                             "refusal": "没有可发送的企业。"}, ["已发送 2、发送失败 1", 'value="4" checked', "没有可发送的企业"])],
    "follow_ups.html.j2": [({**SUPERVISOR, "items": [{"id": 1, "number": "YS1", "score": 1, "comment": "太慢",
                                                      "due_on": "2026-03-20", "overdue": True}],
                             "refusal": "请填写回访情况。", "failed": 1, "note": "打了电话"},
                            ["太慢", "已逾期", "请填写回访情况", "打了电话</textarea>", 'for="note-1"'])],
    "outbox.html.j2": [({**ADMIN, "found": {"items": [NOTIFICATION], "page": 1, "counts": {"pending": 0, "failed": 1}},
                         "state": "failed", "states": STATES, "retryable": ("failed",), "done": True},
                        ["errcode 43101", "/staff/outbox/11/retry", "发送失败（1）", "已重新排队发送", "2026-03-02 10:00"])],
    "credit.html.j2": [({**SUPERVISOR, "flags": [FLAG], "everything": False, "sent": {"reason": "x"},
                         "refusal": "身份证号不正确。"}, ["张*（110***********4573）", "列入：staff:qian", "身份证号不正确",
                                                   ">x</textarea>"])],
    "accounts.html.j2": [({**ADMIN, "accounts": [Row(id=9, username="li", role="reviewer", department="market",
                                                     carrier=None, active=False)],
                           "roles": {"reviewer": "后台审批", "courier": "快递员"}, "departments": CATALOG.departments,
                           "carriers": CARRIERS, "sent": {"username": "wang"}, "done": "reset"},
                          ["县市场监督管理局", "已停用", "密码已重置", 'value="wang"', 'for="password-9"'])],
    "catalog.html.j2": [({**ADMIN, "catalog": CATALOG}, ["企业开办", "个工作日"])],
    "calendar.html.j2": [({**CALENDAR}, ["2027 年工作日历", "2025、2026", "2027-02-20（周）"]),
                         ({**CALENDAR, "read": PREVIEW, "applied": False, "refusal": "第 3 行"},
                          ["预览", "不再是工作日：2027-02-11", 'name="apply" value="1"', "第 3 行"]),
                         ({**CALENDAR, "read": PREVIEW, "applied": True, "moved": 4, "failed": ["YS9"]},
                          ["4 件在办件", "YS9"])],
    "projects.html.j2": [({**MANAGER, "projects": [PROJECT]}, ["年产5万吨食品加工项目", "县重点项目", "2026-03-06"])],
    "project.html.j2": [({**MANAGER, "project": PROJECT, "issues": [ISSUE, {**ISSUE, "id": 9, "state": "closed",
                                                                            "resolution": "已接入"}],
                          "departments": {"power-supply": "国网县供电公司"}, "sent": {"resolution": "留着"}, "failed": 8,
                          "refusal": "请写明解决结果。"},
                         ["施工用电未接入", "已逾期", "请写明解决结果", "留着</textarea>", "重新打开的原因", "解决结果：已接入"])],
    "ledger.html.j2": [({**MANAGER, "month": "2026-03", "by": "manager", "kinds": {"manager": "按项目服务经理"},
                         "rows": [LedgerRow("zhao", "赵经理", opened=2, open=1)], "headers": HEADERS["manager"],
                         "names": FIGURE_NAMES, "figures": FIGURES, "totals": dict.fromkeys(FIGURES, 0)},
                        ["2026-03 月度台账", "赵经理", "/staff/ledger.csv?month=2026-03&by=manager", "合计"])],
}
