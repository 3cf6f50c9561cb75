"""What staff do with the enterprises they may see: register one, read its file, assign its
manager, confirm a contact. A manager sees their own enterprises only; what a person may not
see does not exist for them (None here, 404 at the entrypoints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from onething.services import credit, enterprises
from onething.services.staff import StaffSession
from storage.models import (Application, CreditFlag, Enterprise, EnterpriseContact, EnterpriseEvent,
                            ManagerAssignment, ReviewTask, StaffUser)


@dataclass
class EnterpriseFile:
    enterprise: Enterprise  # with its manager fetched
    contacts: list[EnterpriseContact]  # with their citizen fetched
    cases: list[tuple[Application, list[ReviewTask]]]  # the most urgent first
    managers: list[ManagerAssignment]  # with the manager fetched
    events: list[EnterpriseEvent]
    credit: CreditFlag | None


async def find(session: StaffSession, enterprise_id: int) -> Enterprise | None:
    return await enterprises.visible(session).filter(id=enterprise_id).prefetch_related("manager").first()


async def listing(session: StaffSession) -> list[Enterprise]:
    return await enterprises.visible(session).order_by("name").prefetch_related("manager")


async def register(session: StaffSession, name: str, credit_code: str, now: datetime) -> Enterprise:
    """A manager who registers an enterprise serves it; others assign one later."""
    manager = await StaffUser.get(id=session.id) if session.role == "manager" else None
    enterprise = await enterprises.create(name, credit_code, f"staff:{session.username}", now, manager=manager)
    await enterprise.fetch_related("manager")
    return enterprise


async def assign(session: StaffSession, enterprise_id: int, username: str, note: str, now: datetime) -> bool:
    enterprise = await find(session, enterprise_id)
    if enterprise is None:
        return False
    await enterprises.assign_manager(enterprise, username.strip(), f"staff:{session.username}", now, note.strip())
    return True


async def dossier(session: StaffSession, enterprise_id: int, today: date) -> EnterpriseFile | None:
    enterprise = await find(session, enterprise_id)
    if enterprise is None:
        return None
    return EnterpriseFile(
        enterprise,
        await EnterpriseContact.filter(enterprise_id=enterprise.id).prefetch_related("citizen").order_by("id"),
        await enterprises.cases_of(enterprise, today),
        await enterprises.history(enterprise),
        await EnterpriseEvent.filter(enterprise_id=enterprise.id).order_by("seq", "id"),
        await credit.enterprise_flag(enterprise.credit_code))


async def confirm_contact(session: StaffSession, enterprise_id: int, contact_id: int) -> EnterpriseContact | None:
    enterprise = await find(session, enterprise_id)
    contact = await EnterpriseContact.get_or_none(id=contact_id, enterprise_id=enterprise.id) if enterprise else None
    if contact is not None:
        await enterprises.verify_contact(contact, f"staff:{session.username}")
    return contact
