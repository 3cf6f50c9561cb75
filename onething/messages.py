"""The message catalogue: every refusal's Chinese text, by code, from ``templates/messages/*.yaml``.

Each entry is a Jinja2 template rendered in strict mode with the refusal's details, so a message
that names a value the refusal does not carry fails in the test that renders every entry, not in
front of a citizen. A code defined twice, or an entry that does not compile, stops startup.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import jinja2
import yaml

FALLBACK = "请求无法处理。"


class MessageCatalogError(ValueError):
    pass


class Messages:
    def __init__(self, env: jinja2.Environment, entries: dict[str, str]):
        try:
            self._templates = {code: env.from_string(text) for code, text in entries.items()}
        except jinja2.TemplateSyntaxError as exc:
            raise MessageCatalogError(f"message catalogue: {exc}") from None
        self.source = dict(entries)

    def __contains__(self, code: str) -> bool:
        return code in self._templates

    def render(self, code: str, **params: Any) -> str:
        template = self._templates.get(code)
        return template.render(**params).strip() if template is not None else FALLBACK


def load_entries() -> dict[str, str]:
    entries: dict[str, str] = {}
    folder = resources.files("onething.templates") / "messages"
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".yaml"):
            continue
        loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise MessageCatalogError(f"templates/messages/{file.name}: expected code: text entries")
        for code, text in loaded.items():
            if not isinstance(text, str):
                raise MessageCatalogError(f"templates/messages/{file.name}: {code}: expected a text")
            if code in entries:
                raise MessageCatalogError(f"templates/messages/{file.name}: {code} is defined twice")
            entries[code] = text
    return entries


def load_messages(env: jinja2.Environment) -> Messages:
    return Messages(env, load_entries())


@functools.cache
def shared_messages() -> Messages:
    """The catalogue for code that has no app at hand (a bare sub-app in a test, ``str(refusal)``),
    loaded once per process on first use."""
    from onething.templating import make_environment  # templating imports the web layer's nonce

    return load_messages(make_environment())
