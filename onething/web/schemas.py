"""Building blocks of the route declarations, with the limits the database columns set.

An id column is PostgreSQL ``integer`` (32 bits) and a page number is counted in the same range,
so neither can overflow a query; a text is at most what its column holds.
"""

from __future__ import annotations

from typing import Any

INT32_MAX = 2**31 - 1
ID = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
PAGE = {"type": "integer", "minimum": 1, "maximum": INT32_MAX, "default": 1, "title": "页码"}
DATE = {"type": "string", "format": "date", "maxLength": 10, "title": "日期"}
BOOLEAN = {"type": "boolean"}
CODE = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$"}


def text(max_length: int, title: str | None = None, *, min_length: int = 0, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length, **extra}
    if min_length:
        schema["minLength"] = min_length
    if title:
        schema["title"] = title
    return schema


def required_text(max_length: int, title: str | None = None, **extra: Any) -> dict[str, Any]:
    """A text that must be given and not blank."""
    return text(max_length, title, min_length=1, pattern=r"\S", **extra)


def enum(values, title: str | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values), **extra}
    if title:
        schema["title"] = title
    return schema


def integer(minimum: int, maximum: int, title: str | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": maximum, **extra}
    if title:
        schema["title"] = title
    return schema


def obj(properties: dict[str, dict], *, required: tuple[str, ...] | list[str] = (), extra: bool = False,
        **more: Any) -> dict[str, Any]:
    """A JSON object; unknown keys are refused unless ``extra``."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra, **more}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict, *, max_items: int, min_items: int = 0, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": items, "maxItems": max_items, **more}
    if min_items:
        schema["minItems"] = min_items
    return schema


def items_of(entry: dict) -> dict[str, Any]:
    """The ``{"items": [...]}`` envelope every list answers with."""
    return obj({"items": {"type": "array", "items": entry}}, required=("items",), extra=True)


OK = obj({"ok": {"type": "boolean"}}, required=("ok",), extra=True)
ANY_OBJECT = {"type": "object"}
