"""What the back office answers, as JSON Schema: the ``response`` of its route declarations.

Each lists the fields a client relies on with their types (``null`` where a field may be empty)
and allows more: a view may gain a field without breaking the contract.
"""

from __future__ import annotations

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
LIST = {"type": "array"}
OBJECT = {"type": "object"}


def maybe(kind: str) -> dict:
    return {"type": [kind, "null"]}


def shape(required: dict[str, dict], **optional: dict) -> dict:
    """An object with these fields, ``required`` always present; further fields allowed."""
    return {"type": "object", "required": list(required), "properties": {**required, **optional},
            "additionalProperties": True}


TASK = shape({
    "id": INTEGER, "item": STRING, "name": STRING, "department": STRING, "department_name": STRING,
    "stage": STRING, "state": STRING, "state_name": STRING, "started_on": maybe("string"),
    "due_on": maybe("string"), "due_at": maybe("string"), "legal_due_on": maybe("string"),
    "paused_days": INTEGER, "pause": maybe("string"), "warned": BOOLEAN, "overdue": BOOLEAN,
    "legal_overdue": BOOLEAN, "red_card": BOOLEAN, "grade": STRING, "extension": maybe("object"), "result_number": STRING, "note": STRING,
    "problems": LIST, "application_id": INTEGER,
})
SUMMARY = shape({
    "id": INTEGER, "number": STRING, "thing": STRING, "thing_name": STRING, "state": STRING, "state_name": STRING,
    "submitted_at": maybe("string"), "intake_due_on": maybe("string"), "suspended_since": maybe("string"),
})
MATERIAL = shape({
    "material": STRING, "name": STRING, "filename": maybe("string"), "content_type": STRING, "size": INTEGER,
    "sha256": STRING, "intact": BOOLEAN, "download_url": maybe("string"),
    # an issued certificate standing in for the material: its task, item and the case that issued it
    "certificate": maybe("object"),
})
FLAG = shape({
    "id": INTEGER, "subject": STRING, "who": STRING, "active": BOOLEAN, "reason": STRING, "document": STRING,
    "updated_by": STRING, "updated_at": STRING,
}, history={"type": "array", "items": shape({"action": STRING, "actor": STRING, "role": STRING,
                                             "reason": STRING, "document": STRING, "at": STRING})})
CREDIT = shape({"blacklisted": BOOLEAN, "flags": {"type": "array", "items": FLAG}})
DETAIL = {**SUMMARY, "required": [*SUMMARY["required"], "form", "problems", "owed", "tasks", "timeline",
                                  "materials", "credit"],
          "properties": {**SUMMARY["properties"], "form": OBJECT, "problems": LIST, "owed": LIST,
                         "expected_completion_on": maybe("string"), "grade": STRING,
                         "tasks": {"type": "array", "items": {**TASK, "properties": {
                             **TASK["properties"], "certificate_url": maybe("string")}}},
                         "timeline": {"type": "array", "items": OBJECT},
                         "materials": {"type": "array", "items": MATERIAL}, "credit": CREDIT}}
THING = shape({"code": STRING, "name": STRING, "audience": STRING, "promised_days": INTEGER})
NOTICE = shape({"thing": STRING, "name": STRING, "summary": STRING, "audience": STRING, "lead_department": STRING,
                "materials": LIST, "steps": LIST, "total_fee": INTEGER, "promised_days": INTEGER,
                "legal_days": INTEGER, "trips": INTEGER, "postable": BOOLEAN})
LOGIN = shape({"token": STRING, "expires_in": INTEGER, "user": shape({
    "username": STRING, "role": STRING, "department": maybe("string")})})
NOTIFICATION = shape({
    "id": INTEGER, "application_id": maybe("integer"), "number": maybe("string"), "kind": STRING,
    "payload": OBJECT, "state": STRING, "channel": maybe("string"), "failed_channels": LIST, "attempts": INTEGER,
    "last_error": STRING, "next_attempt_at": maybe("string"), "created_at": STRING, "sent_at": maybe("string"),
})
OUTBOX = shape({"items": {"type": "array", "items": NOTIFICATION}, "page": INTEGER, "counts": OBJECT})
SCENE_CODE = shape({"scene": STRING, "url": STRING, "image_url": maybe("string"), "expires_in": INTEGER})
FOLLOW_UP = shape({"id": INTEGER, "application_id": INTEGER, "number": STRING, "score": INTEGER,
                   "comment": STRING, "due_on": STRING, "overdue": BOOLEAN})
CLOSED = shape({"id": INTEGER, "closed": BOOLEAN})
REVEALED = shape({"field": STRING, "title": STRING, "value": STRING})
EXTENSION_REQUEST = {**TASK, "required": [*TASK["required"], "number"],
                     "properties": {**TASK["properties"], "number": STRING}}
LEDGER = shape({"month": STRING, "by": STRING, "rows": {"type": "array", "items": shape({
    "key": maybe("string"), "name": STRING, "opened": INTEGER, "open": INTEGER, "closed": INTEGER,
    "overdue": INTEGER, "escalated": INTEGER})}, "totals": OBJECT})
_FIGURE_LIST = {"type": "array", "items": shape({"key": STRING, "name": STRING, "figures": OBJECT, "cases": OBJECT})}
FIGURES = shape({"period": STRING, "label": STRING, "start": STRING, "end": STRING, "filters": OBJECT,
                 "figures": shape({"received": INTEGER, "on_time_pct": maybe("number"), "p90_days": maybe("integer"),
                                   "satisfaction_pct": maybe("number"), "rating_distribution": OBJECT}),
                 "cases": OBJECT, "rows": _FIGURE_LIST})
FIGURE_CASES = shape({"fact": STRING, "period": STRING, "page": INTEGER, "total": INTEGER, "items": {
    "type": "array", "items": shape({"application_id": INTEGER, "number": STRING, "thing": STRING, "state": STRING,
                                     "grade": STRING, "day": STRING, "department": STRING, "item": STRING})}})
HTML = STRING
TEXT = STRING
