"""Partial outcomes, correction during review and owed materials, end to end over HTTP: the
clerk's and reviewers' back office, the mini-program, the bot and the courier."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.domain.case import Case
from onething.domain.personal import masked
from onething.keys import catalog_key, workflow_key
from onething.services.audit import check_case
from storage.models import Application, AuditEvent, Notification
from tests.e2e.test_miniprogram import complete_form
from tests.support import documents
from tests.support.apps import drain_jobs
from tests.support.cases import Clock, draft, to_results_ready
from tests.support.courier import CourierApp, decode_qr, token_of
from tests.support.miniapp import PDF
from tests.support.people import Person
from tests.support.staff_api import StaffApi

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}
POST = {"method": "post", "recipient": "王青禾", "phone": "13812345678", "address": ADDRESS}


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Office:
    """The window, the reviewers of every department (made on first use) and a supervisor."""

    def __init__(self, client, clerk: StaffApi):
        self.client, self.clerk, self.reviewers = client, clerk, {}

    @classmethod
    async def open(cls, client) -> "Office":
        return cls(client, await StaffApi.login(client, name("clerk"), "clerk"))

    async def reviewer(self, department: str) -> StaffApi:
        if department not in self.reviewers:
            self.reviewers[department] = await StaffApi.login(self.client, name("rev"), "reviewer", department)
        return self.reviewers[department]

    async def tasks(self, case_id: int) -> dict[str, dict]:
        return {t["item"]: t for t in (await self.clerk.get(f"/applications/{case_id}"))["tasks"]}

    async def decide(self, case_id: int, reject: dict[str, str] | None = None, leave: tuple[str, ...] = ()) -> None:
        """Every item in review approved (or rejected with its reason), stage after stage, but ``leave``."""
        reject = reject or {}
        while todo := [t for t in (await self.tasks(case_id)).values()
                       if t["state"] == "in_review" and t["item"] not in leave]:
            for task in sorted(todo, key=lambda t: t["item"] not in reject):  # refusals first
                reviewer = await self.reviewer(task["department"])
                if task["item"] in reject:
                    await reviewer.post(f"/tasks/{task['id']}/reject", {"reason": reject[task["item"]]})
                else:
                    await reviewer.post(f"/tasks/{task['id']}/approve", {"result_number": f"R{task['id']}"})


@pytest.fixture
async def service(wired):
    running, client = wired
    running.app[workflow_key].clock = Clock()  # Monday 2026-03-02, 10:00 in Shanghai
    return running, client, await Office.open(client)


async def bot_progress(running, client, person: Person) -> str:
    """The bot's progress answer (the first message only introduces the follower)."""
    await person.says(client, "你好")
    await drain_jobs(running.app)
    return (await person.says(client, "进度")).content


async def payloads(case_id: int, kind: str) -> list[dict]:
    return [n.payload for n in await Notification.filter(application_id=case_id, kind=kind).order_by("id")]


async def test_a_rejected_housing_fund_registration_leaves_the_licence_to_be_posted(service):
    running, client, office = service
    person = await Person.login(client)
    case_id = await person.submitted_case(running)
    await person.mini.put(f"/applications/{case_id}/delivery", POST)
    await office.clerk.post(f"/applications/{case_id}/accept")
    await office.decide(case_id, leave=("housing-fund-registration", "tax-registration"))
    fund = (await office.tasks(case_id))["housing-fund-registration"]

    # only the department's own reviewer decides its item, and only a reviewer does
    market = await office.reviewer("market")
    await market.post(f"/tasks/{fund['id']}/reject", {"reason": "x"}, expect=404)
    await office.clerk.post(f"/tasks/{fund['id']}/reject", {"reason": "x"}, expect=403)
    housing = await office.reviewer("housing-fund")
    await housing.post(f"/tasks/{fund['id']}/reject", {"reason": " "}, expect=422)
    await housing.post(f"/tasks/{fund['id']}/reject", {"reason": "单位缴存比例低于规定的5%"})
    going_on = await person.mini.get(f"/applications/{case_id}")
    assert going_on["state"] == "in_review"  # the tax registration does not need the housing fund
    await office.decide(case_id)

    view = await person.mini.get(f"/applications/{case_id}")
    assert (view["state"], view["state_name"]) == ("partly_approved", "部分办结（部分事项未通过）")
    tasks = {t["item"]: t for t in view["tasks"]}
    assert (tasks["housing-fund-registration"]["state_name"], tasks["housing-fund-registration"]["note"]) == (
        "未通过", "单位缴存比例低于规定的5%")
    assert {t["state"] for i, t in tasks.items() if i != "housing-fund-registration"} == {"approved"}
    [rejected] = await payloads(case_id, "rejected")
    assert (rejected["item"], rejected["reason"], rejected["cancelled"], rejected["goes_on"]) == (
        "housing-fund-registration", "单位缴存比例低于规定的5%", [], True)
    [partly] = await payloads(case_id, "partly_approved")
    assert partly["rejected"] == ["housing-fund-registration"] and "business-licence" in partly["approved"]
    assert not await payloads(case_id, "approved")
    answer = await bot_progress(running, client, person)
    assert "部分办结" in answer and "住房公积金单位缴存登记：未通过" in answer
    assert "原因：单位缴存比例低于规定的5%" in answer and "企业设立登记：已通过" in answer

    # the licence and seals go out by post as for any case
    await office.clerk.post(f"/applications/{case_id}/results-ready")
    posted = await office.clerk.post(f"/applications/{case_id}/shipments", {
        "tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照正副本"}, {"description": "公章一套"}]},
        expect=201)
    qr = await client.get(posted["links"]["qr_png"], headers={"Authorization": f"Bearer {office.clerk.token}"})
    token = token_of(decode_qr(await qr.read()))
    code = (await person.mini.get(f"/applications/{case_id}/shipment"))["pickup_code"]
    ems = await CourierApp.login(client, name("ems"), "ems")
    for step in ("pickup", "out-for-delivery"):
        await ems.act(token, step)
    await ems.act(token, "deliver", pickup_code=code)
    assert (await person.mini.get(f"/applications/{case_id}"))["state"] == "closed"
    await person.mini.post(f"/applications/{case_id}/evaluation", {"score": 4}, expect=201)
    assert await check_case(case_id) is None


async def test_rejecting_the_licence_ends_every_item_that_needs_it(service):
    running, client, office = service
    person = await Person.login(client)
    case_id = await person.submitted_case(running)
    await office.clerk.post(f"/applications/{case_id}/accept")
    await office.decide(case_id, reject={"business-licence": "企业名称与已登记企业重复"})
    view = await person.mini.get(f"/applications/{case_id}")
    assert view["state"] == "rejected"
    assert {t["state"] for t in view["tasks"] if t["item"] != "business-licence"} == {"cancelled"}
    assert all("“企业设立登记”未通过" in t["note"] for t in view["tasks"] if t["state"] == "cancelled")
    refused = await office.clerk.post(f"/applications/{case_id}/results-ready", expect=409)
    assert refused["error"]["code"] == "illegal_transition"


async def test_a_reviewer_returns_the_tax_item_and_only_its_clock_waits_for_the_applicant(service):
    running, client, office = service
    clock = running.app[workflow_key].clock
    person, stranger = await Person.login(client), await Person.login(client)
    case_id = await person.submitted_case(running)
    form = complete_form(running.app[catalog_key].things["business-opening"].form)
    await Application.filter(id=case_id).update(form=form)
    await office.clerk.post(f"/applications/{case_id}/accept")
    await office.decide(case_id, leave=tuple(i for i in ("seal-engraving", "seal-filing", "tax-registration",
                                                          "social-security-registration",
                                                          "medical-insurance-registration",
                                                          "housing-fund-registration")))
    tax = (await office.tasks(case_id))["tax-registration"]
    assert tax["due_on"] == "2026-03-03"  # stage two started Monday: 1 working day

    reviewer = await office.reviewer("tax")
    problems = ["财务负责人身份证照片模糊，请重新上传", "请确认适用的会计制度"]
    await (await office.reviewer("market")).post(f"/tasks/{tax['id']}/return", {"problems": problems}, expect=404)
    await office.clerk.post(f"/tasks/{tax['id']}/return", {"problems": problems}, expect=403)
    empty = await reviewer.post(f"/tasks/{tax['id']}/return", {"problems": ["  "]}, expect=422)
    assert empty["error"]["code"] == "problems_required"
    returned = await reviewer.post(f"/tasks/{tax['id']}/return", {"problems": problems})
    assert (returned["state"], returned["pause"], returned["problems"]) == ("paused", "退回补正，等待申请人补正",
                                                                           problems)
    refused = await reviewer.post(f"/tasks/{tax['id']}/resume", expect=422)
    assert refused["error"]["code"] == "not_paused"  # only the applicant's resubmission ends this pause

    [notice] = await payloads(case_id, "item_returned")
    assert notice["item"] == "tax-registration" and notice["problems"] == problems
    mine = {t["item"]: t for t in (await person.mini.get(f"/applications/{case_id}"))["tasks"]}
    assert mine["tax-registration"]["problems"] == problems
    answer = await bot_progress(running, client, person)
    assert "请补正：1. 财务负责人身份证照片模糊，请重新上传；2. 请确认适用的会计制度" in answer

    await office.decide(case_id)  # the other items go on meanwhile
    assert (await person.mini.get(f"/applications/{case_id}"))["state"] == "in_review"

    clock.now += timedelta(days=3)  # Thursday 03-05
    locked = await person.mini.call("PUT", f"/applications/{case_id}/materials/company-articles?filename=a.pdf",
                                    409, data=PDF, headers={"Content-Type": "application/pdf"})
    assert locked["error"]["code"] == "materials_locked"  # not part of the returned item
    locked = await person.mini.put(f"/applications/{case_id}/form", {"form": {**form, "shareholders": []}},
                                   expect=409)
    assert locked["error"]["code"] == "form_locked" and locked["error"]["details"] == {"fields": ["shareholders"]}
    corrected = {**form, "accounting_standard": "企业会计准则"}  # a field of the returned tax item
    schema = running.app[catalog_key].things["business-opening"].form
    assert (await person.mini.put(f"/applications/{case_id}/form", {"form": corrected}))["form"] == masked(
        schema, corrected)  # personal fields are answered masked
    await person.mini.upload_direct(case_id, "finance-officer-id-card", documents.pdf("clear"), "application/pdf")
    await stranger.mini.post(f"/applications/{case_id}/tasks/tax-registration/resubmit", expect=404)
    resubmitted = await person.mini.post(f"/applications/{case_id}/tasks/tax-registration/resubmit")
    tax = next(t for t in resubmitted["tasks"] if t["item"] == "tax-registration")
    # 03-03..03-05 waited on the applicant: three working days more
    assert (tax["state"], tax["paused_days"], tax["due_on"], tax["problems"]) == ("in_review", 3, "2026-03-06", [])
    again = await person.mini.post(f"/applications/{case_id}/tasks/tax-registration/resubmit", expect=422)
    assert again["error"]["code"] == "not_returned"

    await reviewer.post(f"/tasks/{tax['id']}/approve", {"result_number": "SW2026"})
    final = await person.mini.get(f"/applications/{case_id}")
    assert final["state"] == "approved"
    said = [e["text"] for e in final["timeline"]]
    tax_name = "新办纳税人涉税事项办理"  # the tax item, by its name in the catalog
    assert any(t.startswith(f"事项《{tax_name}") and "退回补正" in t for t in said)
    assert any(t.startswith(f"补正了事项《{tax_name}") for t in said)
    assert await check_case(case_id) is None


ROSTER = "employee-roster"


async def all_approved_owing(running, office, person: Person, delivery: dict) -> int:
    case_id = await person.submitted_case(running)
    await person.mini.put(f"/applications/{case_id}/delivery", delivery)
    await office.clerk.post(f"/applications/{case_id}/accept", {"owed": {ROSTER: "2026-03-20"}})
    await office.decide(case_id)
    return case_id


async def test_an_owed_material_holds_the_results_until_it_arrives(service):
    running, client, office = service
    person = await Person.login(client)
    case_id = await all_approved_owing(running, office, person, {"method": "pickup"})
    refused = await office.clerk.post(f"/applications/{case_id}/results-ready", expect=422)
    assert refused["error"]["code"] == "owed_materials_outstanding"
    assert "参保职工花名册" in refused["error"]["message"] and refused["error"]["details"]["materials"] == [ROSTER]

    await person.mini.upload_direct(case_id, ROSTER, PDF, "application/pdf")  # still accepted after approval
    view = await person.mini.get(f"/applications/{case_id}")
    assert view["owed"][0]["received"] is True and view["state"] == "approved"
    await office.clerk.post(f"/applications/{case_id}/results-ready")
    closed = await office.clerk.post(f"/applications/{case_id}/handover")
    assert closed["state"] == "closed"


async def test_an_owed_document_is_attached_and_received_together_or_not_at_all(service, monkeypatch):
    running, client, office = service
    person = await Person.login(client)
    case_id = await all_approved_owing(running, office, person, {"method": "pickup"})

    def crash(case, material, today, calendar):
        raise RuntimeError("the process died while receiving it")

    monkeypatch.setattr(Case, "receive_owed", crash)
    await person.mini.upload_direct(case_id, ROSTER, PDF, "application/pdf", expect=500)
    view = await person.mini.get(f"/applications/{case_id}")
    assert view["materials"] == [] or ROSTER not in {m["material"] for m in view["materials"]}
    assert view["owed"][0]["received"] is False  # not attached and still owed: the citizen sends it again
    monkeypatch.undo()

    await person.mini.upload_direct(case_id, ROSTER, PDF, "application/pdf")
    view = await person.mini.get(f"/applications/{case_id}")
    assert view["owed"][0]["received"] is True and ROSTER in {m["material"] for m in view["materials"]}
    said = [e["text"] for e in view["timeline"]]
    assert said[-2].startswith("上传了材料《") and said[-1].startswith("补交了容缺材料《")
    assert await check_case(case_id) is None


async def test_a_supervisor_waives_an_owed_material_with_a_reason_and_the_results_are_posted(service):
    running, client, office = service
    person = await Person.login(client)
    case_id = await all_approved_owing(running, office, person, POST)
    await office.clerk.post(f"/applications/{case_id}/results-ready", expect=422)

    path = f"/applications/{case_id}/owed/{ROSTER}/waive"
    await office.clerk.post(path, {"reason": "x"}, expect=403)
    await (await office.reviewer("hrss")).post(path, {"reason": "x"}, expect=403)
    supervisor = await StaffApi.login(client, name("sup"), "supervisor")
    await supervisor.post(path, {"reason": ""}, expect=422)
    missing = await supervisor.post(f"/applications/{case_id}/owed/company-articles/waive", {"reason": "x"},
                                    expect=422)
    assert missing["error"]["code"] == "not_owed"
    waived = await supervisor.post(path, {"reason": "已通过人社部门共享数据核验参保人员"})
    [owed] = waived["owed"]
    assert (owed["waived_by"], owed["waived_reason"], owed["waived_on"]) == (
        f"staff:{supervisor.username}", "已通过人社部门共享数据核验参保人员", "2026-03-02")
    event = await AuditEvent.filter(application_id=case_id, action="owed_waived").get()
    assert (event.actor, event.role) == (f"staff:{supervisor.username}", "supervisor")
    [notice] = await payloads(case_id, "owed_waived")
    assert notice["material"] == ROSTER
    seen = (await person.mini.get(f"/applications/{case_id}"))["owed"][0]
    assert seen["waived"] is True and "waived_by" not in seen  # no staff names for the applicant

    await office.clerk.post(f"/applications/{case_id}/results-ready")
    await office.clerk.post(f"/applications/{case_id}/shipments", {
        "tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照正副本"}]}, expect=201)
    assert await check_case(case_id) is None


async def test_a_case_ready_while_a_material_was_owed_is_neither_posted_nor_handed_over(service):
    """Cases that reached results ready before the rule existed: posting and hand-over check too."""
    running, client, office = service
    person = await Person.login(client)
    case_id = (await draft(applicant=person.citizen)).id
    await person.mini.put(f"/applications/{case_id}/delivery", POST)
    await to_results_ready(running.app[workflow_key], case_id)
    await Application.filter(id=case_id).update(owed=[{"material": ROSTER, "due_on": "2026-03-20",
                                                       "received": False, "reminded_on": None}])
    posted = await office.clerk.post(f"/applications/{case_id}/shipments", {
        "tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照正副本"}]}, expect=422)
    assert posted["error"]["code"] == "owed_materials_outstanding" and "参保职工花名册" in posted["error"]["message"]
    handed = await office.clerk.post(f"/applications/{case_id}/handover", expect=422)
    assert handed["error"]["code"] == "owed_materials_outstanding"
