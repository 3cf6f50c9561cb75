"""The JSON Schemas of what the service managers' views answer (projects, issues, enterprises,
messages, notices), as the presenters write them; the staff API and the mini-program declare
their responses with them. Extra properties are allowed: a view may grow."""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
MAYBE_STRING = {"type": ["string", "null"]}
MAYBE_INTEGER = {"type": ["integer", "null"]}


def shape(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    """An object with these properties, every one of them present unless ``required`` names some."""
    return {"type": "object", "properties": properties, "required": list(required or properties)}


def maybe(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def items_of(entry: dict[str, Any], **more: dict[str, Any]) -> dict[str, Any]:
    return shape({"items": {"type": "array", "items": entry}, **more})


PERSON = shape({"username": STRING, "display_name": STRING})
ISSUE = shape({
    "id": INTEGER, "project_id": INTEGER, "title": STRING, "detail": STRING, "department": STRING,
    "department_name": STRING, "requested_by": STRING, "state": STRING, "state_name": STRING,
    "level": shape({"index": INTEGER, "code": STRING, "name": STRING, "top": BOOLEAN}),
    "due_on": STRING, "overdue": BOOLEAN, "resolution": STRING, "reopened": INTEGER, "opened_by": STRING,
    "opened_at": STRING, "closed_at": MAYBE_STRING})
ISSUE_EVENT = shape({"action": STRING, "actor": STRING, "role": STRING, "from_state": STRING, "to_state": STRING,
                     "level": STRING, "due_on": STRING, "note": STRING, "at": STRING})
ISSUE_DETAIL = {**ISSUE, "properties": {**ISSUE["properties"], "events": {"type": "array", "items": ISSUE_EVENT}},
                "required": [*ISSUE["required"], "events"]}

PROJECT = shape({
    "id": INTEGER, "name": STRING, "level": STRING, "level_name": STRING, "stage": STRING, "stage_name": STRING,
    "enterprise": shape({"id": INTEGER, "name": STRING, "credit_code": STRING}), "manager": maybe(PERSON),
    "issues": shape({"active": INTEGER, "overdue": INTEGER, "next_due_on": MAYBE_STRING}), "created_at": STRING})
PROJECT_DETAIL = {**PROJECT, "properties": {**PROJECT["properties"], "managers": {"type": "array", "items": shape({
    "manager": maybe(PERSON), "assigned_by": STRING, "note": STRING, "at": STRING})}},
    "required": [*PROJECT["required"], "managers"]}
CONTACT_PROJECT = shape({"id": INTEGER, "name": STRING, "level": STRING, "stage": STRING, "enterprise": STRING,
                         "issues": {"type": "array", "items": ISSUE}})

ENTERPRISE = shape({"id": INTEGER, "name": STRING, "credit_code": STRING, "manager": MAYBE_STRING,
                    "created_at": STRING})
CASE = shape({"id": INTEGER, "number": STRING, "thing": STRING, "state": STRING, "tasks": {"type": "array"},
              "overdue": BOOLEAN, "warned": BOOLEAN}, "id", "number", "state", "tasks", "overdue", "warned")
ENTERPRISE_DETAIL = {**ENTERPRISE, "properties": {
    **ENTERPRISE["properties"],
    "contacts": {"type": "array", "items": shape({"id": INTEGER, "bound_via": STRING, "verified": BOOLEAN,
                                                  "on_wechat": BOOLEAN, "name": STRING})},
    "cases": {"type": "array", "items": CASE},
    "managers": {"type": "array", "items": shape({"manager": MAYBE_STRING, "assigned_by": STRING, "note": STRING,
                                                  "at": STRING})},
    "events": {"type": "array", "items": shape({"seq": INTEGER, "actor": STRING, "action": STRING, "note": STRING,
                                                "at": STRING})},
    "credit": {"type": ["object", "null"]}},
    "required": [*ENTERPRISE["required"], "contacts", "cases", "managers", "events", "credit"]}

DELIVERY = shape({"contact": INTEGER, "state": STRING, "channel": MAYBE_STRING, "error": STRING,
                  "sent_at": MAYBE_STRING, "read_at": MAYBE_STRING})
MESSAGE = shape({"id": INTEGER, "direction": STRING, "author": STRING, "kind": STRING, "text": STRING,
                 "filename": STRING, "file_url": MAYBE_STRING, "contact": MAYBE_INTEGER, "created_at": STRING,
                 "deliveries": {"type": "array", "items": DELIVERY}})
THREADS = items_of(shape({"id": INTEGER, "enterprise": STRING, "unseen": INTEGER, "last": shape({
    "direction": STRING, "kind": STRING, "text": STRING, "at": STRING})}))
THREAD = shape({"id": INTEGER, "enterprise": STRING, "messages": {"type": "array", "items": MESSAGE}})
BROADCAST = shape({"id": INTEGER, "enterprises": INTEGER, "deliveries": INTEGER})
BROADCAST_PROGRESS = shape({"id": INTEGER, "enterprises": INTEGER,
                            "states": {"type": "object", "additionalProperties": INTEGER}})

NOTICE = shape({"id": INTEGER, "kind": STRING, "text": STRING, "payload": {"type": "object"},
                "shared_with": MAYBE_STRING, "created_at": STRING, "read_at": MAYBE_STRING, "read_by": MAYBE_STRING})
INBOX = items_of(NOTICE, unread=INTEGER)
