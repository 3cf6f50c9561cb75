"""A carrier's system pushes signed tracking updates; anything unsigned, stale or replayed records nothing."""

from __future__ import annotations

import json
import time

import pytest

from onething.domain.carrier_updates import sign
from storage.models import Application, ShipmentScan
from tests.support.apps import start_app
from tests.support.courier import posted

EMS_SECRET = "ems-webhook-secret-0123456789abcdef"
URL = "/courier/api/v1/carriers/ems/updates"


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, redis_url):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url,
                              carrier_webhook_secrets=f"ems:{EMS_SECRET}")
    return running, await aiohttp_client(running.server)


def signed(update: dict, *, secret: str = EMS_SECRET, at: float | None = None) -> tuple[bytes, dict]:
    body = json.dumps(update).encode()
    timestamp = str(int(at or time.time()))
    return body, {"X-Onething-Timestamp": timestamp, "X-Onething-Signature": sign(secret, timestamp, body),
                  "Content-Type": "application/json"}


async def push(client, update: dict, expect: int = 200, **kwargs) -> dict:
    body, headers = signed(update, **kwargs)
    response = await client.post(URL, data=body, headers=headers)
    answer = await response.json()
    assert response.status == expect, answer
    return answer


async def test_signed_updates_move_the_shipment_and_replays_do_not(service):
    running, client = service
    me, case, shipment = await posted(running, client)

    out_of_order = await push(client, {"tracking_number": "EA123456789CN", "event": "delivered"}, expect=409)
    assert out_of_order["error"]["code"] == "out_of_order"
    body, headers = signed({"tracking_number": "EA123456789CN", "event": "picked_up"})
    first = await client.post(URL, data=body, headers=headers)
    assert (await first.json()) == {"recorded": True, "duplicate": False, "state": "picked_up"}
    replay = await client.post(URL, data=body, headers=headers)
    assert (await replay.json())["duplicate"] is True

    await push(client, {"tracking_number": "EA123456789CN", "event": "out_for_delivery",
                        "location": {"latitude": 30.27, "longitude": 120.15}})
    code = (await me.get(f"/applications/{case['id']}/shipment"))["pickup_code"]
    done = await push(client, {"tracking_number": "EA123456789CN", "event": "delivered", "pickup_code": code})
    assert done["state"] == "delivered"
    assert (await Application.get(id=case["id"])).state == "closed"
    scans = await ShipmentScan.filter(shipment_id=shipment["id"]).order_by("seq")
    assert [(s.action, s.actor) for s in scans] == [("pickup", "carrier:ems"), ("out_for_delivery", "carrier:ems"),
                                                    ("deliver", "carrier:ems")]


async def test_unsigned_stale_oversized_or_unknown_updates_are_refused(service):
    _, client = service
    update = {"tracking_number": "EA000000000CN", "event": "picked_up"}
    body, headers = signed(update)
    forged = await client.post(URL, data=body, headers={**headers, "X-Onething-Signature": "sha256=" + "0" * 64})
    assert forged.status == 401 and (await forged.json())["error"]["code"] == "bad_signature"
    assert (await push(client, update, expect=401, secret="someone-elses-secret-0123456789ab"))["error"]["code"] == \
        "bad_signature"
    assert (await push(client, update, expect=401, at=time.time() - 3600))["error"]["code"] == "stale"
    missing = await client.post(URL, data=body)
    assert missing.status == 401
    huge = json.dumps({**update, "reason": "x" * 20000}).encode()
    timestamp = str(int(time.time()))
    too_big = await client.post(URL, data=huge, headers={"X-Onething-Timestamp": timestamp,
                                                         "X-Onething-Signature": sign(EMS_SECRET, timestamp, huge)})
    assert too_big.status == 413
    assert (await push(client, update, expect=404))["error"]["code"] == "unknown_tracking_number"
    assert (await push(client, {"event": "picked_up"}, expect=422))["error"]["code"] == "bad_update"
    body, headers = signed(update)
    no_secret = await client.post("/courier/api/v1/carriers/sf/updates", data=body, headers=headers)
    assert no_secret.status == 404  # SF has no secret configured: no endpoint


async def test_a_replay_with_its_signature_respelled_records_nothing(service):
    running, client = service
    _, _, shipment = await posted(running, client)
    await push(client, {"tracking_number": "EA123456789CN", "event": "picked_up"})
    captured = [signed({"tracking_number": "EA123456789CN", "event": "out_for_delivery"}),
                signed({"tracking_number": "EA123456789CN", "event": "failed", "reason": "无人签收"})]
    for body, headers in captured:
        assert (await (await client.post(URL, data=body, headers=headers)).json())["recorded"] is True

    # the same two requests again, in a loop, each time with the signature header spelled anew
    for spelled in ("{} ", "{}\t", "{}\u00a0", "{}\u3000", "\u3000{}", "sha256={upper}"):
        for body, headers in captured:
            signature = headers["X-Onething-Signature"]
            header = spelled.format(signature, upper=signature.removeprefix("sha256=").upper())
            replay = await client.post(URL, data=body, headers={**headers, "X-Onething-Signature": header})
            answer = await replay.json()
            assert (replay.status, answer.get("recorded")) in ((200, False), (401, None)), (spelled, answer)
    scans = await ShipmentScan.filter(shipment_id=shipment["id"]).order_by("seq")
    assert [s.action for s in scans] == ["pickup", "out_for_delivery", "fail"]
