"""Every template renders, in strict mode, with what the code gives it."""

import dataclasses

from importlib import resources
from pathlib import Path

import pytest

from onething.domain.notice import notice_for
from onething.services.reference import load_catalog
from onething.templating import make_environment

CATALOG = load_catalog()
TEMPLATES = sorted(p.name for p in Path(str(resources.files("onething.templates"))).glob("*.j2"))
CONTEXTS = {
    "notice.html.j2": lambda thing: {"notice": notice_for(CATALOG, thing)},
    "notice.txt.j2": lambda thing: {"notice": notice_for(CATALOG, thing)},
}


def test_every_template_has_a_context_here():
    assert set(TEMPLATES) == set(CONTEXTS), "add a context for each new template"


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("thing", sorted(CATALOG.things))
def test_each_template_renders_for_each_thing(template, thing):
    text = make_environment().get_template(template).render(**CONTEXTS[template](CATALOG.things[thing]))
    assert CATALOG.things[thing].name in text
    for material in notice_for(CATALOG, CATALOG.things[thing]).materials:
        assert material.name in text


def test_html_pages_escape_what_they_show():
    hostile = dataclasses.replace(notice_for(CATALOG, CATALOG.things["newborn"]), summary="<script>alert(1)</script>")
    rendered = make_environment().get_template("notice.html.j2").render(notice=hostile)
    assert "<script>alert(1)" not in rendered and "&lt;script&gt;" in rendered
