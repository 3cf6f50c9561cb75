"""The back office's JSON API (``/staff/api/v1``): window clerks, department reviewers, supervisors,
admins, and project service managers with their enterprises, messages, projects and issue ledger."""

from .app import create_app

__all__ = ["create_app"]
