"""Personal data in forms over HTTP: sealed in the database, never cached or answered in clear
(to the applicant, a colleague of their enterprise, staff or the manager), shown in full only to
staff who ask for one field, and each asking is in the case's trail."""

from __future__ import annotations

import json
import uuid

import pytest

from onething.domain.personal import MASKS
from onething.keys import redis_key, workflow_key
from onething.services import case_views
from onething.services.audit import check_case
from onething.services.case_store import Actor
from onething.services.citizens import IdCipher
from onething.services.forms import seal
from storage.models import Application, ReviewTask
from tests.support.builders import credit_code, id_number
from tests.support.cases import to_results_ready
from tests.support.forms import complete_form
from tests.support.people import Person
from tests.support.staff_api import StaffApi

LEGAL_REP, FINANCE, SHAREHOLDER = id_number("legal-rep"), id_number("finance"), id_number("shareholder")
PHONE, ADDRESS = "13955550123", "城关镇解放路18号2幢101室"
CLEAR = (LEGAL_REP, FINANCE, SHAREHOLDER, PHONE, "解放路18号")


@pytest.fixture
def service(wired):
    return wired


def personal_form(schema: dict) -> dict:
    form = complete_form(schema)
    form.update(legal_rep_id_number=LEGAL_REP, finance_officer_id_number=FINANCE, legal_rep_phone=PHONE,
                address=ADDRESS)
    form["shareholders"][0]["id_number"] = SHAREHOLDER
    return form


def leaked(*answers) -> list[str]:
    text = json.dumps(answers, ensure_ascii=False)
    return [value for value in CLEAR if value in text]


async def staff(client, role: str, department: str | None = None) -> StaffApi:
    return await StaffApi.login(client, f"{role}-{uuid.uuid4().hex[:8]}", role, department=department)


async def colleagues(client, manager: StaffApi) -> tuple[dict, Person, Person]:
    """An enterprise and two of its confirmed contacts."""
    enterprise = await manager.post("/enterprises", {"name": f"青禾-{uuid.uuid4().hex[:6]}",
                                                     "credit_code": credit_code()}, expect=201)
    people = [await Person.login(client) for _ in range(2)]
    for person in people:
        await person.mini.put("/me/enterprise", {"credit_code": enterprise["credit_code"]})
    for contact in (await manager.get(f"/enterprises/{enterprise['id']}"))["contacts"]:
        await manager.post(f"/enterprises/{enterprise['id']}/contacts/{contact['id']}/verify")
    return enterprise, *people


async def draft(person: Person, enterprise: dict | None = None) -> tuple[dict, dict]:
    schema = (await person.mini.get("/things/business-opening"))["form"]
    form = personal_form(schema)
    body = {"thing": "business-opening", "form": form}
    if enterprise:
        body["enterprise"] = enterprise["credit_code"]
    return await person.mini.post("/applications", body, expect=201), form


async def submitted(running, client) -> tuple[Person, int]:
    """An applicant's business-opening case with its personal fields filled in, submitted."""
    applicant = await Person.login(client)
    created, _ = await draft(applicant)
    await running.app[workflow_key].submit(created["id"], Actor(f"citizen:{applicant.citizen.id}", "citizen"))
    return applicant, created["id"]


async def test_personal_fields_are_sealed_at_rest_and_masked_in_every_answer_and_cached_view(service):
    running, client = service
    manager = await staff(client, "manager")
    enterprise, applicant, colleague = await colleagues(client, manager)
    created, form = await draft(applicant, enterprise)
    case_id = created["id"]

    stored = (await Application.get(id=case_id)).form
    assert leaked(stored) == [] and stored["legal_rep_id_number"].startswith("enc:")
    assert stored["company_name"] == form["company_name"]  # what is not personal stays readable

    first = await applicant.mini.get(f"/applications/{case_id}")  # computed, and cached
    cached = await running.app[redis_key].get(case_views.key(case_id))
    assert cached and leaked(cached.decode()) == []
    again = await applicant.mini.get(f"/applications/{case_id}")  # from the cache
    seen_by_colleague = await colleague.mini.get(f"/applications/{case_id}")
    assert seen_by_colleague["id"] == case_id  # the colleague does see the case, masked
    echoed = await applicant.mini.put(f"/applications/{case_id}/form", {"form": first["form"]})
    listed = await applicant.mini.get("/applications")
    clerk = await staff(client, "clerk")
    at_the_window = await clerk.get(f"/applications/{case_id}")
    managed = await manager.get(f"/enterprises/{enterprise['id']}")
    assert leaked(created, first, again, seen_by_colleague, echoed, listed, at_the_window, managed) == []
    shown = first["form"]
    assert (shown["legal_rep_id_number"], shown["legal_rep_phone"], shown["address"]) == (
        MASKS["id_number"](LEGAL_REP), "139****0123", "城关镇解放路****")
    assert shown["shareholders"][0]["id_number"] == MASKS["id_number"](SHAREHOLDER)
    assert at_the_window["form"] == shown and echoed["form"] == shown

    # the masks sent back kept the stored values; a value re-entered replaces its own
    revealed = await clerk.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_id_number"})
    assert revealed["value"] == LEGAL_REP
    await applicant.mini.put(f"/applications/{case_id}/form", {"form": {**first["form"], "legal_rep_phone": "13700001111"}})
    phone = await clerk.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_phone"})
    assert phone["value"] == "13700001111"
    nested = await clerk.post(f"/applications/{case_id}/form/reveal", {"field": "shareholders.0.id_number"})
    assert nested["value"] == SHAREHOLDER
    # and the sealed form still passes the complete check on submission (only the materials are missing)
    incomplete = await applicant.mini.post(f"/applications/{case_id}/submit", expect=422)
    assert incomplete["error"]["details"]["fields"] == {}


async def test_a_reveal_is_traced_with_who_and_which_field_never_the_value(service):
    running, client = service
    applicant, case_id = await submitted(running, client)
    clerk = await staff(client, "clerk")
    await clerk.post(f"/applications/{case_id}/accept")
    market = await staff(client, "reviewer", "market")  # reviews the licence, which uses the legal rep's number

    revealed = await market.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_id_number"})
    assert (revealed["value"], revealed["title"]) == (LEGAL_REP, "法定代表人身份证号")
    trail = (await clerk.get(f"/applications/{case_id}"))["timeline"]
    (event,) = [e for e in trail if e["action"] == "reveal_personal"]
    assert (event["actor"], event["role"], event["note"]) == (f"staff:{market.username}", "reviewer",
                                                              "legal_rep_id_number")
    assert leaked(trail) == [] and await check_case(case_id) is None
    mine = await applicant.mini.get(f"/applications/{case_id}")
    assert [e["actor"] for e in mine["timeline"] if "“法定代表人身份证号”的完整内容" in e["text"]] == ["工作人员"]


async def test_only_those_who_may_read_the_case_reveal_and_only_what_their_items_use(service):
    running, client = service
    applicant, case_id = await submitted(running, client)
    await (await staff(client, "clerk")).post(f"/applications/{case_id}/accept")
    path = f"/applications/{case_id}/form/reveal"

    market = await staff(client, "reviewer", "market")
    refused = await market.post(path, {"field": "finance_officer_id_number"}, expect=403)  # the tax item's
    assert refused["error"]["message"] == "您办理的事项不需要这一栏目，无权查看完整内容。"
    housing = await staff(client, "reviewer", "housing")  # no item of this case: it does not exist for them
    assert (await housing.post(path, {"field": "legal_rep_id_number"}, expect=404))["error"]["code"] == "not_found"
    tax = await staff(client, "reviewer", "tax")
    assert (await tax.post(path, {"field": "finance_officer_id_number"}))["value"] == FINANCE
    await (await staff(client, "manager")).post(path, {"field": "legal_rep_id_number"}, expect=403)
    response = await client.post(f"/staff/api/v1{path}", json={"field": "legal_rep_id_number"},
                                 headers=applicant.mini.headers)  # a citizen's token is no staff session
    assert response.status == 401
    supervisor = await staff(client, "supervisor")
    await supervisor.post(f"/applications/999999/form/reveal", {"field": "legal_rep_id_number"}, expect=404)
    for field in ("company_name", "hobby", "shareholders.5.id_number"):
        body = await supervisor.post(path, {"field": field}, expect=422)
        assert body["error"]["code"] == "not_personal"
    empty = await applicant.mini.post("/applications", {"thing": "business-opening", "form": {}}, expect=201)
    blank = await supervisor.post(f"/applications/{empty['id']}/form/reveal", {"field": "legal_rep_phone"}, expect=422)
    assert blank["error"]["code"] == "field_empty"
    trail = (await supervisor.get(f"/applications/{case_id}"))["timeline"]
    # only what was shown is traced
    assert [(e["actor"], e["note"]) for e in trail if e["action"] == "reveal_personal"] == [
        (f"staff:{tax.username}", "finance_officer_id_number")]


async def test_a_colleague_reads_the_delivery_masked_and_the_applicant_their_own(service):
    running, client = service
    manager = await staff(client, "manager")
    enterprise, applicant, colleague = await colleagues(client, manager)
    created, _ = await draft(applicant, enterprise)
    case_id = created["id"]
    address = {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号2幢101室"}
    await applicant.mini.put(f"/applications/{case_id}/delivery", {
        "method": "post", "recipient": "王青禾", "phone": "13812345678", "address": address})

    own = (await applicant.mini.get(f"/applications/{case_id}"))["delivery"]  # computed, and cached
    theirs = (await colleague.mini.get(f"/applications/{case_id}"))["delivery"]  # not the applicant's cached view
    cached_for_colleague = (await colleague.mini.get(f"/applications/{case_id}"))["delivery"]
    again = (await applicant.mini.get(f"/applications/{case_id}"))["delivery"]  # not the colleague's view
    assert own == again == {"method": "post", "recipient": "王青禾", "phone": "138****5678", "address": address}
    assert theirs == cached_for_colleague == {"method": "post", "recipient": "王**", "phone": "138****5678",
                                              "address": {**address, "detail": "城关镇解放路****"}}

    await to_results_ready(running.app[workflow_key], case_id)
    clerk = await staff(client, "clerk")
    posted = await clerk.post(f"/applications/{case_id}/shipments", {
        "tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照正副本"}]}, expect=201)
    assert posted["address"] == "浙江省杭州市某县城关镇解放路18号2幢101室"  # the slip is what the courier delivers to
    followed = await applicant.mini.get(f"/applications/{case_id}/shipment")
    watched = await colleague.mini.get(f"/applications/{case_id}/shipment")
    assert followed["address"] == posted["address"] and followed["pickup_code"]
    assert (watched["address"], watched["recipient"], watched["pickup_code"]) == (
        "浙江省杭州市某县城关镇解放路****", "王**", None)


async def test_a_form_sealed_under_another_secret_still_answers_and_a_reveal_says_why_not(service):
    running, client = service
    applicant = await Person.login(client)
    created, form = await draft(applicant)
    case_id = created["id"]
    schema = (await applicant.mini.get("/things/business-opening"))["form"]
    await Application.filter(id=case_id).update(form=seal(schema, form, IdCipher("the-secret-before")))

    mine = await applicant.mini.get(f"/applications/{case_id}")
    clerk = await staff(client, "clerk")
    at_the_window = await clerk.get(f"/applications/{case_id}")
    assert mine["form"]["legal_rep_id_number"] == at_the_window["form"]["legal_rep_id_number"] == "****"
    refused = await clerk.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_id_number"}, expect=409)
    assert refused["error"]["code"] == "field_unreadable" and "无法解密" in refused["error"]["message"]
    # the applicant is asked to type again what no one can read, and then it reads again
    asked = await applicant.mini.put(f"/applications/{case_id}/form",
                                     {"form": {**mine["form"], "legal_rep_id_number": LEGAL_REP}}, expect=422)
    assert asked["error"]["details"]["fields"]["shareholders.0.id_number"] == "股东及出资情况：已保存的内容无法读取，请重新填写"
    assert "legal_rep_id_number" not in asked["error"]["details"]["fields"]
    await applicant.mini.put(f"/applications/{case_id}/form", {"form": form})
    assert (await clerk.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_id_number"}))[
        "value"] == LEGAL_REP


async def test_a_reviewer_whose_item_was_renamed_in_the_catalog_is_refused_not_failed(service):
    running, client = service
    applicant, case_id = await submitted(running, client)
    await (await staff(client, "clerk")).post(f"/applications/{case_id}/accept")
    renamed = ReviewTask.filter(application_id=case_id, department="market")
    items = await renamed.values_list("item", flat=True)
    await renamed.update(item="licence-renamed")
    try:
        market = await staff(client, "reviewer", "market")
        refused = await market.post(f"/applications/{case_id}/form/reveal", {"field": "legal_rep_id_number"},
                                    expect=403)
        assert refused["error"]["code"] == "forbidden"
        # the department's queue still lists the task, under its code
        assert "licence-renamed" in [t["name"] for t in await market.queue() if t["application_id"] == case_id]
    finally:  # the session's database is shared: leave the catalog's items as they are
        await ReviewTask.filter(application_id=case_id, item="licence-renamed").update(item=items[0])
