"""A case as the console's pages show it: the back office's view (``staff_cases.detail``, with
its authorisation) plus what a person reads on a page rather than a program: the form as rows,
the timeline in sentences, previews of the documents, and what an intake decision may pick.
"""

from __future__ import annotations

from typing import Any, Mapping

from onething.domain.catalog import Catalog
from onething.services import staff_cases, timeline
from onething.services.staff import StaffSession



def form_rows(schema: Mapping[str, Any], values: Mapping[str, Any], prefix: str = "") -> list[dict]:
    """Each answered field as (path, title, shown value, personal); nested objects flattened."""
    rows = []
    for name, spec in schema.get("properties", {}).items():
        if name not in values:
            continue
        path, value = f"{prefix}{name}", values[name]
        if spec.get("type") == "object" and isinstance(value, dict):
            rows += form_rows(spec, value, f"{path}.")
            continue
        shown = "；".join(_entry(spec.get("items", {}), v) for v in value) if isinstance(value, list) else value
        rows.append({"path": path, "title": spec.get("title", name), "value": "" if shown is None else str(shown),
                     "personal": bool(spec.get("personal"))})
    return rows


def _entry(schema: Mapping[str, Any], value: Any) -> str:
    """One entry of a list field: an object's answers as "title：value", anything else as it is."""
    if not isinstance(value, dict):
        return str(value)
    titles = schema.get("properties", {})
    return "，".join(f"{titles.get(k, {}).get('title', k)}：{v}" for k, v in value.items())


async def case_page(catalog: Catalog, cipher, store, session: StaffSession, application_id: int) -> dict:
    view = await staff_cases.detail(catalog, cipher, store, session, application_id, previews=True)  # 404 if not theirs
    thing = catalog.things[view["thing"]]
    view["form_rows"] = form_rows(thing.form, view["form"])
    view["fields"] = [{"path": name, "title": spec.get("title", name)}
                      for name, spec in thing.form.get("properties", {}).items()]
    view["sentences"] = [{"at": e["at"], "actor": e["actor"],
                          "text": timeline.sentence(catalog, e, owed=view["owed"], form=thing.form)}
                         for e in view["timeline"]]
    view["required"] = [{"code": code, "name": catalog.materials[code].name, "deferrable": deferrable}
                        for code, deferrable in thing.required_materials().items()]
    view["owed_shown"] = [{"name": catalog.materials[o["material"]].name if o["material"] in catalog.materials
                           else o["material"], "due_on": o.get("due_on", ""), "received": o.get("received", False)}
                          for o in view["owed"]]
    return view

