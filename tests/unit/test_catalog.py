import copy

import pytest

from onething.domain.catalog_rules import CatalogInvalid
from onething.domain.notice import notice_for
from onething.services.reference import load_catalog
from tests.support.builders import MATERIALS, catalog, item, thing


def errors_of(*things, materials=None) -> str:
    with pytest.raises(CatalogInvalid) as caught:
        catalog(*things, materials=materials)
    return "\n".join(caught.value.errors)


def test_the_shipped_catalog_loads_with_the_six_standard_things():
    shipped = load_catalog()
    assert {"business-opening", "construction-permit", "newborn", "resale-housing-transfer",
            "restaurant-opening", "retirement"} <= set(shipped.things)
    opening = shipped.things["business-opening"]
    assert opening.postable and opening.trips == 0 and opening.audience == "enterprise"
    assert shipped.things["construction-permit"].promised_days() <= 5


@pytest.mark.parametrize("name", ["其他材料", "有关材料", "相关证明", "营业执照等", "其它证明文件"])
def test_vague_materials_are_refused_by_file_and_entry(name):
    materials = copy.deepcopy(MATERIALS)
    materials["materials"][2]["name"] = name
    text = errors_of(materials=materials)
    assert "materials.yaml: materials[2] lease: vague material name" in text


def test_unknown_departments_and_materials_are_named():
    bad = thing(items=[item("licence", department="tax"), item("seal", materials=(("passport", False),))])
    text = errors_of(bad)
    assert "opening.yaml: thing opening: items[0] licence: unknown department 'tax'" in text
    assert "items[1] seal: unknown material 'passport'" in text


def test_stage_cycles_and_items_in_no_stage_are_refused():
    cyclic = thing(stages=[{"code": "one", "after": ["two"], "items": ["licence"]},
                           {"code": "two", "after": ["one"], "items": ["seal"]}])
    assert "depend on each other in a cycle" in errors_of(cyclic)
    orphan = thing(stages=[{"code": "one", "items": ["licence"]}])
    assert "item 'seal' is in no stage" in errors_of(orphan)


def test_limits_are_required_and_promised_within_legal():
    missing = item("licence")
    del missing["legal_limit"]
    assert "legal_limit and promised_limit (working days) are required" in errors_of(thing(items=[missing, item("seal")]))
    too_long = thing(items=[item("licence", legal=3, promised=5), item("seal")])
    assert "promised limit 5 must be between 1 and the legal limit 3" in errors_of(too_long)


def test_one_form_asks_every_field_once_and_only_what_items_use():
    unused = thing(form_fields=("name", "hobby"))
    assert "form field 'hobby' is used by no item" in errors_of(unused)
    missing = thing(items=[item("licence", fields=("name", "capital")), item("seal")])
    assert "field 'capital' is not in the thing's form" in errors_of(missing)


def test_the_notice_lists_each_material_once_with_the_items_needing_it():
    shared = thing(items=[item("licence", materials=(("id-card", False), ("lease", True))),
                          item("seal", department="police", materials=(("id-card", False), ("lease", False)))])
    notice = notice_for(built := catalog(shared), built.things["opening"])
    by_code = {m.code: m for m in notice.materials}
    assert list(by_code) == ["id-card", "lease"]
    assert by_code["id-card"].needed_by == ("事项licence", "事项seal")
    assert by_code["lease"].deferrable is False  # deferrable only if every item needing it allows it


def test_promised_time_is_the_critical_path_through_the_stages():
    parallel = thing(
        items=[item("a", promised=2), item("b", promised=5), item("c", promised=1), item("d", promised=3)],
        stages=[{"code": "s1", "items": ["a"]}, {"code": "s2", "after": ["s1"], "items": ["b", "c"]},
                {"code": "s3", "after": ["s1"], "items": ["d"]}],
    )
    assert catalog(parallel).things["opening"].promised_days() == 2 + 5


def test_the_business_opening_notice_is_complete():
    shipped = load_catalog()
    notice = notice_for(shipped, shipped.things["business-opening"])
    assert notice.steps[0].items[0].name == "企业设立登记"
    assert len({m.code for m in notice.materials}) == len(notice.materials)
    assert notice.promised_days == shipped.things["business-opening"].promised_days()
    assert all(step.items for step in notice.steps)


def test_the_business_licence_stands_for_the_licence_copy_later_things_ask_for():
    shipped = load_catalog()
    for code in ("business-licence", "restaurant-business-licence"):
        assert shipped.item(code)[1].produces.stands_for == ("business-licence-copy",)
    assert "business-licence-copy" in shipped.things["construction-permit"].required_materials()


def with_certificate(stands_for: list[str], electronic: bool = True) -> dict:
    licence = item("licence")
    licence["produces"] = {**licence["produces"], "electronic": electronic, "stands_for": stands_for}
    return thing(items=[licence, item("seal", department="police", materials=(("lease", True),))])


def test_a_certificate_stands_only_for_a_known_reusable_material_and_only_electronically():
    assert catalog(with_certificate(["id-card"])).item("licence")[1].produces.stands_for == ("id-card",)
    for wrong in (["lease"], ["passport"]):  # not reusable; unknown
        assert f"a certificate can stand only for a known reusable material, not {wrong[0]!r}" in \
            errors_of(with_certificate(wrong))
    assert "only an electronic certificate can stand for a material" in \
        errors_of(with_certificate(["id-card"], electronic=False))
