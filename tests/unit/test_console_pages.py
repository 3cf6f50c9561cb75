"""The console's page table: who may open what, and what each post's header lists."""

from __future__ import annotations

from staff_console.app import PAGES
from staff_console.framework import Page, navigation


def titles(pages: list[Page], role: str) -> list[str]:
    return [link["title"] for link in navigation(pages, role)]


def test_each_post_sees_its_own_pages_in_the_header():
    assert titles(PAGES, "clerk") == ["待受理"]
    assert titles(PAGES, "reviewer") == ["审批队列", "月度台账"]  # their department's ledger, as in the API
    assert titles(PAGES, "manager") == ["企业", "会话", "群发", "项目", "月度台账"]
    # supervisors read the window's queue and the managers' pages, as in the API, besides their own
    assert titles(PAGES, "supervisor") == ["待受理", "企业", "会话", "群发", "项目", "月度台账", "差评回访", "通知发件箱",
                                           "失信名单", "监察数据", "效能排行榜", "评估情况通报"]
    assert titles(PAGES, "admin")[-6:] == ["监察数据", "效能排行榜", "评估情况通报", "账号", "事项目录", "工作日历"]


def test_a_page_another_post_adds_is_listed_for_that_post_only():
    inbox = Page("GET", "/inbox", lambda request: None, ("manager",), nav="消息")
    assert titles([*PAGES, inbox], "manager")[-1] == "消息"
    assert "消息" not in titles([*PAGES, inbox], "clerk")


def test_every_decision_names_who_may_take_it():
    open_to_all = {p.path for p in PAGES if p.method == "POST" and not p.roles}
    assert open_to_all == {"/sign-in", "/sign-out"}
    assert all(p.roles == ("clerk",) for p in PAGES if p.method == "POST" and p.path.startswith("/cases/")
               and not p.path.endswith(("/reveal", "/overturn")))
    assert [p.roles for p in PAGES if p.path.endswith("/overturn")] == [("supervisor",)]
    assert all(p.roles == ("reviewer",) for p in PAGES if p.method == "POST" and p.path.startswith("/tasks/"))
