"""Every template renders, in strict mode, with what the code gives it."""

import dataclasses
from importlib import resources
from pathlib import Path

import pytest

from miniapp_api.app import ROUTES
from miniapp_api.openapi import document
from onething.domain.notice import notice_for
from onething.services.reference import load_catalog
from onething.templating import make_environment

CATALOG = load_catalog()
TEMPLATES = sorted(p.name for p in Path(str(resources.files("onething.templates"))).glob("*.j2"))


def notice_cases():
    for code, thing in sorted(CATALOG.things.items()):
        notice = notice_for(CATALOG, thing)
        yield code, {"notice": notice}, [thing.name, *(m.name for m in notice.materials)]


CASES = {
    "notice.html.j2": list(notice_cases()),
    "notice.txt.j2": list(notice_cases()),
    "api_docs.html.j2": [("all", {"spec": document(ROUTES)}, ["/api/v1/auth/login", "好差评"])],
    "bot_welcome.txt.j2": [("all", {"things": list(CATALOG.things.values())}, ["企业开办", "退休一件事"])],
    "bot_choose.txt.j2": [("two", {"things": [CATALOG.things["newborn"], CATALOG.things["retirement"]]},
                           ["1. 新生儿出生一件事", "2. 退休一件事"])],
    "bot_unknown.txt.j2": [("all", {"things": list(CATALOG.things.values())}, ["抱歉", "开办餐饮店"])],
    "bot_notice.txt.j2": [
        (code, {**context, "public_url": "https://example.gov.cn"}, [*expected, "https://example.gov.cn"])
        for code, context, expected in notice_cases()
    ],
}


def test_every_template_has_cases_here():
    assert set(TEMPLATES) == set(CASES), "add rendering cases for each new template"


@pytest.mark.parametrize("template, name, context, expected",
                         [(t, n, c, e) for t, cases in CASES.items() for n, c, e in cases])
def test_each_template_renders(template, name, context, expected):
    text = make_environment().get_template(template).render(**context)
    for fragment in expected:
        assert fragment in text


def test_html_pages_escape_what_they_show():
    hostile = dataclasses.replace(notice_for(CATALOG, CATALOG.things["newborn"]), summary="<script>alert(1)</script>")
    rendered = make_environment().get_template("notice.html.j2").render(notice=hostile)
    assert "<script>alert(1)" not in rendered and "&lt;script&gt;" in rendered
