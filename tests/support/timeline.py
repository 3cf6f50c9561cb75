"""What the applicant's timeline must never show: our action codes, catalog codes, hashes."""

from __future__ import annotations

import json
import re

HEX = re.compile(r"[0-9a-f]{12,}")  # a hash prefix (documents are traced with sha256 for the staff)
ACTION = re.compile(r"\b[a-z]+_[a-z_]+\b")  # attach_material, choose_delivery…


def assert_no_codes(timeline: list[dict], codes: set[str]) -> None:
    shown = json.dumps(timeline, ensure_ascii=False)
    assert not HEX.search(shown), HEX.search(shown)
    assert not ACTION.search(shown), ACTION.search(shown)
    assert not [code for code in codes if code in shown]
    for entry in timeline:
        assert set(entry) == {"seq", "at", "actor", "text"} and entry["text"], entry
