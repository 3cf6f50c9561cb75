"""The unified form (一表申请): checked against the thing's JSON Schema, every problem at once;
its personal fields (``onething.domain.personal``) sealed at rest with the identity's cipher.

The database holds a sealed value as ``enc:`` and a Fernet token; rules and checks read the form
unsealed, server-side; answers and cached views carry only its masks. A value that no longer
opens (the secret was changed) is kept as stored and shown as ``****``: the case stays readable.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Mapping

from cryptography.fernet import InvalidToken
from jsonschema import Draft202012Validator

from onething.domain import personal
from onething.messages import Messages, load_messages
from onething.templating import make_environment

if TYPE_CHECKING:
    from onething.services.citizens import IdCipher

SEALED = "enc:"
UNREADABLE_MASK = "****"
log = logging.getLogger("onething.forms")


class Unreadable(str):
    """A stored value that looks sealed but does not open under the key: kept as it is (the right
    key may come back), never sealed twice, shown as ``UNREADABLE_MASK``."""



@functools.cache
def _messages() -> Messages:
    return load_messages(make_environment())


def _say(problem: str, label: str | None = None) -> str:
    """A problem's words, from the catalogue (``form.<problem>`` in templates/messages/rules.yaml)."""
    messages = _messages()
    return messages.render(f"form.{problem}" if f"form.{problem}" in messages else "form.invalid", label=label)


def form_problems(schema: Mapping[str, Any], form: Any, *, complete: bool) -> dict[str, str]:
    """``{field: 中文说明}`` for every problem; a draft (``complete=False``) may leave fields empty."""
    if not isinstance(form, dict):
        return {"form": _say("not_object")}
    problems: dict[str, str] = {}
    for error in Draft202012Validator(schema).iter_errors(form):
        if error.validator == "required" and not complete:
            continue
        if error.validator == "required":
            for field in error.validator_value:
                if field not in (error.instance or {}):
                    path = ".".join(str(p) for p in [*error.absolute_path, field])
                    problems.setdefault(path, _say("required", _title(schema, field)))
            continue
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for field in extra:
                problems.setdefault(field, _say("unknown_field"))
            continue
        path = ".".join(str(p) for p in error.absolute_path) or "form"
        field = next((str(p) for p in error.absolute_path if isinstance(p, str)), "")
        problems.setdefault(path, _say(error.validator, _title(schema, field)))
    for path in _unreadable(schema, form):  # what no check can read is asked again, whatever else it failed
        problems[path] = _say("unreadable", _title(schema, path.split(".")[0]))
    return problems


def _unreadable(schema: Mapping[str, Any], form: Any) -> list[str]:
    found: list[str] = []
    personal.transform(schema, form, lambda kind, value, path: found.append(path) or value
                       if isinstance(value, Unreadable) else value)
    return found


def _title(schema: Mapping[str, Any], field: str) -> str | None:
    return schema.get("properties", {}).get(field, {}).get("title", field) if field else None  # the whole form


def seal(schema: Mapping[str, Any], form: Any, cipher: IdCipher) -> Any:
    """The form as stored: every personal value encrypted."""
    return personal.transform(schema, form, lambda kind, value, path: str(value) if isinstance(value, Unreadable)
                              else SEALED + cipher.encrypt(value))


def unseal(schema: Mapping[str, Any], stored: Any, cipher: IdCipher, case_id: int | None = None) -> Any:
    """The form as entered. A value not sealed (written before sealing) is read as it is; one that
    does not open is ``Unreadable``, and a warning names the case and the field, never the value."""
    def open_(kind: str, value: str, path: str) -> str:
        if not value.startswith(SEALED):
            return value
        try:
            return cipher.decrypt(value[len(SEALED):])
        except (InvalidToken, ValueError):
            log.warning("a sealed form field does not open under the current key",
                        extra={"application": case_id, "field": path})
            return Unreadable(value)
    return personal.transform(schema, stored, open_)


def mask(kind: str, value: str) -> str:
    """A personal value as answers show it (``personal.keep_masked`` compares echoes with this)."""
    return UNREADABLE_MASK if isinstance(value, Unreadable) else personal.MASKS[kind](value)


def shown(schema: Mapping[str, Any], stored: Any, cipher: IdCipher, case_id: int | None = None) -> Any:
    """The form as every answer shows it: personal values masked."""
    return personal.transform(schema, unseal(schema, stored, cipher, case_id),
                              lambda kind, value, path: mask(kind, value))
