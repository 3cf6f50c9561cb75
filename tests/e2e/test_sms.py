"""SMS when WeChat cannot reach them: the pickup code goes by SMS to the phone of the verified
identity, through the provider's SDK to a local fake of its API; its receipt updates the outbox."""

from __future__ import annotations

import logging
import uuid

import pytest

from onething.keys import id_cipher_key, notifier_key, workflow_key
from onething.services.citizens import encrypt_phones
from storage.models import Application, Citizen, Notification
from tests.support import fake_sms
from tests.support.apps import start_app, until_idle
from tests.support.backends import production_database, production_redis  # noqa: F401 (one backend pair)
from tests.support.cases import fresh_rate_window, to_results_ready
from tests.support.people import Person, wechat_env
from tests.support.staff_api import StaffApi

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}
PHONE = "13912345678"


@pytest.fixture
async def sms_provider(aiohttp_server):
    return await aiohttp_server(fake_sms.create_fake_sms())


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, wechat, sms_provider, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              **wechat_env(wechat), **fake_sms.env(sms_provider))
    client = await aiohttp_client(running.server)
    return running, client, await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:8]}", "clerk")


async def identified(client) -> Person:
    """A citizen who never consented to WeChat messages nor follows the account, identity verified."""
    person = await Person.login(client)
    await person.mini.put("/me/identity", {"real_name": "王青禾", "id_number": "110101199003074514",
                                           "mobile": PHONE})
    return person


async def posted(running, clerk, person: Person) -> int:
    case = await person.mini.post("/applications", {"thing": "business-opening"}, expect=201)
    await person.mini.put(f"/applications/{case['id']}/delivery", {"method": "post", "recipient": "王青禾",
                                                                  "phone": "13800000000", "address": ADDRESS})
    await to_results_ready(running.app[workflow_key], case["id"])
    await clerk.post(f"/applications/{case['id']}/shipments", {"tracking_number": "EA123456789CN",
                                                               "pieces": [{"description": "营业执照正副本"}]},
                     expect=201)
    return case["id"]


def texts(provider, phone: str = PHONE) -> list[tuple[str, list[str], str]]:
    return [(template, params, serial) for to, template, params, serial in provider.app[fake_sms.SENT] if to == phone]


async def test_a_citizen_without_wechat_consent_gets_the_pickup_code_by_sms(service, sms_provider, caplog):
    running, client, clerk = service
    person = await identified(client)
    case_id = await posted(running, clerk, person)
    code = (await person.mini.get(f"/applications/{case_id}/shipment"))["pickup_code"]

    with caplog.at_level(logging.DEBUG):
        await until_idle(running.app[notifier_key].run)
    notice = await Notification.get(application_id=case_id, kind="shipment_posted")
    assert (notice.state, notice.channel) == ("sent", "sms")
    by_template = {template: (params, serial) for template, params, serial in texts(sms_provider)}
    posted_template = running.settings.sms.template("shipment_posted")
    params, serial = by_template[posted_template]
    assert params[-1] == code and "EA123456789CN" in params and notice.sms_serial == serial
    # results ready went out on its own template too; the delivery phone typed for the courier did not
    assert running.settings.sms.template("results_ready") in by_template
    assert texts(sms_provider, "13800000000") == []
    assert PHONE not in caplog.text and code not in caplog.text  # the phone and the code never logged

    token = running.settings.sms.callback_token
    receipt = [{"user_receive_time": "2026-03-02 10:00:05", "nationcode": "86", "mobile": PHONE,
                "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": serial}]
    answer = await client.post(f"/sms/receipts/{token}", json=receipt)
    assert (answer.status, await answer.json()) == (200, {"result": 0, "errmsg": "OK"})
    await notice.refresh_from_db()
    assert notice.state == "delivered"
    assert (await client.post("/sms/receipts/not-the-token-0000000", json=receipt)).status == 404


async def test_the_identitys_phone_is_kept_encrypted_and_shown_masked(service):
    running, client, _ = service
    person = await identified(client)
    row = await Citizen.get(id=person.citizen.id)
    assert row.phone is None and PHONE not in row.phone_cipher and row.phone_hint == "139****5678"
    assert (await person.mini.get("/me"))["mobile"] == "139****5678"
    legacy = await Citizen.create(openid=f"o-{uuid.uuid4().hex}", phone="13700001111")  # stored before
    cipher = running.app[id_cipher_key]
    assert await encrypt_phones(cipher) == 1
    await legacy.refresh_from_db()
    assert legacy.phone is None and cipher.decrypt(legacy.phone_cipher) == "13700001111"


async def test_a_failed_receipt_and_the_providers_refusal_are_recorded(service, sms_provider):
    running, client, clerk = service
    person = await identified(client)
    case_id = await person.submitted_case(running)
    await clerk.post(f"/applications/{case_id}/accept")
    await until_idle(running.app[notifier_key].run)
    notice = await Notification.get(application_id=case_id, kind="accepted")
    assert notice.channel == "sms"
    receipt = [{"report_status": "FAIL", "errmsg": "MK:0001", "description": "空号", "sid": notice.sms_serial}]
    await client.post(f"/sms/receipts/{running.settings.sms.callback_token}", json=receipt)
    await notice.refresh_from_db()
    assert notice.state == "failed" and "空号" in notice.last_error
    bad = await client.post(f"/sms/receipts/{running.settings.sms.callback_token}", json={"sid": "x"})
    assert (bad.status, (await bad.json())["result"]) == (400, 1)

    # a number the provider refuses for good: no channel is left, and the outbox says so
    fake_sms.script(sms_provider.app, PHONE, "InvalidParameterValue.IncorrectPhoneNumber")
    other = await person.submitted_case(running)
    await clerk.post(f"/applications/{other}/accept")
    await until_idle(running.app[notifier_key].run)
    refused = await Notification.get(application_id=other, kind="accepted")
    assert refused.state == "undeliverable" and refused.failed_channels == ["sms"]
    assert "IncorrectPhoneNumber" in refused.last_error


async def test_one_number_gets_no_more_than_the_limit_and_the_rest_waits(service, sms_provider):
    running, client, clerk = service
    await fresh_rate_window(needed_seconds=20, window_seconds=3600)  # the hourly count must not roll over
    person = await identified(client)
    for _ in range(6):  # five an hour to one number: the sixth is held back, to be retried later
        case_id = await person.submitted_case(running)
        await clerk.post(f"/applications/{case_id}/accept")
    await until_idle(running.app[notifier_key].run)
    notices = await Notification.filter(citizen_id=person.citizen.id, kind="accepted").order_by("id")
    assert [n.state for n in notices].count("sent") == 5
    [held] = [n for n in notices if n.state != "sent"]
    assert held.state == "pending" and held.next_attempt_at is not None and "LimitExceeded" in held.last_error
    assert len(texts(sms_provider)) == 5


async def test_without_sms_settings_the_sandbox_records_instead_of_sending(wired):
    running, client = wired
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:8]}", "clerk")
    person = await identified(client)
    case_id = await person.submitted_case(running)
    await clerk.post(f"/applications/{case_id}/accept")
    await until_idle(running.app[notifier_key].run)
    notice = await Notification.get(application_id=case_id, kind="accepted")
    assert (notice.state, notice.channel) == ("sent", "sms")
    [(phone, template, params)] = running.app[notifier_key].sms.sender.sent
    number = (await Application.get(id=case_id)).number
    assert (phone, template, params[0]) == (PHONE, "sandbox-accepted", number)
    assert running.settings.sms is None
    assert (await client.post("/sms/receipts/anything-at-all-000", json=[])).status == 404
