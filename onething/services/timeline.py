"""The applicant's timeline: each step of their case as a sentence, never as our codes.

The audit trail keeps what happened in the form the back office reads (action codes, material and
item codes, a document's size and hash); the applicant reads each entry as a sentence written in
``templates/timeline.txt.j2``, one macro per action, with the catalog's names for materials and
items.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from onething.domain.catalog import Catalog
from onething.templating import make_environment

TEMPLATE = "timeline.txt.j2"
# Actions whose note starts with the code of the document they are about ("code（…）", "code：why").
ABOUT_A_MATERIAL = ("attach_material", "owed_received", "owed_waived")
_OWED_LATE = re.compile(r"容缺材料 (\S+) 逾期")
_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")  # what a catalog code looks like: lease-contract


@functools.cache
def _sentences() -> Any:
    return make_environment().get_template(TEMPLATE).module


_HELPERS = ("about", "because", "other", "actor")


def knows(action: str) -> bool:
    return callable(getattr(_sentences(), action, None)) and action not in _HELPERS


def actor(role: str) -> str:
    """Who did a step, as the applicant reads it: their own role, the system, a courier, or staff."""
    return str(_sentences().actor(role)).strip()


def sentence(catalog: Catalog, entry: dict, *, owed: list[dict] = (), form: dict | None = None) -> str:
    """``entry`` as the audit trail gives it (action, note, item); ``owed`` the case's owed materials
    (the intake sentence names them), ``form`` the thing's form schema (for a field's title)."""
    action, note, item = entry["action"], entry.get("note") or "", entry.get("item")
    said = {"note": _named(catalog, note), "item": _item_name(catalog, item), "material": None, "wallet": False,
            "owed": [], "field": None, "reason": ""}
    if action in ABOUT_A_MATERIAL:
        code, _, rest = (re.split(r"([（：])", note, maxsplit=1) + ["", ""])[:3]
        said["material"] = _material_name(catalog, code.strip())
        said["wallet"] = "证照夹" in rest
        said["reason"] = rest if action == "owed_waived" else ""
    elif action == "suspended" and (late := _OWED_LATE.search(note)):
        said["material"] = _material_name(catalog, late[1])
    elif action == "accept":
        said["owed"] = [_material_name(catalog, o["material"]) for o in owed]
    elif action == "reveal_personal":
        said["field"] = _field_title(form or {}, note)
    macro = getattr(_sentences(), action if knows(action) else "other")
    return str(macro(said)).strip()


def _material_name(catalog: Catalog, code: str) -> str | None:
    material = catalog.materials.get(code)
    return material.name if material else None  # one the catalog no longer has: the template says so


def _item_name(catalog: Catalog, code: str | None) -> str | None:
    if not code:
        return None
    try:
        return catalog.item(code)[1].name
    except KeyError:
        return None


def _field_title(schema: dict, path: str) -> str:
    field = schema.get("properties", {}).get(path.split(".")[0], {})
    return field.get("title")


def _named(catalog: Catalog, note: str) -> str:
    """A note as the applicant reads it: a material's or an item's code becomes its name."""
    def name(found: re.Match) -> str:
        code = found[0]
        if code in catalog.materials:
            return f"《{catalog.materials[code].name}》"
        try:
            return f"《{catalog.item(code)[1].name}》"
        except KeyError:
            return code
    return _CODE.sub(name, note)
