"""ORM models: storage adapters for the domain's records (singular names)."""

from .cases import Application, AuditEvent, CaseCounter, Citizen, Notification, ReviewTask
from .staff import StaffUser

__all__ = ["Application", "AuditEvent", "CaseCounter", "Citizen", "Notification", "ReviewTask", "StaffUser"]
