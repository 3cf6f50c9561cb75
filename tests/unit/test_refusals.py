"""One way to refuse: each rule's refusal carries its status, and its words are in the catalogue."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from aiohttp import web

from onething.domain.calendar import UnknownYear
from onething.domain.case import CaseRuleError, OwedOutstanding
from onething.domain.credit import CreditRuleError
from onething.domain.issues import IssueRuleError, IssueStateConflict
from onething.domain.refusals import Refused
from onething.domain.shipment import ShipmentRuleError, WrongPickupCode
from onething.domain.states import IllegalTransition, State
from onething.services.case_store import ConcurrentUpdate
from onething.services.workflow import CaseNotFound
from onething.web.errors import error_middleware
from onething.web.http import run_rule
from tests.support.refusals import said

ROOT = Path(__file__).resolve().parents[2]
# The domain and the case's services raise refusals without words of their own.
WORDLESS = [*(ROOT / "onething" / "domain").glob("*.py"),
            *(ROOT / "onething" / "services" / name for name in (
                "workflow.py", "case_store.py", "credit.py", "wallet.py", "pending_uploads.py"))]
RAISED = re.compile(r'(?:CaseRuleError|IssueRuleError|ShipmentRuleError|CreditRuleError|WrongPickupCode|Refused)'
                    r'\(\s*"([a-z_]+)"')


def test_each_refusal_of_the_rules_carries_its_one_status():
    statuses = {
        CaseRuleError("not_owed"): 422, OwedOutstanding(["lease"]): 422,
        IllegalTransition(State.DRAFT, "accept"): 409, ConcurrentUpdate(1): 409, CaseNotFound(1): 404,
        UnknownYear(2150, frozenset({2026})): 503, CreditRuleError("not_flagged", status=404): 404,
        IssueRuleError("title_required"): 422, IssueStateConflict("already_closed"): 409,
        ShipmentRuleError("invalid_code"): 422, ShipmentRuleError("out_of_order"): 409,
        WrongPickupCode("code_locked", attempts_left=0): 423,
    }
    for refusal, status in statuses.items():
        assert isinstance(refusal, Refused) and refusal.status == status, refusal.code


def test_every_code_the_rules_raise_has_its_words_in_the_catalogue():
    codes = {code for path in WORDLESS for code in RAISED.findall(path.read_text(encoding="utf-8"))}
    assert {"not_owed", "illegal_transition", "calendar_missing", "not_in_wallet", "wrong_code"} - codes == {
        "illegal_transition", "calendar_missing"}  # those two are named in their classes
    for code in codes | {"illegal_transition", "calendar_missing", "conflict", "not_found"}:
        assert said(Refused(code, details={"state_name": "草稿", "names": [], "kinds": [], "material": "x",
                                           "item": "x", "legal_due_on": "x", "limit": 1, "carrier": "x",
                                           "attempts_left": 1, "allowed_names": [], "action_name": "x"}))


def test_words_are_written_from_the_details():
    assert said(OwedOutstanding(["lease"], ["租赁合同"])) == (
        "容缺材料尚未补齐：租赁合同。须补交，或经督查人员说明理由免于补交后，才能出件。")
    assert said(IllegalTransition(State.CLOSED, "accept")) == "办件当前为“已结束”状态，不能进行此操作。"
    assert said(CaseRuleError("reason_required", action="refuse")) == "不予受理须说明理由。"
    assert said(ShipmentRuleError("reason_required", action="fail", limit=200)) == "登记投递失败须说明原因（不超过200字）。"
    assert said(CreditRuleError("reason_required", field="reason", limit=500)) == "请写明理由（不超过 500 字）。"
    assert said(WrongPickupCode("code_locked", attempts_left=0)).startswith("取件码不正确，已锁定。")
    assert said(ShipmentRuleError("code_locked")).startswith("取件码错误次数过多，已锁定。")


async def test_the_middleware_answers_a_rule_refusal_and_run_rule_only_passes_it_on(aiohttp_client, caplog):
    async def refuse(request: web.Request) -> web.Response:
        async def rule():
            raise {"state": IllegalTransition(State.CLOSED, "withdraw"), "calendar": UnknownYear(2150, frozenset()),
                   "gone": CaseNotFound(7), "race": ConcurrentUpdate(7)}[request.match_info["what"]]
        return await run_rule(rule())

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/{what}", refuse)
    client = await aiohttp_client(app)
    answers = {}
    for what in ("state", "calendar", "gone", "race"):
        response = await client.get(f"/{what}")
        answers[what] = (response.status, (await response.json())["error"])
    assert answers["state"] == (409, {"code": "illegal_transition", "message": "办件当前为“已结束”状态，不能进行此操作。",
                                      "details": {"state": "closed", "action": "withdraw", "state_name": "已结束"}})
    assert answers["calendar"][:2] == (503, {"code": "calendar_missing", "details": {"year": 2150},
                                             "message": "工作日历尚未更新，暂时无法计算办理期限，请联系系统管理员。"})
    assert answers["gone"][0] == 404 and answers["gone"][1]["code"] == "not_found"
    assert answers["race"] == (409, {"code": "conflict", "message": "办件刚被他人处理，请刷新后重试。", "details": {}})
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "working-day calendar does not cover this date: add the next year's schedule"]
