"""The console's page table: who may open what, and what each post's header lists."""

from __future__ import annotations

from staff_console.app import PAGES
from staff_console.framework import Page, navigation


def titles(pages: list[Page], role: str) -> list[str]:
    return [link["title"] for link in navigation(pages, role)]


def test_each_post_sees_its_own_pages_in_the_header():
    assert titles(PAGES, "clerk") == ["待受理"]
    assert titles(PAGES, "reviewer") == ["审批队列"]
    assert titles(PAGES, "supervisor") == ["待受理"]  # supervisors read the window's queue, as in the API
    assert titles(PAGES, "manager") == []  # their pages plug in later


def test_a_page_another_post_adds_is_listed_for_that_post_only():
    inbox = Page("GET", "/inbox", lambda request: None, ("manager",), nav="消息")
    assert titles([*PAGES, inbox], "manager") == ["消息"]
    assert "消息" not in titles([*PAGES, inbox], "clerk")


def test_every_decision_names_who_may_take_it():
    open_to_all = {p.path for p in PAGES if p.method == "POST" and not p.roles}
    assert open_to_all == {"/sign-in", "/sign-out"}
    assert all(p.roles == ("clerk",) for p in PAGES if p.method == "POST" and p.path.startswith("/cases/")
               and not p.path.endswith("/reveal"))
    assert all(p.roles == ("reviewer",) for p in PAGES if p.method == "POST" and p.path.startswith("/tasks/"))
