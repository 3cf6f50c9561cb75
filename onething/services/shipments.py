"""Posting a case's results and recording each hand-over, atomically with the case's trail and outbox.

A scan saves the shipment (guarded by its version, so two scans at once cannot both record), its
scan rows, the citizen's notices and an event in the case's audit trail in one transaction. The
delivery scan goes through the workflow instead, which closes the case in that same transaction.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from onething.domain.case import OwedOutstanding
from onething.domain.refusals import Refused
from onething.domain.shipment import CARRIERS, OPEN, Shipment, ShipmentState, WrongPickupCode, issue_token
from onething.domain.states import IllegalTransition, State
from . import carriers, case_store
from .case_store import Actor, ConcurrentUpdate
from .shipment_refusals import ShipmentConflict, ShipmentRefused, as_refusals
from .workflow import Workflow
from storage.models import Application, Notification, ShipmentScan
from storage.models import Shipment as ShipmentRow

log = logging.getLogger("onething.shipments")
RETRIES = 10


class ShipmentChanged(Exception):
    """Another scan of this shipment saved first: reload and decide again (never a workflow retry)."""


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float

    @classmethod
    def of(cls, latitude, longitude) -> "Location | None":
        """Where the phone says it was, if it said anything sensible; a scan never fails for lack of it."""
        try:
            lat, lng = float(latitude), float(longitude)
        except (TypeError, ValueError, OverflowError):
            return None
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            return None
        return cls(round(lat, 5), round(lng, 5))


async def post(workflow: Workflow, application_id: int, actor: Actor, secret: str, *, carrier: str,
               tracking_number: str, pieces: list[str]) -> ShipmentRow:
    """Create a shipment of a case whose results are ready and whose applicant chose the post."""
    with as_refusals():
        shipment = Shipment.post(carrier, tracking_number, pieces)
    _, nonce = issue_token(secret)
    now = workflow.clock()
    if not await Application.filter(id=application_id).exists():
        raise Refused("not_found", status=404)
    async with in_transaction() as conn:
        # The trail entry comes first: it takes the case's row lock, so two clerks cannot both post.
        note = f"{CARRIERS[carrier].name} {tracking_number}，共{len(pieces)}件"
        await case_store.record(application_id, actor, "post_results", note, now, conn)
        case = await Application.get(id=application_id).using_db(conn)
        if case.state != State.RESULTS_READY:
            raise ShipmentConflict("not_ready", details={"state": case.state})
        if owed := case_store.outstanding(case.owed):  # never out while a deferred material is owed
            raise ShipmentRefused("owed_materials_outstanding", str(OwedOutstanding(
                owed, workflow.material_names(owed))), details={"materials": owed})
        choice = case.delivery or {}
        if choice.get("method") != "post":
            raise ShipmentRefused("not_postal")
        if await ShipmentRow.filter(application_id=case.id, state__in=[s.value for s in OPEN]).using_db(conn).exists():
            raise ShipmentConflict("shipment_open")
        row = await ShipmentRow.create(
            application_id=case.id, carrier=carrier, tracking_number=tracking_number, state=shipment.state.value,
            token_nonce=nonce, pickup_code=shipment.pickup_code, recipient=choice["recipient"], phone=choice["phone"],
            address=choice["address"], pieces=[p.strip() for p in pieces], created_by=actor.name, created_at=now,
            updated_at=now, using_db=conn)
        await _notify(case, shipment, conn)
    await _changed(workflow, application_id)
    try:
        await carriers.gateway(carrier).book_pickup(row)
    except Exception:  # the shipment stands; the centre can still call the carrier
        log.exception("booking the carrier's pickup failed", extra={"shipment": row.id, "carrier": carrier})
    return row


async def scan(workflow: Workflow, shipment_id: int, actor: Actor, action: str, *, pickup_code: str = "",
               reason: str = "", location: Location | None = None) -> tuple[ShipmentRow, bool]:
    """Record one hand-over; ``(shipment, False)`` when it repeats the one already recorded."""
    try:
        with as_refusals():
            return await _scan(workflow, shipment_id, actor, action, pickup_code, reason, location)
    except IllegalTransition:  # the case moved on meanwhile (its results handed over at the window)
        raise ShipmentConflict("case_moved_on") from None
    except ConcurrentUpdate:
        raise ShipmentConflict("shipment_busy") from None


async def _scan(workflow: Workflow, shipment_id: int, actor: Actor, action: str, pickup_code: str, reason: str,
                location: Location | None) -> tuple[ShipmentRow, bool]:
    for attempt in range(RETRIES):
        row = await ShipmentRow.get(id=shipment_id).select_related("application")
        shipment = _domain(row)
        now = workflow.clock()
        try:
            if not shipment.act(action, pickup_code=pickup_code, reason=reason):
                return row, False
        except WrongPickupCode:
            if await _count_wrong_code(workflow, row, shipment, actor, now):
                raise
            continue  # someone scanned meanwhile: judge the code against fresh state
        try:
            await _save(workflow, row, shipment, actor, now, location)
            await row.refresh_from_db()
            return row, True
        except ShipmentChanged:
            await asyncio.sleep(random.uniform(0, 0.01 * (attempt + 1)))
    raise ConcurrentUpdate(shipment_id)


async def _save(workflow: Workflow, row: ShipmentRow, shipment: Shipment, actor: Actor, now: datetime,
                location: Location | None) -> None:
    label = f"{CARRIERS[row.carrier].name} {row.tracking_number}"
    [scan_] = shipment.scans

    async def write(conn) -> None:
        changed = await ShipmentRow.filter(id=row.id, version=row.version).using_db(conn).update(
            state=shipment.state.value, code_attempts=shipment.code_attempts, version=F("version") + 1,
            updated_at=now)
        if changed != 1:
            raise ShipmentChanged(row.id)
        seq = await ShipmentScan.filter(shipment_id=row.id).using_db(conn).count()
        await ShipmentScan.create(
            shipment_id=row.id, seq=seq + 1, action=scan_.action, from_state=scan_.from_state.value,
            to_state=scan_.to_state.value, actor=actor.name, note=scan_.note, at=now,
            latitude=location.latitude if location else None, longitude=location.longitude if location else None,
            using_db=conn)
        await _notify(row.application, shipment, conn)

    if scan_.action == "deliver":
        # The case row is locked first here too (by the workflow's save): the same order as below.
        try:
            await workflow.deliver(row.application_id, actor, f"{label} 凭取件码签收", also=lambda loaded: write)
        except IllegalTransition:
            # A delivery scan that lost the race finds the case closed: a replay, if this shipment moved on.
            if await ShipmentRow.filter(id=row.id).exclude(version=row.version).exists():
                raise ShipmentChanged(row.id) from None
            raise
        return
    async with in_transaction() as conn:
        await case_store.record(row.application_id, actor, f"shipment_{scan_.action}",
                                "：".join(filter(None, (label, scan_.note))), now, conn)
        await write(conn)
    await _changed(workflow, row.application_id)


async def _count_wrong_code(workflow: Workflow, row: ShipmentRow, shipment: Shipment, actor: Actor,
                            now: datetime) -> bool:
    """Save a wrong try (it must count even though the scan is refused); False if a scan got there first."""
    try:
        async with in_transaction() as conn:
            await case_store.record(row.application_id, actor, "shipment_wrong_code",
                                    f"取件码错误（第{shipment.code_attempts}次）", now, conn)
            changed = await ShipmentRow.filter(id=row.id, version=row.version).using_db(conn).update(
                code_attempts=shipment.code_attempts, version=F("version") + 1, updated_at=now)
            if changed != 1:
                raise ShipmentChanged(row.id)
    except ShipmentChanged:
        return False
    await _changed(workflow, row.application_id)
    return True


async def _notify(case: Application, shipment: Shipment, conn) -> None:
    for kind, payload in shipment.notices:
        await Notification.create(application_id=case.id, citizen_id=case.applicant_id, kind=kind,
                                  payload={"number": case.number, **payload}, using_db=conn)
    shipment.notices.clear()


async def _changed(workflow: Workflow, application_id: int) -> None:
    if workflow.on_change is not None:
        await workflow.on_change(application_id)  # the applicant's cached view shows the shipment


def _domain(row: ShipmentRow) -> Shipment:
    return Shipment(carrier=row.carrier, tracking_number=row.tracking_number, state=ShipmentState(row.state),
                    pickup_code=row.pickup_code, code_attempts=row.code_attempts)
