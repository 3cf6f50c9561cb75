"""What the shipment services refuse, each with the status every entrypoint answers it with.

The courier page, the courier app, the carriers' webhook and the back office all see the same
refusal for the same rule; the words are the catalogue's (``templates/messages/couriers.yaml``),
or the shipment rule's own where it composes them from the shipment (the next steps allowed,
the tries left).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from onething.domain.refusals import Refused
from onething.domain.shipment import ShipmentRuleError


class ShipmentRefused(Refused):
    status = 422


class ShipmentConflict(ShipmentRefused):
    """The shipment or its case is not where the action needs it: look again, then decide."""

    status = 409


class CodeLocked(ShipmentRefused):
    """Too many wrong pickup codes: only a failed delivery, then the return, remain."""

    status = 423


_KINDS: dict[str, type[ShipmentRefused]] = {
    "out_of_order": ShipmentConflict, "not_ready": ShipmentConflict, "shipment_open": ShipmentConflict,
    "code_locked": CodeLocked,
}


def refusal(exc: ShipmentRuleError) -> ShipmentRefused:
    return _KINDS.get(exc.code, ShipmentRefused)(exc.code, str(exc), details=exc.details)


@contextmanager
def as_refusals() -> Iterator[None]:
    """A shipment rule's refusal, raised as the refusal every entrypoint renders."""
    try:
        yield
    except ShipmentRuleError as exc:
        raise refusal(exc) from None
