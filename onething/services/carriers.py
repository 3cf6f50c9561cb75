"""The carriers' side of a shipment, behind one interface so a real carrier API can be plugged in.

Today every carrier is served by ``ManualCarrier``: its couriers collect at the service centre
and record each hand-over on our courier page, and its system (if any) pushes tracking updates
in our documented JSON shape. A carrier with an API of its own (EMS, SF) gets a class that books
the pickup when the clerk posts and reads that carrier's update format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from onething.domain.carrier_updates import EVENTS
from onething.domain.shipment import CARRIERS
from storage.models import Shipment


class BadUpdate(ValueError):
    """A tracking update that cannot be read; the message says which field (for the carrier)."""


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    action: str  # a courier action: pickup, out_for_delivery, deliver, fail, return
    reason: str = ""
    pickup_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


class CarrierGateway(Protocol):
    async def book_pickup(self, shipment: Shipment) -> None:
        """Ask the carrier to collect the shipment at the service centre."""

    def parse_update(self, body: bytes) -> TrackingUpdate:
        """Read one signed tracking update (already verified) in the carrier's own format."""


class ManualCarrier:
    async def book_pickup(self, shipment: Shipment) -> None:
        return None  # the courier comes on their round and scans the label: nothing to book

    def parse_update(self, body: bytes) -> TrackingUpdate:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise BadUpdate("body is not JSON") from None
        except RecursionError:  # thousands of nested brackets: no update nests like that
            raise BadUpdate("body nests too deeply") from None
        if not isinstance(data, dict):
            raise BadUpdate("body must be a JSON object")
        tracking, event = data.get("tracking_number"), data.get("event")
        if not isinstance(tracking, str) or not tracking:
            raise BadUpdate("tracking_number is required")
        if event not in EVENTS:
            raise BadUpdate(f"event must be one of {', '.join(EVENTS)}")
        fields = {k: data.get(k, "") for k in ("reason", "pickup_code")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise BadUpdate("reason and pickup_code are strings")
        location = data.get("location") or {}
        latitude, longitude = (location.get("latitude"), location.get("longitude")) if isinstance(location, dict) \
            else (None, None)
        if not all(isinstance(v, (int, float)) or v is None for v in (latitude, longitude)):
            raise BadUpdate("location holds numbers: {\"latitude\": 30.1, \"longitude\": 120.2}")
        return TrackingUpdate(tracking, EVENTS[event], latitude=latitude, longitude=longitude, **fields)


_GATEWAYS: dict[str, CarrierGateway] = {code: ManualCarrier() for code in CARRIERS}


def gateway(carrier: str) -> CarrierGateway:
    return _GATEWAYS[carrier]
