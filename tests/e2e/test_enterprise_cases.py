"""Naming a case on an enterprise: its manager and its other contacts see such a case, so only
someone confirmed to act for the enterprise may, and nothing else a client sends is stored."""

from __future__ import annotations

import uuid

import pytest

from storage.models import Application
from tests.support.apps import drain_jobs
from tests.support.builders import credit_code
from tests.support.people import Person
from tests.support.projects import login


@pytest.fixture
async def office(wired):
    running, client = wired
    manager = await login(client, "manager")
    ours, theirs = [await manager.post("/enterprises", {"name": f"青禾{n}-{uuid.uuid4().hex[:6]}",
                                                        "credit_code": credit_code()}, expect=201) for n in (1, 2)]
    return client, manager, ours, theirs


def opening(enterprise) -> dict:
    return {"thing": "business-opening", "enterprise": enterprise}


async def test_only_a_confirmed_contact_names_a_case_on_the_enterprise(office):
    client, manager, ours, theirs = office
    person = await Person.login(client)
    await person.mini.put("/me/enterprise", {"credit_code": ours["credit_code"]})
    claimed = await person.mini.post("/applications", opening(ours["credit_code"]), expect=403)
    assert claimed["error"]["code"] == "not_enterprise_contact"
    assert "联系人" in claimed["error"]["message"]

    [contact] = (await manager.get(f"/enterprises/{ours['id']}"))["contacts"]
    await manager.post(f"/enterprises/{ours['id']}/contacts/{contact['id']}/verify")
    case = await person.mini.post("/applications", opening(f" {ours['credit_code'].lower()} "), expect=201)
    assert (await Application.get(id=case["id"])).enterprise_code == ours["credit_code"]

    other = await person.mini.post("/applications", opening(theirs["credit_code"]), expect=403)
    assert other["error"]["code"] == "not_enterprise_contact"
    assert await Application.filter(enterprise_code=theirs["credit_code"]).count() == 0


@pytest.mark.parametrize("value", ["9" * 5000, {"credit_code": "x"}, ["a"], 12345, True, "", "91350100M000100Y44"])
async def test_what_is_not_a_credit_code_is_refused_and_never_stored(office, value):
    client, _, _, _ = office
    person = await Person.login(client)
    refused = await person.mini.post("/applications", opening(value), expect=422)
    if isinstance(value, str) and len(value) <= 24:  # a text that could be a code: the check digit says no
        assert refused["error"]["code"] == "invalid_credit_code"
        assert refused["error"]["details"] == {"field": "enterprise"}
    else:  # not a text, or longer than any code: the request's declaration refuses it, naming the field
        assert refused["error"]["code"] == "invalid_field"
        assert [f["field"] for f in refused["error"]["details"]["fields"]] == ["enterprise"]
    assert await Application.filter(applicant_id=person.citizen.id).count() == 0


async def test_a_personal_thing_is_not_named_on_an_enterprise(office):
    client, _, ours, _ = office
    person = await Person.login(client)
    refused = await person.mini.post("/applications", {"thing": "newborn", "enterprise": ours["credit_code"]},
                                     expect=422)
    assert refused["error"]["code"] == "not_enterprise_thing"
    assert (await person.mini.post("/applications", {"thing": "newborn"}, expect=201))["id"]


async def test_who_scanned_the_managers_code_names_a_case_on_the_enterprise(office, wired):
    client, manager, ours, theirs = office
    person = await Person.login(client)
    code = await manager.post(f"/enterprises/{ours['id']}/wechat-code")
    assert "已关联您的企业" in (await person.does(client, "subscribe", key=f"qrscene_{code['scene']}")).content
    await drain_jobs(wired[0].app)  # WeChat says who the follower is: the mini-program's citizen
    await person.mini.post("/applications", opening(ours["credit_code"]), expect=201)
    await person.mini.post("/applications", opening(theirs["credit_code"]), expect=403)
