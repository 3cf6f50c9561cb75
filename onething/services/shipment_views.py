"""What each party sees of a shipment: couriers and staff (masked recipient), citizens (their code).

The delivery address is shown to couriers and on the slip: it is what they deliver to, and to the
applicant; another contact of their enterprise reads its street masked. Names and phone numbers
are masked, and the ID number never appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction
from datetime import datetime

from onething.domain.calendar import SHANGHAI
from onething.domain.identity import mask_name, mask_phone
from onething.domain.personal import mask_address
from onething.domain.refusals import Refused
from onething.domain.shipment import (ACTION_NAMES, CARRIERS, OPEN, PHONE_SHOWN, STATE_NAMES, Shipment,
                                      ShipmentState, token_for)
from onething.services import case_store
from onething.services.case_store import Actor
from storage.models import Application, ShipmentScan
from storage.models import Shipment as ShipmentRow


def delivery_url(public_url: str, row: ShipmentRow, secret: str) -> str:
    """What the QR code on the label encodes: a page for couriers, nothing personal in it."""
    return f"{public_url}/courier/s/{token_for(row.token_nonce, secret)}"


def address_text(address: dict) -> str:
    return "".join(address.get(k, "") for k in ("province", "city", "district", "detail"))


async def scans_of(row: ShipmentRow) -> list[ShipmentScan]:
    return await ShipmentScan.filter(shipment_id=row.id).order_by("seq")


def _common(row: ShipmentRow, number: str) -> dict:
    state = ShipmentState(row.state)
    return {
        "id": row.id, "application_id": row.application_id, "number": number, "carrier": row.carrier,
        "carrier_name": CARRIERS[row.carrier].name, "tracking_number": row.tracking_number,
        "state": state.value, "state_name": STATE_NAMES[state], "pieces": row.pieces,
        "recipient": mask_name(row.recipient), "phone": mask_phone(row.phone),
        "address": address_text(row.address), "created_at": row.created_at.isoformat(),
    }


def _scan_json(scan: ShipmentScan, *, who: bool) -> dict:
    entry = {"seq": scan.seq, "action": scan.action, "action_name": ACTION_NAMES[scan.action],
             "state": scan.to_state, "state_name": STATE_NAMES[ShipmentState(scan.to_state)],
             "at": scan.at.isoformat(), "at_local": _local(scan.at), "note": scan.note}
    if who:
        entry |= {"actor": scan.actor, "latitude": scan.latitude, "longitude": scan.longitude}
    return entry


def courier_view(row: ShipmentRow, number: str, scans: list[ShipmentScan], *, full_phone: bool = False) -> dict:
    shipment = Shipment(row.carrier, row.tracking_number, ShipmentState(row.state), row.pickup_code,
                        row.code_attempts)
    return {
        **_common(row, number),
        **({"phone": row.phone} if full_phone else {}),
        "next_actions": [{"action": a, "name": ACTION_NAMES[a]} for a in shipment.next_actions()],
        "code_locked": shipment.locked,
        "scans": [_scan_json(s, who=True) for s in scans],
    }


def staff_view(row: ShipmentRow, number: str, scans: list[ShipmentScan]) -> dict:
    base = f"/staff/api/v1/shipments/{row.id}"
    return {**courier_view(row, number, scans), "created_by": row.created_by,
            "links": {"slip": f"{base}/slip", "qr_png": f"{base}/qr.png", "qr_svg": f"{base}/qr.svg"}}


async def courier_view_of(row: ShipmentRow, viewer: Actor | None = None, flow=None) -> dict:
    """As the courier ``viewer`` sees it: the full phone once the carrier has picked the parcel up,
    each showing traced in the case's trail (who and when, never the number) before it is shown."""
    full = viewer is not None and ShipmentState(row.state) in PHONE_SHOWN
    if full:
        async with in_transaction() as conn:
            await case_store.record(row.application_id, viewer, "courier_saw_phone", "", flow.clock(), conn)
        if flow.on_change is not None:
            await flow.on_change(row.application_id)  # the applicant's timeline shows it
    return courier_view(row, await _number(row), await scans_of(row), full_phone=full)


async def staff_view_of(row: ShipmentRow, number: str | None = None) -> dict:
    return staff_view(row, number or await _number(row), await scans_of(row))


async def shipment(shipment_id: int) -> ShipmentRow:
    """The shipment of that id; a 404 refusal when there is none."""
    row = await ShipmentRow.get_or_none(id=shipment_id)
    if row is None:
        raise Refused("not_found", status=404)
    return row


async def of_case(application_id: int) -> list[dict]:
    """Every shipment of a case, newest first, as staff see them; a 404 refusal for no such case."""
    case = await Application.get_or_none(id=application_id)
    if case is None:
        raise Refused("not_found", status=404)
    return [await staff_view_of(r, case.number)
            for r in await ShipmentRow.filter(application_id=case.id).order_by("-id")]


async def _number(row: ShipmentRow) -> str:
    return (await Application.get(id=row.application_id)).number


def citizen_view(row: ShipmentRow, number: str, scans: list[ShipmentScan], *, applicant: bool) -> dict:
    """The pickup code goes to the applicant only, and only while the parcel is on its way."""
    show_code = applicant and ShipmentState(row.state) in OPEN
    view = {**_common(row, number), "pickup_code": row.pickup_code if show_code else None,
            "scans": [_scan_json(s, who=False) for s in scans]}
    if not applicant:
        view["address"] = address_text({**row.address, "detail": mask_address(row.address.get("detail", ""))})
    return view


@dataclass(frozen=True)
class CitizenShipment:
    """One line of the citizen's "我的快递" answer."""

    application_id: int
    number: str
    thing: str
    carrier_name: str
    tracking_number: str
    state: str
    state_name: str
    pickup_code: str | None  # while on its way
    last_update: str  # what the last scan adds to the state, in the applicant's words: a failed delivery's reason
    last_update_at: datetime


async def shipments_of_citizen(citizen_id: int, limit: int = 10) -> list[CitizenShipment]:
    """The citizen's own shipments, newest first (the bot answers "我的快递" with these)."""
    rows = await ShipmentRow.filter(application__applicant_id=citizen_id).select_related("application").order_by(
        "-id").limit(limit)
    result = []
    for row in rows:
        state = ShipmentState(row.state)
        last = await ShipmentScan.filter(shipment_id=row.id).order_by("-seq").first()
        result.append(CitizenShipment(
            application_id=row.application_id, number=row.application.number, thing=row.application.thing,
            carrier_name=CARRIERS[row.carrier].name, tracking_number=row.tracking_number, state=state.value,
            state_name=STATE_NAMES[state], pickup_code=row.pickup_code if state in OPEN else None,
            last_update=last.note if last and last.action == "fail" else "",
            last_update_at=last.at if last else row.created_at))
    return result


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
