"""What the official account's conversation reads of a follower: their record, and the enterprise
contact through whom they may write to their enterprise's service manager."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import EnterpriseContact, Follower


@dataclass(frozen=True)
class ManagerLine:
    """A verified contact's line to the manager of their enterprise."""

    contact_id: int
    enterprise: str
    manager: str  # as the contact reads it: the manager's name, else their username


async def follower(openid: str) -> Follower:
    """The follower of this openid, recorded now if WeChat never told us of them before."""
    found, _ = await Follower.get_or_create(openid=openid)
    return found


async def manager_lines(follower_id: int) -> list[ManagerLine]:
    """Each enterprise this follower is a verified contact of and that has a manager, latest bound
    first: with several, the contact says which one they write for."""
    contacts = await EnterpriseContact.filter(follower_id=follower_id, verified=True,
                                              enterprise__manager_id__isnull=False).prefetch_related(
        "enterprise", "enterprise__manager").order_by("-id")
    return [_line(contact) for contact in contacts]


async def manager_line_of(follower_id: int, contact_id) -> ManagerLine | None:
    """The line of the contact they picked from the list, if it is still theirs and verified."""
    lines = await manager_lines(follower_id) if isinstance(contact_id, int) else []
    return next((line for line in lines if line.contact_id == contact_id), None)


def _line(contact: EnterpriseContact) -> ManagerLine:
    manager = contact.enterprise.manager
    return ManagerLine(contact.id, contact.enterprise.name, manager.display_name or manager.username)


async def verified_contact(contact_id) -> EnterpriseContact | None:
    """The contact still verified, or None when unbound meanwhile."""
    if not isinstance(contact_id, int):
        return None
    return await EnterpriseContact.get_or_none(id=contact_id, verified=True)
