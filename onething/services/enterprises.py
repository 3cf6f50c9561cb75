"""Enterprises and their service managers: who serves whom (with the history), who acts for an
enterprise on WeChat, and every case of an enterprise, most urgent first."""

from __future__ import annotations

from datetime import date, datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from onething.domain.identity import valid_credit_code
from onething.domain.refusals import Refused
from onething.domain.states import FINAL, State
from onething.services import trails
from storage.models import (Application, Citizen, Enterprise, EnterpriseContact, Follower, ManagerAssignment,
                            ManagerMessage, MessageDelivery, ReviewTask, StaffUser)


class EnterpriseError(Refused):
    """An enterprise change refused as asked (its words: the message catalogue, by code)."""

    status = 422


class DuplicateEnterprise(EnterpriseError):
    status = 409  # registered already: asking again changes nothing


async def trace(enterprise_id: int, *, actor: str, action: str, note: str, conn, now: datetime | None = None) -> None:
    """One event on the enterprise's hash-chained trail, in the caller's transaction."""
    await trails.append(trails.ENTERPRISE, enterprise_id, [
        {"actor": actor, "action": action, "note": note, "at": now or datetime.now(timezone.utc)}], conn)


def visible(session) -> "Enterprise":
    """The enterprises a staff member may see: a manager, their own; supervisors and admins, all."""
    query = Enterprise.all()
    return query.filter(manager_id=session.id) if session.role == "manager" else query


async def create(name: str, credit_code: str, actor: str, now: datetime, manager: StaffUser | None = None) -> Enterprise:
    code = credit_code.strip().upper()
    if not valid_credit_code(code):
        raise EnterpriseError("invalid_credit_code", details={"field": "credit_code"})
    try:
        async with in_transaction() as conn:
            enterprise = await Enterprise.create(name=name.strip(), credit_code=code, manager=manager, using_db=conn)
            await trace(enterprise.id, actor=actor, action="registered", note=enterprise.name, conn=conn, now=now)
            if manager is not None:
                await ManagerAssignment.create(subject="enterprise", subject_id=enterprise.id, manager=manager,
                                               assigned_by=actor, note="创建时指定", at=now, using_db=conn)
    except IntegrityError:
        raise DuplicateEnterprise("duplicate_credit_code", details={"field": "credit_code"}) from None
    # someone may have claimed this code in the mini-program before the enterprise was registered
    for citizen in await Citizen.filter(enterprise_code=code):
        await bind_citizen(citizen)
    return enterprise


async def assign_manager(enterprise: Enterprise, username: str, actor: str, now: datetime, note: str = "") -> Enterprise:
    manager = await StaffUser.get_or_none(username=username, role="manager", active=True)
    if manager is None:
        raise EnterpriseError("unknown_manager", details={"field": "manager"})
    async with in_transaction() as conn:
        await Enterprise.filter(id=enterprise.id).using_db(conn).update(manager_id=manager.id)
        await ManagerAssignment.create(subject="enterprise", subject_id=enterprise.id, manager=manager,
                                       assigned_by=actor, note=note, at=now, using_db=conn)
    enterprise.manager_id = manager.id
    return enterprise


async def history(enterprise: Enterprise) -> list[ManagerAssignment]:
    return await ManagerAssignment.filter(subject="enterprise", subject_id=enterprise.id).order_by(
        "at", "id").prefetch_related("manager")


async def _contact(enterprise_id: int, follower_id: int | None, citizen_id: int | None) -> EnterpriseContact | None:
    """The one contact row of this person for this enterprise, found by either side of them."""
    sides = [Q(follower_id=follower_id)] if follower_id else []
    if citizen_id:
        sides.append(Q(citizen_id=citizen_id))
    if not sides:
        return None
    return await EnterpriseContact.filter(Q(*sides, join_type="OR"), enterprise_id=enterprise_id).order_by("id").first()


async def bind_follower(follower: Follower, credit_code: str) -> EnterpriseContact | None:
    """The follower scanned the enterprise code its manager handed out: a verified contact."""
    enterprise = await Enterprise.get_or_none(credit_code=credit_code)
    if enterprise is None:
        return None
    contact = await _contact(enterprise.id, follower.id, follower.citizen_id)
    async with in_transaction() as conn:
        if contact is None:
            contact = await EnterpriseContact.create(enterprise_id=enterprise.id, follower_id=follower.id,
                                                     citizen_id=follower.citizen_id, bound_via="scene", verified=True,
                                                     using_db=conn)
        else:
            await EnterpriseContact.filter(id=contact.id).using_db(conn).update(verified=True, follower_id=follower.id)
        await trace(enterprise.id, actor=f"follower:{follower.id}", action="contact_scanned",
                    note=f"contact {contact.id}", conn=conn)
    if follower.citizen_id is not None:  # the mini-program side: their colleagues' cases open up
        await Citizen.filter(id=follower.citizen_id).update(enterprise_code=credit_code, enterprise_verified=True)
    return contact


async def bind_citizen(citizen: Citizen) -> EnterpriseContact | None:
    """A citizen claimed a credit code in the mini-program: a contact for the manager to confirm."""
    enterprise = await Enterprise.get_or_none(credit_code=citizen.enterprise_code) if citizen.enterprise_code else None
    if enterprise is None:
        return None
    follower = await Follower.filter(citizen_id=citizen.id).order_by("-last_message_at").first()
    contact = await _contact(enterprise.id, follower.id if follower else None, citizen.id)
    if contact is None:
        async with in_transaction() as conn:
            contact = await EnterpriseContact.create(
                enterprise_id=enterprise.id, citizen_id=citizen.id, follower_id=follower.id if follower else None,
                bound_via="miniprogram", verified=citizen.enterprise_verified, using_db=conn)
            await trace(enterprise.id, actor=f"citizen:{citizen.id}", action="contact_claimed",
                        note=f"contact {contact.id}", conn=conn)
    return contact


async def same_person(follower: Follower) -> None:
    """WeChat has just told us this follower is that citizen: their contact rows become one,
    so messages reach them on WeChat, once."""
    if follower.citizen_id is None:
        return
    rows = await EnterpriseContact.filter(Q(follower_id=follower.id) | Q(citizen_id=follower.citizen_id)).order_by("id")
    kept: dict[int, EnterpriseContact] = {}
    for row in rows:
        first = kept.setdefault(row.enterprise_id, row)
        if first is row:
            await EnterpriseContact.filter(id=row.id).update(follower_id=follower.id, citizen_id=follower.citizen_id)
            continue
        async with in_transaction() as conn:  # a second row of the same person: fold it into the first
            await ManagerMessage.filter(contact_id=row.id).using_db(conn).update(contact_id=first.id)
            await MessageDelivery.filter(contact_id=row.id).using_db(conn).update(contact_id=first.id)
            if row.verified and not first.verified:
                await EnterpriseContact.filter(id=first.id).using_db(conn).update(verified=True)
            await EnterpriseContact.filter(id=row.id).using_db(conn).delete()
            await trace(row.enterprise_id, actor="system", action="contacts_merged",
                        note=f"contact {row.id} -> {first.id}", conn=conn)
    await _bind_citizen_to_scanned(follower.citizen_id)


async def _bind_citizen_to_scanned(citizen_id: int) -> None:
    """A code scanned before WeChat said who the follower was: the citizen's mini-program shows
    that enterprise now, as if they had been known at the scan (unless they already act, confirmed,
    for another)."""
    citizen = await Citizen.get(id=citizen_id)
    if citizen.enterprise_code and citizen.enterprise_verified:
        return
    latest = await EnterpriseContact.filter(citizen_id=citizen_id, verified=True).order_by("-id").first()
    if latest is not None:
        enterprise = await Enterprise.get(id=latest.enterprise_id)
        await Citizen.filter(id=citizen_id).update(enterprise_code=enterprise.credit_code, enterprise_verified=True)


async def confirmed_contact(citizen: Citizen, credit_code: str) -> bool:
    """Whether this citizen acts for the enterprise: a contact row its manager confirmed (or made
    by scanning the manager's code), found by either side of the person."""
    followers = Follower.filter(citizen_id=citizen.id).values_list("id", flat=True)
    return await EnterpriseContact.filter(
        Q(citizen_id=citizen.id) | Q(follower_id__in=await followers),
        enterprise__credit_code=credit_code, verified=True).exists()


async def verify_contact(contact: EnterpriseContact, actor: str) -> None:
    async with in_transaction() as conn:
        await EnterpriseContact.filter(id=contact.id).using_db(conn).update(verified=True)
        await trace(contact.enterprise_id, actor=actor, action="contact_confirmed",
                    note=f"contact {contact.id}", conn=conn)
        if contact.citizen_id is not None:
            enterprise = await Enterprise.get(id=contact.enterprise_id).using_db(conn)
            await Citizen.filter(id=contact.citizen_id).using_db(conn).update(
                enterprise_code=enterprise.credit_code, enterprise_verified=True)


def urgency(case: Application, tasks: list[ReviewTask], today: date) -> tuple:
    """Overdue first, then warned, then the nearest deadline; cases with no clock last."""
    open_tasks = [t for t in tasks if t.state in ("in_review", "paused") and t.due_on]
    due = min((t.due_on for t in open_tasks), default=case.intake_due_on)
    return (not any(t.overdue for t in open_tasks), not any(t.warned for t in open_tasks),
            due is None, due or today, case.id)


async def cases_of(enterprise: Enterprise, today: date) -> list[tuple[Application, list[ReviewTask]]]:
    rows = await Application.filter(enterprise_code=enterprise.credit_code).exclude(
        state__in=[s.value for s in FINAL] + [State.DRAFT.value])
    tasks = await ReviewTask.filter(application_id__in=[r.id for r in rows])
    by_case = {r.id: [t for t in tasks if t.application_id == r.id] for r in rows}
    return sorted(((r, by_case[r.id]) for r in rows), key=lambda pair: urgency(pair[0], pair[1], today))
