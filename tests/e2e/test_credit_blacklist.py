"""The credit blacklist (失信) over HTTP: supervisors flag a person or an enterprise, intake then
refuses deferred materials (容缺) for them, staff see why, and the applicant never does."""

from __future__ import annotations

import pytest

from onething.keys import workflow_key
from onething.services import case_store
from onething.services.case_store import Actor
from storage.models import CreditFlagEntry, EnterpriseContact, EnterpriseEvent
from tests.support.builders import id_number
from tests.support.cases import MONDAY, Clock, citizen
from tests.support.people import Person
from tests.support.projects import enterprise, login

DEFERRED = {"owed": {"premises-use-proof": "2026-03-20"}}  # deferrable in 企业开办
BASIS = {"reason": "拒不履行生效判决", "document": "（2026）浙0102执123号"}
LIFTED = {"reason": "已履行完毕，信用修复", "document": "信用修复决定书〔2026〕7号"}


@pytest.fixture
async def office(wired):
    running, client = wired
    running.app[workflow_key].clock = Clock()
    supervisor, clerk = await login(client, "supervisor"), await login(client, "clerk")
    return running, client, supervisor, clerk


async def put(api, path: str, body: dict, expect: int = 200):
    return await api.call("PUT", path, expect, json=body)


async def delete(api, path: str, body: dict, expect: int = 200):
    return await api.call("DELETE", path, expect, json=body)


async def applicant_with(client, number: str) -> Person:
    person = await Person.login(client)
    await person.mini.put("/me/identity", {"real_name": "王青禾", "id_number": number, "mobile": "13812345678"})
    return person


async def test_a_flagged_applicant_gets_no_deferral_until_the_flag_is_cleared(office):
    running, client, supervisor, clerk = office
    number = id_number()
    # flagged before they have an account: the flag applies once they give their ID number
    flagged = await put(supervisor, "/credit/citizens", {"id_number": number, **BASIS})
    assert flagged["active"] is True and flagged["who"] == f"{number[:3]}***********{number[-4:]}"
    assert number not in str(flagged)
    person = await applicant_with(client, number)

    first = await person.submitted_case(running)
    refused = await clerk.post(f"/applications/{first}/accept", DEFERRED, expect=422)
    assert refused["error"]["code"] == "deferral_not_allowed"
    assert refused["error"]["message"] == "申请人在信用黑名单内，不适用容缺受理，须补齐全部材料。"
    shown = await clerk.get(f"/applications/{first}")
    assert shown["state"] == "submitted" and shown["credit"]["blacklisted"] is True
    assert shown["credit"]["flags"][0]["document"] == BASIS["document"] and number not in str(shown)
    accepted = await clerk.post(f"/applications/{first}/accept")  # with every material: accepted as usual
    assert accepted["state"] == "in_review" and accepted["owed"] == []

    own_view = await person.mini.get(f"/applications/{first}")
    assert "credit" not in own_view and BASIS["document"] not in str(own_view)

    cleared = await delete(supervisor, "/credit/citizens", {"id_number": number, **LIFTED})
    assert cleared["active"] is False
    second = await person.submitted_case(running)
    deferred = await clerk.post(f"/applications/{second}/accept", DEFERRED)
    assert deferred["state"] == "in_review" and [o["material"] for o in deferred["owed"]] == ["premises-use-proof"]
    assert deferred["credit"] == {"blacklisted": False, "flags": []}

    history = next(f for f in (await supervisor.get("/credit?state=all"))["items"] if f["id"] == flagged["id"])
    assert [(h["action"], h["actor"], h["document"]) for h in history["history"]] == [
        ("set", f"staff:{supervisor.username}", BASIS["document"]),
        ("clear", f"staff:{supervisor.username}", LIFTED["document"])]
    assert flagged["id"] not in [f["id"] for f in (await supervisor.get("/credit"))["items"]]
    assert await CreditFlagEntry.filter(flag_id=flagged["id"]).count() == 2


async def test_a_flagged_enterprise_gets_no_deferral_and_its_detail_and_trail_show_it(office):
    running, client, supervisor, clerk = office
    company = await enterprise()
    code = company.credit_code
    await put(supervisor, f"/credit/enterprises/{code.lower()}", BASIS)
    detail = await supervisor.get(f"/enterprises/{company.id}")
    assert detail["credit"]["active"] is True and detail["credit"]["reason"] == BASIS["reason"]
    assert detail["events"][-1]["action"] == "credit_flag_set" and BASIS["document"] in detail["events"][-1]["note"]

    applicant = await citizen()
    await EnterpriseContact.create(enterprise=company, citizen=applicant, bound_via="miniprogram", verified=True)
    row = await case_store.create_draft("business-opening", applicant, {"company_name": "青禾"}, MONDAY,
                                        enterprise_code=code)
    await running.app[workflow_key].submit(row.id, Actor("citizen:x", "citizen"))
    refused = await clerk.post(f"/applications/{row.id}/accept", DEFERRED, expect=422)
    assert refused["error"]["code"] == "deferral_not_allowed"

    await delete(supervisor, f"/credit/enterprises/{code}", LIFTED)
    assert (await supervisor.get(f"/enterprises/{company.id}"))["credit"] is None
    assert await EnterpriseEvent.filter(enterprise_id=company.id, action="credit_flag_clear").count() == 1
    assert (await clerk.post(f"/applications/{row.id}/accept", DEFERRED))["state"] == "in_review"


@pytest.mark.parametrize("role", ["clerk", "reviewer", "manager"])
async def test_only_supervisors_and_admins_keep_the_blacklist(office, role):
    _, client, _, _ = office
    other = await login(client, role, department="market" if role == "reviewer" else None)
    number = id_number()
    for method, path, body in (("PUT", "/credit/citizens", {"id_number": number, **BASIS}),
                               ("DELETE", "/credit/citizens", {"id_number": number, **LIFTED}),
                               ("GET", "/credit", None)):
        refused = await other.call(method, path, 403, json=body)
        assert refused["error"]["code"] == "forbidden"
    admin = await login(client, "admin")
    assert (await put(admin, "/credit/citizens", {"id_number": number, **BASIS}))["active"] is True


async def test_a_wrong_number_or_a_missing_basis_is_refused_without_echoing_the_number(office):
    _, _, supervisor, _ = office
    number = id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    refused = await put(supervisor, "/credit/citizens", {"id_number": wrong, **BASIS}, expect=422)
    assert refused["error"]["code"] == "invalid_id_number" and wrong not in str(refused)
    no_document = await put(supervisor, "/credit/citizens", {"id_number": number, "reason": "理由"}, expect=422)
    assert no_document["error"]["code"] == "invalid_field"  # as every missing field: each one named, in Chinese
    assert [(f["field"], f["message"]) for f in no_document["error"]["details"]["fields"]] == [("document", "请填写文书号")]
    assert number not in str(no_document)
    bad_code = await put(supervisor, "/credit/enterprises/91350100ABCDEFGHIJ", BASIS, expect=422)
    assert bad_code["error"]["code"] == "invalid_credit_code"
    not_flagged = await delete(supervisor, "/credit/citizens", {"id_number": number, **LIFTED}, expect=404)
    assert not_flagged["error"]["code"] == "not_flagged"
