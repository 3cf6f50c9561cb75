"""What the shipment rules refuse, as the JSON error shape with the right status."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from onething.domain.shipment import ShipmentRuleError
from onething.web.errors import ApiError

STATUS = {"out_of_order": 409, "not_ready": 409, "shipment_open": 409, "code_locked": 423}


@contextmanager
def refused() -> Iterator[None]:
    try:
        yield
    except ShipmentRuleError as exc:
        raise ApiError(exc.code, str(exc), status=STATUS.get(exc.code, 422), details=exc.details) from None
