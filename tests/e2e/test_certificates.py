"""Results the citizen holds (电子证照): the business licence issued by 企业开办 is shown to the
enterprise's contacts, and stands in for the licence copy in its later 施工许可 case."""

from __future__ import annotations

import pytest

from onething.keys import object_store_key, workflow_key
from onething.services import certificates
from storage.models import ReviewTask
from tests.support.backends import production_database, production_redis  # noqa: F401 (one backend pair)
from tests.support.cases import to_results_ready
from tests.support.documents import pdf
from tests.support.people import Person
from tests.support.projects import enterprise, login


async def chunks(data: bytes):
    yield data


async def contact_of(client, manager, company) -> Person:
    person = await Person.login(client)
    await person.mini.put("/me/enterprise", {"credit_code": company.credit_code})
    contact = next(c for c in (await manager.get(f"/enterprises/{company.id}"))["contacts"] if not c["verified"])
    await manager.post(f"/enterprises/{company.id}/contacts/{contact['id']}/verify")
    return person


@pytest.fixture
async def issued(wired):
    """An enterprise whose 企业开办 case ended with its electronic business licence issued."""
    running, client = wired
    manager = await login(client, "manager")
    company = await enterprise(manager.username)
    founder = await contact_of(client, manager, company)
    case = await founder.mini.post("/applications", {"thing": "business-opening", "enterprise": company.credit_code},
                                   expect=201)
    await to_results_ready(running.app[workflow_key], case["id"])
    licence = await ReviewTask.get(application_id=case["id"], item="business-licence")
    await certificates.attach_certificate(running.app[object_store_key], licence, "application/pdf",
                                          chunks(pdf("营业执照")))
    return running, client, manager, company, founder, case, licence


async def test_a_certificate_issued_on_one_case_is_reused_on_the_enterprises_next(issued):
    running, client, manager, company, founder, first, licence = issued
    colleague = await contact_of(client, manager, company)

    [shown] = (await colleague.mini.get(f"/applications/{first['id']}/results"))["items"]
    assert shown["name"] == "营业执照" and shown["result_number"] == f"R{licence.id}"
    download = await client.get(shown["download_url"].removeprefix(str(client.make_url("/")).rstrip("/")))
    assert download.status == 200 and (await download.read()).startswith(b"%PDF")

    [held] = (await colleague.mini.get("/me/certificates"))["items"]
    assert held["id"] == licence.id and held["application_number"] == first["number"]
    assert [m["material"] for m in held["stands_for"]] == ["business-licence-copy"]

    permit = await colleague.mini.post("/applications", {"thing": "construction-permit",
                                                         "enterprise": company.credit_code}, expect=201)
    path = f"/applications/{permit['id']}/materials/business-licence-copy/from-certificate"
    detail = await colleague.mini.post(path, {"certificate": licence.id})
    [copy] = [m for m in detail["materials"] if m["material"] == "business-licence-copy"]
    assert copy["verified"] and copy["content_type"] == "application/pdf"

    clerk = await login(client, "clerk")
    staff_view = await clerk.get(f"/applications/{permit['id']}")
    [copy] = [m for m in staff_view["materials"] if m["material"] == "business-licence-copy"]
    assert copy["certificate"]["application_number"] == first["number"]
    assert copy["certificate"]["item"] == "business-licence" and copy["download_url"]


async def test_nobody_else_sees_or_reuses_the_enterprises_certificate(issued):
    running, client, manager, company, founder, first, licence = issued
    claimant = await Person.login(client)  # names the enterprise, but no manager confirmed them
    await claimant.mini.put("/me/enterprise", {"credit_code": company.credit_code})
    stranger = await Person.login(client)
    for someone in (claimant, stranger):
        refused = await someone.mini.get(f"/applications/{first['id']}/results", expect=404)
        assert refused["error"]["code"] == "not_found"
        assert (await someone.mini.get("/me/certificates"))["items"] == []
    await founder.mini.get(f"/applications/{first['id'] + 1000}/results", expect=404)  # nobody's case
    own = await stranger.mini.post("/applications", {"thing": "construction-permit"}, expect=201)
    path = f"/applications/{own['id']}/materials/business-licence-copy/from-certificate"
    refused = await stranger.mini.post(path, {"certificate": licence.id}, expect=404)
    assert refused["error"]["code"] == "certificate_not_held"
    # the founder's own view has the certificate too: the applicant, as for every case route
    assert len((await founder.mini.get(f"/applications/{first['id']}/results"))["items"]) == 1
