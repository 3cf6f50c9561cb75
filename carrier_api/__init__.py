"""Providers' callbacks: carriers' signed tracking updates (``/courier/api/v1/carriers/{code}/updates``)
and the SMS provider's delivery receipts (``/sms/receipts/{token}``)."""

from .app import create_app
from .sms import create_sms_app

__all__ = ["create_app", "create_sms_app"]
