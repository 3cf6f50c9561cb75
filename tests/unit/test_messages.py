"""The message catalogue: every entry renders in strict mode, and every refusal the code raises
without its own text has an entry (otherwise a person would read the generic fallback)."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import meta

from onething.messages import FALLBACK, MessageCatalogError, Messages, load_entries
from onething.templating import make_environment

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = load_entries()
SOURCES = ("bot", "miniapp_api", "staff_api", "courier_api", "carrier_api", "onething", "storage")
# a refusal raised by code alone: Refused("code"), Refused("code", status=…), ApiError("code", details=…)
RAISED = re.compile(r"\b(?!(?:Assertion|Value|Runtime|Type|Key|Lookup|OS)Error\()([A-Z]\w*(?:Refused|Refusal|Error))"
                    r"\(\s*\"([a-z][\w.]*)\"\s*(?:\)|,\s*\w+\s*=)")


class Sample:
    """Stands for any value a refusal's details may hold: a text, a number, a list, a mapping."""

    def __str__(self) -> str:
        return "示例"

    def __iter__(self):
        return iter([Sample(), Sample()])

    def __len__(self) -> int:
        return 2

    def __getattr__(self, name: str) -> "Sample":
        if name.startswith("__"):
            raise AttributeError(name)
        return Sample()

    def __getitem__(self, key) -> "Sample":
        return Sample()

    def __eq__(self, other) -> bool:
        return False

    __hash__ = object.__hash__

    def __lt__(self, other) -> bool:
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __int__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True


@pytest.mark.parametrize("code", sorted(ENTRIES))
def test_every_entry_renders_strictly_with_what_it_names(code):
    env = make_environment()
    names = meta.find_undeclared_variables(env.parse(ENTRIES[code]))
    text = Messages(env, {code: ENTRIES[code]}).render(code, **{name: Sample() for name in names})
    assert text and "{{" not in text and "{%" not in text
    assert re.search(r"[\u4e00-\u9fff]", text), f"{code}: a message for people is written in Chinese"


def test_every_refusal_raised_without_its_own_text_has_an_entry():
    raised = {}
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            for _, code in RAISED.findall(path.read_text(encoding="utf-8")):
                raised.setdefault(code, str(path.relative_to(ROOT)))
    missing = {code: where for code, where in raised.items() if code not in ENTRIES}
    assert missing == {}


def test_a_missing_value_fails_instead_of_leaving_a_blank():
    messages = Messages(make_environment(), {"x": "{{ label }}不能为空"})
    with pytest.raises(jinja2.UndefinedError):
        messages.render("x")
    assert messages.render("unknown") == FALLBACK


def test_a_broken_entry_stops_startup_naming_it():
    with pytest.raises(MessageCatalogError, match="message catalogue"):
        Messages(make_environment(), {"x": "{% if %}"})
