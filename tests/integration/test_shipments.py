"""Scans on a real database: two phones scanning at once record one hand-over, and the code still locks."""

from __future__ import annotations

import asyncio

import pytest

from onething.domain.shipment import CODE_TRIES
from onething.services import shipments
from onething.services.shipment_refusals import ShipmentRefused
from onething.services.audit import check_case
from onething.services.case_store import Actor
from onething.services.reference import load_calendar, load_catalog
from onething.services.shipment_views import shipments_of_citizen
from onething.services.workflow import Workflow
from storage import db
from tests.support.apps import migrated
from storage.models import Application, AuditEvent, Notification, ShipmentScan
from tests.support.cases import Clock, draft, to_results_ready
from tests.support.refusals import refused

SECRET = "integration-secret-0123456789abcdefghijkl"
CLERK = Actor("staff:clerk", "clerk")
COURIER = Actor("courier:li", "courier")


@pytest.fixture
async def flow(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        yield Workflow(load_catalog(), load_calendar(), clock=Clock())


async def posted(flow: Workflow):
    row = await draft()
    await Application.filter(id=row.id).update(delivery={
        "method": "post", "recipient": "王青禾", "phone": "13812345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}})
    await to_results_ready(flow, row.id)
    return row, await shipments.post(flow, row.id, CLERK, SECRET, carrier="ems", tracking_number="EA123456789CN",
                                     pieces=["营业执照正副本"])


async def test_two_scans_at_once_record_one_pickup(flow):
    row, shipment = await posted(flow)
    results = await asyncio.gather(*(shipments.scan(flow, shipment.id, COURIER, "pickup") for _ in range(4)))
    assert sorted(recorded for _, recorded in results) == [False, False, False, True]
    assert await ShipmentScan.filter(shipment_id=shipment.id).count() == 1
    assert await AuditEvent.filter(application_id=row.id, action="shipment_pickup").count() == 1
    assert await Notification.filter(application_id=row.id, kind="shipment_picked_up").count() == 1
    assert await check_case(row.id) is None


async def test_two_deliveries_at_once_close_the_case_once(flow):
    row, shipment = await posted(flow)
    await shipments.scan(flow, shipment.id, COURIER, "pickup")
    await shipments.scan(flow, shipment.id, COURIER, "out_for_delivery")
    code = shipment.pickup_code
    results = await asyncio.gather(*(shipments.scan(flow, shipment.id, COURIER, "deliver", pickup_code=code)
                                     for _ in range(3)))
    assert sorted(recorded for _, recorded in results) == [False, False, True]
    await row.refresh_from_db()
    assert row.state == "closed"
    assert await AuditEvent.filter(application_id=row.id, action="close").count() == 1
    assert await Notification.filter(application_id=row.id, kind="rate_invitation").count() == 1
    assert await check_case(row.id) is None


async def test_wrong_codes_at_once_each_count_and_the_code_still_locks(flow):
    row, shipment = await posted(flow)
    await shipments.scan(flow, shipment.id, COURIER, "pickup")
    await shipments.scan(flow, shipment.id, COURIER, "out_for_delivery")
    wrong = "000000" if shipment.pickup_code != "000000" else "111111"
    results = await asyncio.gather(*(shipments.scan(flow, shipment.id, COURIER, "deliver", pickup_code=wrong)
                                     for _ in range(CODE_TRIES + 2)), return_exceptions=True)
    assert all(isinstance(r, ShipmentRefused) for r in results)
    assert sorted(r.code for r in results).count("wrong_code") == CODE_TRIES - 1
    await shipment.refresh_from_db()
    assert shipment.code_attempts == CODE_TRIES
    with refused(ShipmentRefused, "已锁定") as locked:
        await shipments.scan(flow, shipment.id, COURIER, "deliver", pickup_code=shipment.pickup_code)
    assert locked.value.status == 423
    assert await AuditEvent.filter(application_id=row.id, action="shipment_wrong_code").count() == CODE_TRIES


async def test_the_bot_lists_a_citizens_shipments_with_the_code_while_on_the_way(flow):
    row, shipment = await posted(flow)
    await shipments.scan(flow, shipment.id, COURIER, "pickup")
    [mine] = await shipments_of_citizen(row.applicant_id)
    assert (mine.number, mine.carrier_name, mine.tracking_number, mine.state_name, mine.last_update) == (
        row.number, "中国邮政EMS", "EA123456789CN", "已揽收", "")
    assert mine.pickup_code == shipment.pickup_code
    assert await shipments_of_citizen(row.applicant_id + 1000) == []
