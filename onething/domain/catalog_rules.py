"""Building the catalog from plain data, refused as a whole when anything breaks the rules.

Tell once and completely (no vague materials, every item with its limits); one form (every
field an item uses is in it, nothing asked that no item needs, personal data marked as such); stages that can be run (no
cycles, every item in exactly one stage); promised limits within the legal ones. Every error
names the file and the entry. The clock rules (warnings, joint handling) are in catalog_limits.
"""

from __future__ import annotations

import re
from typing import Any

from .catalog import Catalog, Department, Item, Material, Produces, Requirement, Stage, Thing
from .catalog_limits import JOINT_HANDLING_LIMIT, catalog_warning, item_limits
from .personal import schema_problems as personal_problems
VAGUE_MATERIAL = re.compile(r"其[他它](材料|证明|资料)|(有关|相关)(材料|证明|资料)|等(材料|资料|证明)?$|等其他")
CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HANDOVERS = ("paper", "seal", "none")
AUDIENCES = ("person", "enterprise")


class CatalogInvalid(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("the catalog has errors:\n  - " + "\n  - ".join(errors))


def build_catalog(
    departments: tuple[str, Any], materials: tuple[str, Any], things: list[tuple[str, Any]],
    limits: tuple[str, Any] | None = None,
) -> Catalog:
    """Build from ``(file name, parsed data)`` pairs; raise CatalogInvalid naming file and entry.

    ``limits`` holds the catalog's default warning rule; without it, the built-in default."""
    errors: list[str] = []
    warning = catalog_warning(limits, errors)
    dept_file, dept_data = departments
    depts = {}
    for i, raw in enumerate(_list(dept_data, "departments", dept_file, errors)):
        where = f"{dept_file}: departments[{i}] {raw.get('code', '?')}"
        if _code(raw, where, errors) and _text(raw, "name", where, errors):
            depts[raw["code"]] = Department(raw["code"], raw["name"])
    mat_file, mat_data = materials
    mats = {}
    for i, raw in enumerate(_list(mat_data, "materials", mat_file, errors)):
        where = f"{mat_file}: materials[{i}] {raw.get('code', '?')}"
        if not (_code(raw, where, errors) and _text(raw, "name", where, errors)):
            continue
        if VAGUE_MATERIAL.search(raw["name"]):
            errors.append(f"{where}: vague material name {raw['name']!r}: name the exact document")
        size = raw.get("max_size_mb")
        if not isinstance(size, int) or not 1 <= size <= 50:
            errors.append(f"{where}: max_size_mb must be a whole number of MB between 1 and 50")
            size = 10
        mats[raw["code"]] = Material(raw["code"], raw["name"], str(raw.get("description", "")), size,
                                     bool(raw.get("reusable", False)))
    built: dict[str, Thing] = {}
    seen_items: dict[str, str] = {}
    for file, raw in things:
        thing = _thing(file, raw, depts, mats, seen_items, warning, errors)
        if thing is not None:
            if thing.code in built:
                errors.append(f"{file}: thing code {thing.code!r} is used twice")
            built[thing.code] = thing
    if errors:
        raise CatalogInvalid(errors)
    return Catalog(depts, mats, built, warning)


def _thing(file, raw, depts, mats, seen_items, warning, errors) -> Thing | None:
    if not isinstance(raw, dict):
        errors.append(f"{file}: expected a mapping")
        return None
    where = f"{file}: thing {raw.get('code', '?')}"
    before = len(errors)
    _code(raw, where, errors)
    for key in ("name", "summary"):
        _text(raw, key, where, errors)
    if raw.get("audience") not in AUDIENCES:
        errors.append(f"{where}: audience must be person or enterprise")
    if raw.get("lead_department") not in depts:
        errors.append(f"{where}: unknown lead department {raw.get('lead_department')!r}")
    if raw.get("trips") not in (0, 1):
        errors.append(f"{where}: trips must be 0 or 1")
    form = raw.get("form")
    properties = form.get("properties", {}) if isinstance(form, dict) else {}
    if not isinstance(form, dict) or not properties:
        errors.append(f"{where}: form must be a JSON Schema object with properties")
    for field in (form or {}).get("required", []) if isinstance(form, dict) else []:
        if field not in properties:
            errors.append(f"{where}: form requires {field!r}, which it does not define")
    errors.extend(personal_problems(form, where) if isinstance(form, dict) else [])
    items: dict[str, Item] = {}
    for i, raw_item in enumerate(raw.get("items") or []):
        item = _item(f"{where}: items[{i}] {raw_item.get('code', '?')}", raw_item, depts, mats, properties,
                     warning, errors)
        if item is None:
            continue
        if item.code in seen_items:
            errors.append(f"{where}: item {item.code!r} is also in {seen_items[item.code]}")
        seen_items[item.code] = file
        items[item.code] = item
    if not items:
        errors.append(f"{where}: a thing needs at least one item")
    used_fields = {f for item in items.values() for f in item.fields}
    for field in properties:
        if field not in used_fields:
            errors.append(f"{where}: form field {field!r} is used by no item: ask only what is needed")
    stages = _stages(where, raw.get("stages") or [], items, errors)
    if len(errors) > before:
        return None
    thing = Thing(
        code=raw["code"], name=raw["name"], summary=raw["summary"],
        keywords=tuple(str(k) for k in raw.get("keywords") or ()), audience=raw["audience"],
        lead_department=raw["lead_department"], trips=raw["trips"], postable=bool(raw.get("postable")),
        items=items, stages=stages, form=form, aliases=tuple(str(a) for a in raw.get("aliases") or ()),
    )
    if thing.promised_days() > JOINT_HANDLING_LIMIT:
        errors.append(f"{where}: promises {thing.promised_days()} working days, more than the legal "
                      f"{JOINT_HANDLING_LIMIT} for joint handling")
        return None
    return thing


def _item(where, raw, depts, mats, form_fields, warning, errors) -> Item | None:
    before = len(errors)
    if not isinstance(raw, dict):
        errors.append(f"{where}: expected a mapping")
        return None
    _code(raw, where, errors)
    _text(raw, "name", where, errors)
    if raw.get("department") not in depts:
        errors.append(f"{where}: unknown department {raw.get('department')!r}")
    legal, promised = raw.get("legal_limit"), raw.get("promised_limit")
    if not isinstance(legal, int) or not isinstance(promised, int):
        errors.append(f"{where}: legal_limit and promised_limit (working days) are required")
    elif not 1 <= promised <= legal:
        errors.append(f"{where}: promised limit {promised} must be between 1 and the legal limit {legal}")
    if not isinstance(raw.get("fee"), int) or raw["fee"] < 0:
        errors.append(f"{where}: fee must be a whole number of fen, 0 or more")
    for field in raw.get("fields") or []:
        if field not in form_fields:
            errors.append(f"{where}: field {field!r} is not in the thing's form")
    produces = raw.get("produces") or {}
    if not produces.get("name") or produces.get("handover") not in HANDOVERS:
        errors.append(f"{where}: produces needs a name and a handover of paper, seal or none")
    stands_for = _stands_for(produces, where, mats, errors)
    joint, warning = item_limits(raw, where, warning, errors)
    requirements = []
    for req in raw.get("materials") or []:
        code = req.get("code") if isinstance(req, dict) else None
        if code not in mats:
            errors.append(f"{where}: unknown material {code!r}")
        else:
            requirements.append(Requirement(code, bool(req.get("deferrable", False))))
    if len(errors) > before:
        return None
    return Item(
        code=raw["code"], name=raw["name"], department=raw["department"], legal_limit=legal,
        promised_limit=promised, fee=raw["fee"], tacit_approval=bool(raw.get("tacit_approval")),
        fields=tuple(raw.get("fields") or ()),
        produces=Produces(produces["name"], bool(produces.get("number")), produces["handover"],
                          bool(produces.get("electronic")), stands_for),
        materials=tuple(requirements), joint_handling=joint, warning=warning,
    )


def _stands_for(produces: dict, where: str, mats: dict, errors: list[str]) -> tuple[str, ...]:
    """A certificate stands in only for a reusable material, and only an electronic one can be reused."""
    codes = produces.get("stands_for") or []
    if codes and not produces.get("electronic"):
        errors.append(f"{where}: only an electronic certificate can stand for a material")
    for code in codes:
        if code not in mats or not mats[code].reusable:
            errors.append(f"{where}: a certificate can stand only for a known reusable material, not {code!r}")
    return tuple(codes)


def _stages(where, raw_stages, items, errors) -> tuple[Stage, ...]:
    stages: dict[str, Stage] = {}
    placed: dict[str, str] = {}
    for i, raw in enumerate(raw_stages):
        here = f"{where}: stages[{i}] {raw.get('code', '?')}"
        if not _code(raw, here, errors):
            continue
        stage = Stage(raw["code"], str(raw.get("name", raw["code"])), tuple(raw.get("items") or ()),
                      tuple(raw.get("after") or ()))
        if not stage.items:
            errors.append(f"{here}: a stage needs at least one item")
        for code in stage.items:
            if code not in items:
                errors.append(f"{here}: unknown item {code!r}")
            elif code in placed:
                errors.append(f"{here}: item {code!r} is already in stage {placed[code]!r}")
            placed[code] = stage.code
        stages[stage.code] = stage
    for code in items:
        if code not in placed:
            errors.append(f"{where}: item {code!r} is in no stage")
    for stage in stages.values():
        for dep in stage.after:
            if dep not in stages:
                errors.append(f"{where}: stage {stage.code!r} comes after unknown stage {dep!r}")
    ordered: list[Stage] = []
    done: set[str] = set()
    pending = dict(stages)
    while pending:
        ready = [s for s in pending.values() if all(d in done or d not in stages for d in s.after)]
        if not ready:
            errors.append(f"{where}: stages {sorted(pending)} depend on each other in a cycle")
            break
        for stage in ready:
            ordered.append(stage)
            done.add(stage.code)
            del pending[stage.code]
    return tuple(ordered)


def _list(data, key, file, errors) -> list[dict]:
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        errors.append(f"{file}: expected a list under {key!r}")
        return []
    return [e if isinstance(e, dict) else {} for e in entries]


def _code(raw, where, errors) -> bool:
    if not isinstance(raw.get("code"), str) or not CODE.match(raw["code"]):
        errors.append(f"{where}: code must be lower-case ascii words joined by '-'")
        return False
    return True


def _text(raw, key, where, errors) -> bool:
    if not isinstance(raw.get(key), str) or not raw[key].strip():
        errors.append(f"{where}: {key} is required")
        return False
    return True
