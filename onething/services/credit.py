"""The credit blacklist (失信): supervisors set and clear flags; intake asks whether one stands.

A person's flag is keyed by the keyed digest of their ID number (``IdCipher.digest``), the same
digest their citizen record carries once they give their number: a flag set before they have an
account applies from the moment they do, and nobody's number is ever decrypted to find them.
Each set and clear is kept (``CreditFlagEntry``) in the same transaction as the flag; for an
enterprise it is also an event on the enterprise's trail.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from onething.domain import credit as rules
from onething.domain.credit import CITIZEN, ENTERPRISE, CreditRuleError, Subject
from onething.services import enterprises
from storage.models import Application, Citizen, CreditFlag, CreditFlagEntry, Enterprise

if TYPE_CHECKING:  # the case store asks this module whether a flag stands: no import back
    from onething.services.case_store import Actor
    from onething.services.citizens import IdCipher

log = logging.getLogger("onething.credit")


def key_of(subject: Subject, cipher: IdCipher) -> str:
    return cipher.digest(subject.number) if subject.is_citizen else subject.number


async def standing(subject: Subject, cipher: IdCipher) -> CreditFlag | None:
    return await CreditFlag.get_or_none(subject=subject.kind, key=key_of(subject, cipher), active=True)


async def set_flag(subject: Subject, cipher: IdCipher, actor: Actor, now: datetime, *, reason: str,
                   document: str) -> CreditFlag:
    return await _apply(subject, cipher, actor, now, rules.set_flag(reason, document))


async def clear_flag(subject: Subject, cipher: IdCipher, actor: Actor, now: datetime, *, reason: str,
                     document: str) -> CreditFlag:
    flag = await standing(subject, cipher)
    return await _apply(subject, cipher, actor, now, rules.clear_flag(flag is not None, reason, document))


async def _apply(subject: Subject, cipher: IdCipher, actor: Actor, now: datetime, change: rules.Change) -> CreditFlag:
    key = key_of(subject, cipher)
    values = {"hint": subject.hint, "active": change.active, "reason": change.reason, "document": change.document,
              "updated_by": actor.name, "updated_at": now}
    try:
        async with in_transaction() as conn:
            flag = await CreditFlag.filter(subject=subject.kind, key=key).using_db(conn).first()
            if flag is None:
                flag = await CreditFlag.create(subject=subject.kind, key=key, **values, using_db=conn)
            else:
                await CreditFlag.filter(id=flag.id).using_db(conn).update(**values)
            await CreditFlagEntry.create(flag_id=flag.id, action=change.action, actor=actor.name, role=actor.role,
                                         reason=change.reason, document=change.document, at=now, using_db=conn)
            if subject.kind == ENTERPRISE:
                enterprise = await Enterprise.get_or_none(credit_code=key).using_db(conn)
                if enterprise is not None:
                    await enterprises.trace(enterprise.id, actor=actor.name, action=f"credit_flag_{change.action}",
                                            note=f"{change.document}：{change.reason}", conn=conn, now=now)
    except IntegrityError:  # someone flagged the same subject for the first time at the same moment
        raise CreditRuleError("conflict", status=409, of="flag") from None
    log.info("credit flag changed", extra={"flag": flag.id, "subject": subject.kind, "action": change.action})
    return await CreditFlag.get(id=flag.id)


async def flags_for_case(applicant: Citizen, enterprise_code: str | None, conn=None) -> list[CreditFlag]:
    """The flags standing on a case's applicant, or on the enterprise they apply for."""
    sides = [Q(subject=CITIZEN, key=applicant.id_number_digest)] if applicant.id_number_digest else []
    if enterprise_code:
        sides.append(Q(subject=ENTERPRISE, key=enterprise_code))
    if not sides:
        return []
    query = CreditFlag.filter(Q(*sides, join_type="OR"), active=True)
    return await (query.using_db(conn) if conn is not None else query).order_by("id")


async def flagged(sides: list[tuple[str | None, str | None]]) -> set[tuple[str, str]]:
    """Of many cases' applicants (their ID numbers' digests) and enterprises, the (subject, key)
    flagged, in one query."""
    digests = sorted({digest for digest, _ in sides if digest})
    codes = sorted({code for _, code in sides if code})
    if not digests and not codes:
        return set()
    query = CreditFlag.filter(Q(Q(subject=CITIZEN, key__in=digests or [""]),
                                Q(subject=ENTERPRISE, key__in=codes or [""]), join_type="OR"), active=True)
    return set(await query.values_list("subject", "key"))


def flagged_case(flags: set[tuple[str, str]], digest: str | None, enterprise_code: str | None) -> bool:
    """Whether a flag of ``flagged`` stands on this case, as ``flags_for_case`` would find."""
    return (bool(digest and (CITIZEN, digest) in flags)
            or bool(enterprise_code and (ENTERPRISE, enterprise_code) in flags))


async def case_credit(row: Application) -> dict:
    """What staff see on a case: whether its applicant (or their enterprise) gets no deferral, and why."""
    flags = await flags_for_case(await row.applicant, row.enterprise_code)
    return {"blacklisted": bool(flags), "flags": [flag_json(f) for f in flags]}


def flag_json(flag: CreditFlag, history: bool = False) -> dict:
    """(``history``: with its entries fetched)"""
    body = {"id": flag.id, "subject": flag.subject, "who": flag.hint, "active": flag.active, "reason": flag.reason,
            "document": flag.document, "updated_by": flag.updated_by, "updated_at": flag.updated_at.isoformat()}
    if history:
        body["history"] = [{"action": e.action, "actor": e.actor, "role": e.role, "reason": e.reason,
                            "document": e.document, "at": e.at.isoformat()}
                           for e in sorted(flag.entries, key=lambda e: e.id)]
    return body


async def change(subject: Subject, cipher: IdCipher, actor: Actor, now: datetime, *, clear: bool, reason: str,
                 document: str) -> dict:
    """Set or clear a flag; the flag as it stands after, with its whole history."""
    flag = await (clear_flag if clear else set_flag)(subject, cipher, actor, now, reason=reason, document=document)
    await flag.fetch_related("entries")
    return flag_json(flag, history=True)


async def listed(include_cleared: bool = False) -> list[dict]:
    return [flag_json(f, history=True) for f in await listing(include_cleared)]


async def enterprise_flag(credit_code: str) -> CreditFlag | None:
    return await CreditFlag.get_or_none(subject=ENTERPRISE, key=credit_code, active=True)


async def listing(include_cleared: bool = False) -> list[CreditFlag]:
    query = CreditFlag.all() if include_cleared else CreditFlag.filter(active=True)
    return await query.order_by("-updated_at", "-id").prefetch_related("entries")
