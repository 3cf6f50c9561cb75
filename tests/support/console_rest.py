"""People and records for the manager's, supervisor's and admin's console pages."""

from __future__ import annotations

import uuid

from onething.keys import messenger_key, workflow_key
from onething.services.case_store import Actor
from tests.support.apps import until_idle
from tests.support.builders import credit_code
from tests.support.cases import draft, to_results_ready
from tests.support.console import Desk
from tests.support.people import Person
from tests.support.queries import counted
from tests.support.staff_api import PASSWORD, StaffApi


async def manager_desk(client, prefix: str = "manager") -> tuple[Desk, StaffApi]:
    """A manager signed in to the console, and the same account on the JSON API (to set things up)."""
    username = f"{prefix}-{uuid.uuid4().hex[:8]}"
    api = await StaffApi.login(client, username, "manager")
    return await Desk.sign_in(client, username, "manager", create=False), api


async def api_as(client, username: str) -> StaffApi:
    """The JSON API as an account that already exists (one a browser test signed in with)."""
    response = await client.post("/staff/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200, await response.text()
    return StaffApi(client, (await response.json())["token"], username)


async def enterprise_with_contact(client, manager: StaffApi, name: str = "青禾餐饮有限公司") -> tuple[dict, Person]:
    """An enterprise the manager registered, and a person who scanned its code (its contact on WeChat)."""
    enterprise = await manager.post("/enterprises", {"name": f"{name}-{uuid.uuid4().hex[:6]}",
                                                     "credit_code": credit_code()}, expect=201)
    code = await manager.post(f"/enterprises/{enterprise['id']}/wechat-code")
    person = await Person.login(client)
    await person.does(client, "subscribe", key=f"qrscene_{code['scene']}")
    return enterprise, person


async def send_all(running) -> None:
    await until_idle(running.app[messenger_key].run)


async def bad_rating(running, comment: str = "等了很久") -> int:
    """A case through to results ready, then rated 1 by its applicant: a follow-up is due. Its id."""
    flow = running.app[workflow_key]
    row = await draft("business-opening")
    await to_results_ready(flow, row.id)
    await flow.evaluate(row.id, Actor("citizen:x", "citizen"), 1, comment)
    return row.id


async def page_queries(desk: Desk, path: str) -> int:
    """The statements one page sends, less the calendar's own refresh (every two seconds, whoever
    asks first: not the page's, and timing-dependent)."""
    with counted() as seen:
        await desk.get(path)
    return len([q for q in seen if "calendar_year" not in q])
