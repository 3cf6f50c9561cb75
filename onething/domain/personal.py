"""Personal data in a thing's form: which fields hold it, and how each kind is shown masked.

A field says what it holds with ``personal: id_number | phone | bank_account | address | email`` in
the form schema (any account number, a utility's too, is a ``bank_account``; ``personal: false``
for one named like personal data that is not a person's).
Those values are kept sealed at rest and shown masked to everyone, the applicant included: a
colleague of the same enterprise reads the same case. The walk follows the schema into arrays
and nested objects, so a shareholder's ID number inside a list is found like a top-level one.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from .identity import mask_id_number, mask_name, mask_phone


def mask_bank_account(value: str) -> str:
    return f"****{value[-4:]}" if len(value) >= 8 else "****"


def mask_address(value: str) -> str:
    # the town and street tell staff and the owner which address it is; the house number is the personal part
    return value[:min(6, len(value) // 2)] + "****"


def mask_email(value: str) -> str:
    user, at, domain = value.partition("@")
    return f"{user[:1]}***@{domain}" if at else "****"


MASKS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account, "address": mask_address,
    "email": mask_email,
}
# A field named like one of these must say whether it is personal, so none is stored in clear by oversight.
LOOKS_PERSONAL = re.compile(r"(^|_)(id_number|phone|telephone|tel|mobile|landline|bank_account|account|"
                            r"account_number|account_no|card|card_number|card_no|address|email|e_mail)$")


def masked_delivery(choice: dict | None, *, own: bool) -> dict | None:
    """A delivery choice as shown: the phone masked for everyone; to anyone but the applicant (a
    colleague of their enterprise) the recipient's name and the street address masked too."""
    if not choice or choice.get("method") != "post":
        return choice
    shown = {**choice, "phone": mask_phone(choice.get("phone") or "")}
    if own:
        return shown
    address = choice.get("address") or {}
    return {**shown, "recipient": mask_name(choice.get("recipient") or ""),
            "address": {**address, "detail": mask_address(address.get("detail") or "")}}


def schema_problems(schema: Any, where: str) -> list[str]:
    """What is wrong with the ``personal`` marks of a form schema, each naming the field."""
    problems: list[str] = []
    _check(schema, "", where, problems)
    return problems


def _check(spec: Any, path: str, where: str, problems: list[str]) -> None:
    if not isinstance(spec, Mapping):
        return
    for name, child in (spec.get("properties") or {}).items():
        here = f"{path}.{name}" if path else name
        kind = child.get("personal") if isinstance(child, Mapping) else None
        if kind is not None and kind is not False and kind not in MASKS:
            problems.append(f"{where}: form field {here!r}: personal must be one of {', '.join(MASKS)} (or false)")
        elif kind and child.get("type") != "string":
            problems.append(f"{where}: form field {here!r}: only a string field can hold personal data")
        elif kind is None and LOOKS_PERSONAL.search(name) and isinstance(child, Mapping) \
                and child.get("type") == "string":
            problems.append(f"{where}: form field {here!r} looks personal: mark it personal: "
                            f"{'|'.join(MASKS)} (or false)")
        _check(child, here, where, problems)
    items = spec.get("items")
    if isinstance(items, Mapping):
        _check(items, f"{path}[]", where, problems)


def transform(schema: Mapping[str, Any], form: Any, change: Callable[[str, str, str], str],
              path: str = "") -> Any:
    """A copy of ``form`` with ``change(kind, value, path)`` applied to every personal value in it
    (``path`` as ``locate`` reads it: ``shareholders.0.id_number``)."""
    kind = schema.get("personal")
    if kind and isinstance(form, str):
        return change(kind, form, path)
    if isinstance(form, dict):
        properties = schema.get("properties") or {}
        return {k: transform(properties.get(k) or {}, v, change, f"{path}.{k}" if path else k)
                for k, v in form.items()}
    if isinstance(form, list) and isinstance(schema.get("items"), Mapping):
        return [transform(schema["items"], v, change, f"{path}.{i}" if path else str(i))
                for i, v in enumerate(form)]
    return form


def masked(schema: Mapping[str, Any], form: Any) -> Any:
    return transform(schema, form, lambda kind, value, path: MASKS[kind](value))


Mask = Callable[[str, str], str]


def _mask(kind: str, value: str) -> str:
    return MASKS[kind](value)


def keep_masked(schema: Mapping[str, Any], submitted: Any, stored: Any, mask: Mask = _mask) -> Any:
    """The form as submitted, where a personal value sent back as it was shown (``mask``) keeps the
    stored one: the mini-program shows masks, so only a value the applicant re-entered changes.
    An element of a list keeps the stored element it was shown from, wherever it now stands: a
    shareholder removed or moved does not send the masks of the others to the wrong place."""
    kind = schema.get("personal")
    if kind and isinstance(submitted, str) and isinstance(stored, str):
        return stored if submitted == mask(kind, stored) else submitted
    if isinstance(submitted, dict) and isinstance(stored, dict):
        properties = schema.get("properties") or {}
        return {k: keep_masked(properties.get(k) or {}, v, stored.get(k), mask) for k, v in submitted.items()}
    if isinstance(submitted, list) and isinstance(stored, list) and isinstance(schema.get("items"), Mapping):
        return _keep_list(schema["items"], submitted, stored, mask)
    return submitted


def _keep_list(schema: Mapping[str, Any], submitted: list, stored: list, mask: Mask) -> list:
    free, kept = list(range(len(stored))), []
    for i, value in enumerate(submitted):
        def rank(j: int) -> tuple[int, int, bool]:
            # the stored element whose masks it echoes most, then the one with most other fields
            # alike (a shareholder's name), then the one at its place
            return (*_likeness(schema, value, stored[j], mask), j == i)
        j = max(free, key=rank, default=None)
        if j is None or rank(j)[0] == 0:
            kept.append(keep_masked(schema, value, None, mask))  # a new element: it echoes nothing stored
            continue
        free.remove(j)
        kept.append(keep_masked(schema, value, stored[j], mask))
    return kept


def _likeness(schema: Mapping[str, Any], submitted: Any, stored: Any, mask: Mask) -> tuple[int, int]:
    """How many personal values of ``submitted`` are masks of ``stored``'s, and how many others equal."""
    kind = schema.get("personal")
    if kind:
        return int(isinstance(submitted, str) and isinstance(stored, str) and submitted == mask(kind, stored)), 0
    if isinstance(submitted, dict) and isinstance(stored, dict):
        properties = schema.get("properties") or {}
        pairs = [_likeness(properties.get(k) or {}, v, stored.get(k), mask) for k, v in submitted.items()]
    elif isinstance(submitted, list) and isinstance(stored, list) and isinstance(schema.get("items"), Mapping):
        pairs = [_likeness(schema["items"], a, b, mask) for a, b in zip(submitted, stored)]
    else:
        return 0, int(submitted is not None and submitted == stored)
    return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def locate(schema: Mapping[str, Any], form: Any, path: str) -> tuple[Mapping[str, Any], Any] | None:
    """The schema node and value at a dotted path (``shareholders.0.id_number``, as problems name
    fields), or None when the form has no such field."""
    spec, value = schema, form
    for part in path.split("."):
        if isinstance(value, dict) and part in (spec.get("properties") or {}):
            spec, value = spec["properties"][part], value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value) \
                and isinstance(spec.get("items"), Mapping):
            spec, value = spec["items"], value[int(part)]
        else:
            return None
    return spec, value
