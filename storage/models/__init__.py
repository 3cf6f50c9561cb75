"""ORM models: storage adapters for the domain's records (singular names)."""

from .staff import StaffUser

__all__ = ["StaffUser"]
