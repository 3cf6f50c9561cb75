"""The credit blacklist (失信): who may be flagged, on what basis, and what a set or clear records.

A flag stands on a person (by resident ID number) or an enterprise (by unified social credit
code), on the authority of a decision document. Setting a flag that already stands records the
new basis (a second decision); clearing one that does not stand is refused. While a flag stands,
its holder gets no deferral (容缺): ``Case.accept`` refuses owed materials.
"""

from __future__ import annotations

from dataclasses import dataclass

from onething.domain.identity import mask_id_number, valid_credit_code, valid_id_number
from onething.domain.refusals import Refused

CITIZEN, ENTERPRISE = "citizen", "enterprise"
REASON_MAX, DOCUMENT_MAX = 500, 128


class CreditRuleError(Refused):
    """Its words are the catalogue's (templates/messages/rules.yaml); ``field`` names what to correct."""

    def __init__(self, code: str, status: int = 422, field: str | None = None, **details):
        super().__init__(code, status=status, details={**({"field": field} if field else {}), **details})
        self.field = field


@dataclass(frozen=True)
class Subject:
    kind: str  # citizen | enterprise
    number: str  # the normalised ID number or credit code: never shown whole for a person
    hint: str  # what staff see

    @property
    def is_citizen(self) -> bool:
        return self.kind == CITIZEN


@dataclass(frozen=True)
class Change:
    action: str  # set | clear
    active: bool  # whether the flag stands after it
    reason: str
    document: str


def citizen(id_number: str) -> Subject:
    number = id_number.strip().upper()
    if not valid_id_number(number):
        raise CreditRuleError("invalid_id_number", field="id_number")
    return Subject(CITIZEN, number, mask_id_number(number))


def enterprise(credit_code: str) -> Subject:
    code = credit_code.strip().upper()
    if not valid_credit_code(code):
        raise CreditRuleError("invalid_credit_code", field="credit_code")
    return Subject(ENTERPRISE, code, code)


def _basis(reason: str, document: str) -> tuple[str, str]:
    reason, document = reason.strip(), document.strip()
    if not reason or len(reason) > REASON_MAX:
        raise CreditRuleError("reason_required", field="reason", limit=REASON_MAX)
    if not document or len(document) > DOCUMENT_MAX:
        raise CreditRuleError("document_required", field="document", limit=DOCUMENT_MAX)
    return reason, document


def set_flag(reason: str, document: str) -> Change:
    reason, document = _basis(reason, document)
    return Change("set", True, reason, document)


def clear_flag(standing: bool, reason: str, document: str) -> Change:
    reason, document = _basis(reason, document)
    if not standing:
        raise CreditRuleError("not_flagged", status=404)
    return Change("clear", False, reason, document)

