"""A carrier's signed tracking update (its signature already checked), recorded as that carrier's scan."""

from __future__ import annotations

from . import carriers, shipments
from .case_store import Actor
from .shipment_refusals import ShipmentRefused
from .workflow import Workflow
from storage.models import Shipment as ShipmentRow


async def record(workflow: Workflow, carrier: str, body: bytes) -> tuple[ShipmentRow, bool]:
    """The shipment after the update, and whether it recorded anything (False: a repeat)."""
    try:
        tracking = carriers.gateway(carrier).parse_update(body)
    except carriers.BadUpdate as exc:
        raise ShipmentRefused("bad_update", details={"problem": str(exc)}) from None
    row = await ShipmentRow.filter(carrier=carrier, tracking_number=tracking.tracking_number).order_by("-id").first()
    if row is None:
        raise ShipmentRefused("unknown_tracking_number", status=404)
    where = shipments.Location.of(tracking.latitude, tracking.longitude)
    return await shipments.scan(workflow, row.id, Actor(f"carrier:{carrier}", "courier"), tracking.action,
                                pickup_code=tracking.pickup_code, reason=tracking.reason, location=where)
