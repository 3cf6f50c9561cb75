"""Projects and their managers over HTTP, and who may see or touch which project and issue."""

from __future__ import annotations

import uuid

import pytest

from onething.keys import workflow_key
from tests.support.apps import start_app
from tests.support.cases import Clock
from tests.support.projects import call, enterprise, login

ISSUE = {"title": "施工许可审查意见未反馈", "department": "housing", "requested_by": "2026-03-06", "detail": "已提交两周"}


@pytest.fixture
async def office(aiohttp_server, aiohttp_client, tmp_path, database_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url)
    running.app[workflow_key].clock = Clock()  # Monday 2026-03-02, 10:00 in Shanghai
    return running, await aiohttp_client(running.server)


async def project_of(sup, manager: str | None, **fields) -> dict:
    firm = await enterprise()
    return await sup.post("/projects", {"enterprise_id": firm.id, "name": "年产5万吨食品加工项目", "level": "county",
                                        "stage": "approval", "manager": manager, **fields})


async def test_a_manager_sees_and_works_only_their_own_projects_and_issues(office):
    _, client = office
    a, b, sup = (await login(client, "manager"), await login(client, "manager"), await login(client, "supervisor"))
    housing = await login(client, "reviewer", department="housing")
    market = await login(client, "reviewer", department="market")
    ours, theirs = await project_of(sup, a.username), await project_of(sup, b.username)
    assert ours["manager"]["username"] == a.username and ours["level_name"] == "县重点项目"
    assert [m["manager"]["username"] for m in ours["managers"]] == [a.username]

    assert [p["id"] for p in (await a.get("/projects"))["items"]] == [ours["id"]]
    assert {ours["id"], theirs["id"]} <= {p["id"] for p in (await sup.get("/projects"))["items"]}
    mine = await a.post(f"/projects/{ours['id']}/issues", ISSUE)
    other = await b.post(f"/projects/{theirs['id']}/issues", {**ISSUE, "department": "market"})
    assert mine["state"] == "open" and mine["level"]["name"] == "项目服务经理" and mine["due_on"] == "2026-03-06"
    assert mine["events"][0]["action"] == "open" and mine["events"][0]["actor"] == f"staff:{a.username}"

    # Another manager's project and issue do not exist for a manager, whatever they try.
    for method, path, body in [("GET", f"/projects/{theirs['id']}", None),
                               ("PATCH", f"/projects/{theirs['id']}", {"stage": "construction"}),
                               ("GET", f"/projects/{theirs['id']}/issues", None),
                               ("POST", f"/projects/{theirs['id']}/issues", ISSUE),
                               ("GET", f"/issues/{other['id']}", None),
                               ("POST", f"/issues/{other['id']}/start", None),
                               ("POST", f"/issues/{other['id']}/close", {"resolution": "已解决"}),
                               ("POST", f"/issues/{other['id']}/reopen", {"reason": "x"}),
                               ("GET", "/projects/999999", None), ("GET", "/issues/999999", None)]:
        refused = await call(a, method, path, 404, body)
        assert refused["error"]["code"] == "not_found", (method, path)
    assert [i["id"] for i in (await a.get("/issues"))["items"]] == [mine["id"]]
    assert [i["id"] for i in (await a.get(f"/projects/{ours['id']}/issues"))["items"]] == [mine["id"]]

    # Reviewers read their own department's issues, nothing else, and act on none.
    assert mine["id"] in [i["id"] for i in (await housing.get("/issues"))["items"]]
    assert other["id"] not in [i["id"] for i in (await housing.get("/issues"))["items"]]
    assert (await housing.get(f"/issues/{mine['id']}"))["department_name"] == "县住房和城乡建设局"
    await market.get(f"/issues/{mine['id']}", expect=404)
    await housing.post(f"/issues/{mine['id']}/start", expect=403)
    await housing.get("/projects", expect=403)

    # Supervisors see and work everything.
    await sup.get(f"/issues/{other['id']}")
    assert (await sup.post(f"/issues/{other['id']}/start"))["state"] == "in_progress"


@pytest.mark.parametrize("role", ["clerk", "courier"])
async def test_clerks_and_couriers_have_no_part_in_projects(office, role):
    _, client = office
    sup = await login(client, "supervisor")
    project = await project_of(sup, None)
    if role == "courier":  # couriers cannot even sign in to the back office
        from onething.services.couriers import create_courier
        from tests.support.staff_api import PASSWORD

        username = f"courier-{uuid.uuid4().hex[:8]}"
        await create_courier(username, "ems", PASSWORD)
        response = await client.post("/staff/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status == 401
        return
    clerk = await login(client, "clerk")
    for method, path, body in [("GET", "/projects", None), ("GET", f"/projects/{project['id']}", None),
                               ("POST", "/projects", {}), ("GET", "/issues", None), ("GET", "/ledger", None),
                               ("POST", f"/projects/{project['id']}/issues", ISSUE),
                               ("PUT", f"/projects/{project['id']}/manager", {"manager": None})]:
        refused = await call(clerk, method, path, 403, body)
        assert refused["error"]["message"] == "您的岗位无权进行此操作。"


async def test_reassigning_a_project_keeps_who_served_it_and_tells_the_new_manager(office):
    _, client = office
    a, b, sup = (await login(client, "manager"), await login(client, "manager"), await login(client, "supervisor"))
    clerk = await login(client, "clerk")
    project = await project_of(sup, a.username)
    await a.call("PUT", f"/projects/{project['id']}/manager", 403, json={"manager": b.username})
    bad = await sup.call("PUT", f"/projects/{project['id']}/manager", 422, json={"manager": clerk.username})
    assert bad["error"]["code"] == "not_a_manager"
    moved = await sup.call("PUT", f"/projects/{project['id']}/manager", json={"manager": b.username, "note": "调岗"})
    assert moved["manager"]["username"] == b.username
    assert [(m["manager"]["username"], m["note"]) for m in moved["managers"]] == [(a.username, "登记项目"),
                                                                                   (b.username, "调岗")]
    await a.get(f"/projects/{project['id']}", expect=404)  # no longer theirs
    assert (await b.get(f"/projects/{project['id']}"))["id"] == project["id"]
    inbox = await b.get("/inbox")
    [notice] = [n for n in inbox["items"] if n["payload"].get("project_id") == project["id"]]
    assert notice["kind"] == "project_assigned" and "调岗" in notice["text"] and notice["read_at"] is None
    assert inbox["unread"] == 1
    read = await b.post(f"/inbox/{notice['id']}/read")
    assert read["read_at"] and read["read_by"] == b.username
    await a.post(f"/inbox/{notice['id']}/read", expect=404)  # not theirs
    assert (await b.get("/inbox"))["unread"] == 0
    unassigned = await sup.call("PUT", f"/projects/{project['id']}/manager", json={"manager": None})
    assert unassigned["manager"] is None and unassigned["managers"][-1]["manager"] is None
    admin = await login(client, "admin")
    assert project["id"] in [p["id"] for p in (await admin.get("/projects"))["items"]]
    back = await admin.call("PUT", f"/projects/{project['id']}/manager", json={"manager": a.username})
    assert back["manager"]["username"] == a.username and len(back["managers"]) == 4
    assert [n["kind"] for n in (await a.get("/inbox"))["items"]] == ["project_assigned"] * 2  # at creation, and now


async def test_projects_are_checked_when_created_and_moved_on(office):
    _, client = office
    a, sup = await login(client, "manager"), await login(client, "supervisor")
    own = await enterprise(manager=a.username)
    foreign = await enterprise()
    created = await a.post("/projects", {"enterprise_id": own.id, "name": "物流园二期", "level": "provincial",
                                         "stage": "preparation"})
    assert created["manager"]["username"] == a.username and created["level_name"] == "省重点项目"
    assert created["managers"][0]["assigned_by"] == f"staff:{a.username}"
    missing = await a.post("/projects", {"enterprise_id": foreign.id, "name": "x", "level": "city",
                                         "stage": "approval"}, expect=404)
    assert missing["error"]["code"] == "enterprise_not_found"
    for field, value in (("level", "national"), ("stage", "dreaming")):
        body = {"enterprise_id": own.id, "name": "x", "level": "city", "stage": "approval", field: value}
        assert (await sup.post("/projects", body, expect=422))["error"]["details"]["field"] == field
    await sup.post("/projects", {"enterprise_id": "1", "name": "x", "level": "city", "stage": "approval"}, expect=422)
    # the supervisor's project of an enterprise goes to that enterprise's manager by default
    by_default = await sup.post("/projects", {"enterprise_id": own.id, "name": "冷链仓储", "level": "city",
                                              "stage": "approval"})
    assert by_default["manager"]["username"] == a.username
    moved = await a.call("PATCH", f"/projects/{created['id']}", json={"stage": "construction"})
    assert (moved["stage"], moved["stage_name"]) == ("construction", "开工建设")
    await a.call("PATCH", f"/projects/{created['id']}", 422, json={"stage": "flying"})
