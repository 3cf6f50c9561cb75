"""Every trail (a case's, an enterprise's, an issue's) is hash-chained and ends at its owner's
head: a changed event and a trail trimmed at its end are both caught, by the check and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from tortoise.transactions import in_transaction

from onething.services import enterprises, trails
from onething.services.audit import Broken, check_all, check_trail
from onething.services.case_store import Actor
from onething.services.issues import IssueDesk
from onething.services.reference import load_calendar, load_catalog, load_ladder
from onething.services.workflow import Workflow
from onething.templating import make_environment
from storage import db
from tests.support.apps import migrated
from storage.models import Application, AuditEvent, Enterprise, EnterpriseEvent, Issue, IssueEvent, Project
from tests.conftest import TEST_SECRET
from tests.support.builders import credit_code
from tests.support.cases import Clock, draft

CLERK = Actor("staff:clerk", "clerk")
MANAGER = Actor("staff:manager", "manager")


@pytest.fixture
async def stores(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        catalog = load_catalog()
        flow = Workflow(catalog, load_calendar(), clock=Clock())
        desk = IssueDesk(load_ladder(), flow.calendar, make_environment(),
                         {code: d.name for code, d in catalog.departments.items()}, clock=flow.clock)
        yield flow, desk


async def a_case(flow: Workflow) -> Application:
    row = await draft()
    await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
    await flow.accept(row.id, CLERK)
    return await Application.get(id=row.id)


async def an_enterprise(flow: Workflow) -> Enterprise:
    enterprise = await enterprises.create("某县青禾食品有限公司", credit_code(), "staff:manager", flow.clock())
    async with in_transaction() as conn:
        for action in ("contact_claimed", "contact_confirmed"):
            await enterprises.trace(enterprise.id, actor="staff:manager", action=action, note="contact 1", conn=conn,
                                    now=flow.clock())
    return await Enterprise.get(id=enterprise.id)


async def an_issue(flow: Workflow, desk: IssueDesk) -> Issue:
    enterprise = await an_enterprise(flow)
    project = await Project.create(enterprise=enterprise, name="年产万吨饲料项目", level="county", stage="approval")
    issue = await desk.open_issue(project.id, opened_by="staff:manager", title="用地指标未落实", department="market",
                                  requested_by=date(2026, 4, 30), role="manager")
    await desk.start(issue.id, MANAGER)
    await desk.close(issue.id, MANAGER, "已协调落实")
    return await Issue.get(id=issue.id)


async def test_each_trail_is_chained_and_its_head_kept_beside_its_owner(stores):
    flow, desk = stores
    case, issue = await a_case(flow), await an_issue(flow, desk)
    enterprise = await Enterprise.get(id=(await Project.get(id=issue.project_id)).enterprise_id)
    for trail, owner, count in ((trails.CASE, case, 3), (trails.ENTERPRISE, enterprise, 3), (trails.ISSUE, issue, 3)):
        links = await trails.read(trail, owner.id)
        assert [link.seq for link in links] == list(range(1, count + 1))
        assert (owner.trail_count, owner.trail_head) == (count, links[-1].hash)
        assert await check_trail(trail, owner.id) is None


@pytest.mark.parametrize("kind", ["case", "enterprise", "issue"])
async def test_deleting_the_last_event_of_a_trail_is_detected(stores, kind):
    flow, desk = stores
    if kind == "case":
        owner = await a_case(flow)
        label, events = owner.number, AuditEvent.filter(application_id=owner.id)
    elif kind == "enterprise":
        owner = await an_enterprise(flow)
        label, events = owner.credit_code, EnterpriseEvent.filter(enterprise_id=owner.id)
    else:
        owner = await an_issue(flow, desk)
        label, events = str(owner.id), IssueEvent.filter(issue_id=owner.id)
    last = await events.order_by("-seq").first()
    await last.delete()  # the trail still links from its first event to its new last one
    assert Broken(kind, label, last.seq, "missing") in await check_all()


@pytest.mark.parametrize("kind", ["case", "enterprise", "issue"])
async def test_a_changed_middle_event_is_detected(stores, kind):
    flow, desk = stores
    if kind == "case":
        owner = await a_case(flow)
        label, model, where = owner.number, AuditEvent, {"application_id": owner.id}
    elif kind == "enterprise":
        owner = await an_enterprise(flow)
        label, model, where = owner.credit_code, EnterpriseEvent, {"enterprise_id": owner.id}
    else:
        owner = await an_issue(flow, desk)
        label, model, where = str(owner.id), IssueEvent, {"issue_id": owner.id}
    await model.filter(**where, seq=2).update(note="改过的记录")
    assert Broken(kind, label, 2, "altered") in await check_all()


async def test_appends_racing_on_one_trail_never_fork_it(stores):
    import asyncio

    flow, _ = stores
    enterprise = await an_enterprise(flow)

    async def one(i: int) -> None:
        async with in_transaction() as conn:
            await enterprises.trace(enterprise.id, actor="system", action="contacts_merged", note=str(i), conn=conn)

    await asyncio.gather(*(one(i) for i in range(6)))
    assert await EnterpriseEvent.filter(enterprise_id=enterprise.id).count() == 9
    assert await check_trail(trails.ENTERPRISE, enterprise.id) is None


def audit_check(database_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}
    env.update(ONETHING_DATABASE_URL=database_url, ONETHING_SECRET_KEY=TEST_SECRET,
               ONETHING_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "onething.cli", "audit", "check"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


async def test_the_audit_check_command_names_the_trimmed_trail_and_exits_1(stores, database_url, tmp_path):
    flow, desk = stores
    issue = await an_issue(flow, desk)
    if database_url.startswith("sqlite"):  # a database of this test alone: nothing else is broken in it
        intact = audit_check(database_url, tmp_path)
        assert intact.returncode == 0 and intact.stdout.strip() == "audit trail intact", intact.stderr
    await IssueEvent.filter(issue_id=issue.id, seq=3).delete()
    broken = audit_check(database_url, tmp_path)
    assert broken.returncode == 1, broken.stderr
    assert f"issue {issue.id}: audit trail broken at event 3 (missing)" in broken.stdout


@pytest.fixture
async def empty_database_url(database_url, tmp_path):
    """A database of this test alone, with no migration applied yet."""
    if database_url.startswith("sqlite"):
        yield f"sqlite://{tmp_path / 'empty.sqlite3'}"
        return
    import uuid

    import asyncpg

    name = f"onething_trails_{uuid.uuid4().hex[:10]}"
    admin = database_url.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{database_url.rsplit('/', 1)[0]}/{name}"
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_the_migration_chains_the_events_written_before_trails_were_chained(empty_database_url):
    from tortoise import Tortoise, connections
    from tortoise.migrations.api import migrate

    url = empty_database_url
    await migrate(config=db.tortoise_config(url), target="models.0010_enterprise_events")
    await Tortoise.close_connections()
    code = credit_code()
    async with db.database(url):  # rows as the code before this change wrote them
        await connections.get("default").execute_script(f"""
            INSERT INTO citizen (openid, blacklisted, enterprise_verified, created_at)
              VALUES ('o-legacy', FALSE, FALSE, '2026-03-02 02:00:00+00:00');
            INSERT INTO enterprise (name, credit_code, created_at) VALUES ('青禾', '{code}', '2026-03-02 02:00:00+00:00');
            INSERT INTO enterprise_event (enterprise_id, actor, action, note, at) VALUES
              (1, 'staff:a', 'registered', '青禾', '2026-03-02 02:00:00.123456+00:00'),
              (1, 'citizen:1', 'contact_claimed', 'contact 1', '2026-03-02 03:00:00+00:00');
            INSERT INTO project (enterprise_id, name, level, stage, created_at, updated_at)
              VALUES (1, '项目', 'county', 'approval', '2026-03-02 02:00:00+00:00', '2026-03-02 02:00:00+00:00');
            INSERT INTO issue (project_id, title, detail, department, requested_by, state, level, level_code, due_on,
                               resolution, reopened, version, opened_by, opened_at, updated_at)
              VALUES (1, '用地', '', 'market', '2026-04-30', 'open', 0, 'manager', '2026-03-09', '', 0, 1, 'staff:a',
                      '2026-03-02 02:00:00+00:00', '2026-03-02 02:00:00+00:00');
            INSERT INTO issue_event (issue_id, actor, role, action, from_state, to_state, level, due_on, note, at)
              VALUES (1, 'staff:a', 'manager', 'open', 'open', 'open', 0, '2026-03-09', '用地', '2026-03-02 02:00:00+00:00');
        """)
    await db.migrate(url)
    async with db.database(url):
        enterprise, issue = await Enterprise.get(credit_code=code), await Issue.get(id=1)
        assert (enterprise.trail_count, issue.trail_count) == (2, 1)
        assert [e.seq for e in await EnterpriseEvent.filter(enterprise_id=enterprise.id).order_by("id")] == [1, 2]
        assert await check_all() == []
        await EnterpriseEvent.filter(enterprise_id=enterprise.id, seq=2).delete()
        assert await check_all() == [Broken("enterprise", code, 2, "missing")]
