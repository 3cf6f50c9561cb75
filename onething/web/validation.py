"""Reading what a request brings, against its route's declaration, before the handler runs.

Everything a client sends is checked here once: the JSON body (size, depth, text that a
database can store, then its schema), the query parameters (turned into their declared types,
then checked), the path parameters. A body or query that fails answers 422 ``invalid_field``
with every failing field and one Chinese line for each; a path parameter that fails is a 404,
as for any address that names nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from aiohttp import web
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from onething.domain.refusals import Refused

MAX_DEPTH = 10  # nesting of a JSON body: a form's fields sit at depth 3
MAX_JSON_BYTES = 256 * 1024
BODY = web.RequestKey("body", object)
QUERY = web.RequestKey("query", dict)
# NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded to UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
TYPE_NAMES = {"string": "文字", "integer": "整数", "number": "数字", "boolean": "true 或 false", "object": "对象",
              "array": "列表", "null": "空值"}
_INTEGER = re.compile(r"[+-]?\d{1,40}")


def validator(schema: dict) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)  # a wrong declaration fails at startup, not per request
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def body(request: web.Request) -> dict[str, Any]:
    """The checked JSON body of this request."""
    return request[BODY]


def query(request: web.Request) -> dict[str, Any]:
    """The checked query parameters of this request, in their declared types, defaults filled in."""
    return request[QUERY]


async def read_body(request: web.Request, checker: Draft202012Validator, max_bytes: int = MAX_JSON_BYTES) -> Any:
    if request.content_length is not None and request.content_length > max_bytes:
        raise Refused("payload_too_large", status=413)
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise Refused("payload_too_large", status=413)
    if not raw.strip():
        value: Any = {}
    else:
        try:
            value = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            raise Refused("invalid_json", status=400) from None
    fields = unstorable(value) or problems(checker, value)
    if fields:
        raise invalid(fields)
    return value


def parse_query(request: web.Request, declared: dict[str, dict], checker: Draft202012Validator) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, schema in declared.items():
        if name not in request.query:
            if "default" in schema:
                values[name] = schema["default"]
            continue
        values[name] = _coerce(request.query[name], schema)
    fields = unstorable(values) or problems(checker, values)
    if fields:
        raise invalid(fields)
    return values


def path_ok(request: web.Request, checkers: dict[str, Draft202012Validator], schemas: dict[str, dict]) -> bool:
    for name, checker in checkers.items():
        raw = request.match_info.get(name, "")
        if UNSTORABLE.search(raw) or not checker.is_valid(_coerce(raw, schemas[name])):
            return False
    return True


def _coerce(raw: str, schema: dict) -> Any:
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.fullmatch(raw.strip()):
        return int(raw)
    if kind == "boolean" and raw in ("true", "false", "1", "0"):
        return raw in ("true", "1")
    return raw


def invalid(fields: list[dict[str, Any]]) -> Refused:
    return Refused("invalid_field", status=422, details={"field": fields[0]["field"], "fields": fields})


def unstorable(value: Any) -> list[dict[str, Any]]:
    """Texts no database can keep, and nesting deeper than any declaration allows (no recursion)."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[Any, tuple, int]] = [(value, (), 1)]
    while stack and len(found) < 20:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth > MAX_DEPTH:
            found.append(_field(path, "depth", limit=MAX_DEPTH))
            continue
        if isinstance(item, dict):
            for key, entry in item.items():
                if UNSTORABLE.search(key):
                    found.append(_field(path, "text"))
                else:
                    stack.append((entry, (*path, key), depth + 1))
        elif isinstance(item, list):
            stack.extend((entry, (*path, i), depth + 1) for i, entry in enumerate(item))
        elif isinstance(item, str) and UNSTORABLE.search(item):
            found.append(_field(path, "text"))
    return found


def problems(checker: Draft202012Validator, value: Any) -> list[dict[str, Any]]:
    found = []
    for error in sorted(checker.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
        found.extend(_explain(error))
    return found


def _explain(error: ValidationError) -> Iterable[dict[str, Any]]:
    path, schema, kind = tuple(error.absolute_path), error.schema, str(error.validator)
    if kind == "required":
        properties = schema.get("properties", {})
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                yield _field((*path, name), "required", title=properties.get(name, {}).get("title"))
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        for name in sorted(set(error.instance) - known):
            yield _field((*path, name), "additionalProperties")
        return
    title = schema.get("title") if isinstance(schema, dict) else None
    if kind in ("maxLength", "minLength", "minimum", "maximum", "maxItems", "minItems", "maxProperties"):
        yield _field(path, kind, title=title, limit=error.validator_value)
    elif kind == "type":
        expected = error.validator_value
        names = [TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [expected])]
        yield _field(path, "type", title=title, expected="或".join(names))
    elif kind in ("enum", "const"):
        choices = error.validator_value if kind == "enum" else [error.validator_value]
        yield _field(path, "enum", title=title, choices=[str(c) for c in choices])
    elif kind in ("pattern", "format"):
        yield _field(path, kind, title=title)
    else:
        yield _field(path, "invalid", title=title)


def _field(path: tuple, kind: str, *, title: str | None = None, **params: Any) -> dict[str, Any]:
    name = ".".join(str(p) for p in path)
    label = title or (str(path[-1]) if path else "提交的内容")
    return {"field": name, "problem": kind, "label": label, **params}
