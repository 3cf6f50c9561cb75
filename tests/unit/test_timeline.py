"""The applicant's timeline reads as sentences: every action the trail records has one, by names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onething.domain.shipment import RESULT
from onething.domain.states import TRANSITIONS
from onething.services import timeline
from onething.services.reference import load_catalog
from tests.support.timeline import assert_no_codes

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("onething", "miniapp_api", "staff_api", "courier_api", "carrier_api", "bot")
CATALOG = load_catalog()
MATERIAL = "premises-use-proof"
ITEM = "business-licence"


def recorded_actions() -> set[str]:
    """Every action the code can write to a case's trail: the case's moves, the domain's events,
    and what services and handlers trace with ``case_store.record``."""
    found = {action for _, action in TRANSITIONS}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r'Event\(\s*"([a-z_]+)"', text))
            for action in re.findall(r'case_store\.record\([^"]*?f?"([a-z_{}.]+)"', text, flags=re.S):
                if "{" in action:  # shipment_{scan_.action}: one per courier action
                    found |= {re.sub(r"\{.*\}", a, action) for a in RESULT}
                else:
                    found.add(action)
    return found


def entry(action: str) -> dict:
    notes = {
        "attach_material": f"{MATERIAL}（204800字节，sha256 0123456789abcdef）",
        "owed_received": MATERIAL, "owed_waived": f"{MATERIAL}：已通过部门共享核验",
        "suspended": f"容缺材料 {MATERIAL} 逾期未补交，暂停办理", "reveal_personal": "legal_rep_id_number",
        "return": "公司章程未签字", "evaluate": "5分（非常满意）", "choose_delivery": "邮寄",
        "warned": "距承诺办理期限（2026-03-04）还剩1个工作日",
    }
    return {"seq": 1, "at": "2026-03-02T02:00:00+00:00", "actor": "申请人", "action": action,
            "note": notes.get(action, ""), "item": ITEM if action.endswith("_item") or action == "warned" else None}


def test_the_trail_records_the_actions_this_test_knows():
    found = recorded_actions()
    assert {"attach_material", "submit", "accept", "approve_item", "shipment_pickup", "reveal_personal"} <= found


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_recorded_action_reads_as_a_sentence_without_codes(action):
    assert timeline.knows(action), f"templates/timeline.txt.j2 has no sentence for {action}"
    thing = CATALOG.things["business-opening"]
    said = timeline.sentence(CATALOG, entry(action), owed=[{"material": MATERIAL}], form=thing.form)
    assert said and not re.search(r"[a-z]{3,}", said), said
    assert_no_codes([{"seq": 1, "at": "", "actor": "申请人", "text": said}], codes={MATERIAL, ITEM, action})


def test_documents_and_items_are_named_from_the_catalog():
    name = CATALOG.materials[MATERIAL].name
    assert timeline.sentence(CATALOG, entry("attach_material")) == f"上传了材料《{name}》"
    assert timeline.sentence(CATALOG, {"action": "attach_material", "note": f"{MATERIAL}（证照夹调用）"}) == (
        f"从证照夹调用了材料《{name}》")
    assert timeline.sentence(CATALOG, {"action": "accept", "note": ""}, owed=[{"material": MATERIAL}]) == (
        f"窗口受理，容缺材料：{name}")
    assert timeline.sentence(CATALOG, entry("warned")) == (
        f"事项《{CATALOG.item(ITEM)[1].name}》距承诺办理期限（2026-03-04）还剩1个工作日")
    assert timeline.sentence(CATALOG, {"action": "suspended", "note": entry("suspended")["note"]}) == (
        f"容缺材料《{name}》逾期未补交，暂停办理")


def test_an_action_without_a_sentence_yet_and_a_code_the_catalog_lost_show_no_code():
    assert timeline.sentence(CATALOG, {"action": "something_new", "note": ""}) == "办件有新的进展"
    assert timeline.sentence(CATALOG, {"action": "attach_material", "note": "gone-material（1字节）"}) == (
        "上传了材料《一项材料》")
