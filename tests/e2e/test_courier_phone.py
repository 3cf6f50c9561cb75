"""The recipient's phone: the courier of the carrier that picked the parcel up sees it in full
(app and page), each view traced in the case's trail without the number; before pickup, on the
slip, to another carrier and to the applicant's other readers it stays masked."""

from __future__ import annotations

import logging

import pytest

from storage.models import AuditEvent
from tests.e2e.test_postal_delivery import PIECES, name, ready_case
from tests.support.apps import start_app
from tests.support.courier import CourierApp, CourierBrowser, decode_qr, token_of
from tests.support.staff_api import StaffApi

FULL, MASKED = "13812345678", "138****5678"


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url)
    return running, await aiohttp_client(running.server)


async def phone_views(case_id: int) -> list[tuple[str, str]]:
    return [(e.actor, e.note) for e in await AuditEvent.filter(application_id=case_id, action="courier_saw_phone")]


async def test_the_courier_sees_the_phone_only_after_pickup(service, aiohttp_client, caplog):
    running, client = service
    me, case_id = await ready_case(running, client)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    posted = await clerk.post(f"/applications/{case_id}/shipments", {"tracking_number": "EA123456789CN",
                                                                     "pieces": PIECES}, expect=201)
    slip = await (await client.get(posted["links"]["slip"], headers={"Authorization": f"Bearer {clerk.token}"})).text()
    assert MASKED in slip and FULL not in slip
    qr = await client.get(posted["links"]["qr_png"], headers={"Authorization": f"Bearer {clerk.token}"})
    url = decode_qr(await qr.read())
    token = token_of(url)

    username = name("ems")
    ems, sf = await CourierApp.login(client, username, "ems"), await CourierApp.login(client, name("sf"), "sf")
    assert (await ems.shipment(token))["phone"] == MASKED  # before pickup
    assert await phone_views(case_id) == []

    with caplog.at_level(logging.DEBUG):
        picked = await ems.act(token, "pickup")
        assert picked["shipment"]["phone"] == MASKED  # the scan's answer; opening the shipment shows it
        assert (await ems.shipment(token))["phone"] == FULL
    assert FULL not in caplog.text
    assert await phone_views(case_id) == [(f"courier:{username}", "")]
    await sf.shipment(token, expect=403)  # another carrier's courier sees nothing at all
    staff_view = await clerk.get(f"/applications/{case_id}/shipments")
    assert FULL not in str(staff_view) and MASKED in str(staff_view)
    assert FULL not in str(await me.get(f"/applications/{case_id}/shipment"))

    # the page in WeChat's browser, for a colleague of the same carrier delivering it
    colleague = name("ems")
    await CourierApp.login(client, colleague, "ems")
    browser = CourierBrowser(await aiohttp_client(running.server))
    await browser.open(url)
    page = await browser.login(colleague, f"/courier/s/{token}")
    assert FULL in page
    assert await phone_views(case_id) == [(f"courier:{username}", ""), (f"courier:{colleague}", "")]
    timeline = (await me.get(f"/applications/{case_id}"))["timeline"]
    assert sum("快递员为投递查看了收件人的完整电话" in e["text"] for e in timeline) == 2
