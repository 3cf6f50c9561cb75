"""Rows written by ``storage.updates`` (the deadline sweep's statements) read back exactly as the
ORM would have written them: defaults, JSON, dates, and the version check of an UPDATE."""

from __future__ import annotations

from datetime import date, datetime, timezone

from tortoise.transactions import in_transaction

from storage import db, updates
from storage.models import Application, Notification, ReviewTask
from tests.support.apps import migrated
from tests.support.cases import MONDAY, draft


async def test_an_insert_gives_what_a_row_leaves_out_the_models_defaults(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        case = await draft()
        before = datetime.now(timezone.utc)
        async with in_transaction() as conn:
            await updates.insert_many(conn, Notification, [
                {"application_id": case.id, "citizen_id": case.applicant_id, "kind": "owed_due",
                 "payload": {"number": case.number, "material": "租赁合同", "due_on": "2026-03-06"}},
                {"application_id": case.id, "citizen_id": None, "kind": "accepted", "payload": {}}])
        first, second = await Notification.filter(application_id=case.id).order_by("id")
        assert (first.kind, first.state, first.attempts, first.failed_channels, first.last_error) == (
            "owed_due", "pending", 0, [], "")
        assert first.payload["material"] == "租赁合同" and first.created_at >= before
        assert second.citizen_id is None and second.payload == {}


async def test_an_update_converts_its_values_and_checks_the_version(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        case = await draft()
        async with in_transaction() as conn:
            values = {"problems": ["营业执照复印件不清晰"], "expected_on": date(2026, 3, 9), "updated_at": MONDAY}
            assert await updates.update(conn, Application, values, {"id": case.id, "version": case.version + 1}) == 0
            assert await updates.update(conn, Application, values, {"id": case.id, "version": case.version},
                                        bump="version") == 1
        row = await Application.get(id=case.id)
        assert (row.problems, row.expected_on, row.version) == (["营业执照复印件不清晰"], date(2026, 3, 9), case.version + 1)


async def test_many_rows_of_two_shapes_each_get_their_own_values(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        cases = [await draft() for _ in range(3)]
        async with in_transaction() as conn:
            assert await updates.locked_versions(conn, Application, [c.id for c in cases]) == {
                c.id: c.version for c in cases}
            await updates.update_many(conn, Application, [
                ({"grade": 1, "next_check_on": date(2026, 3, 3)}, {"id": cases[0].id}),
                ({"grade": 2, "next_check_on": None}, {"id": cases[1].id}),
                ({"window": "staff:clerk"}, {"id": cases[2].id})])
        rows = {r.id: r for r in await Application.filter(id__in=[c.id for c in cases])}
        assert (rows[cases[0].id].grade, rows[cases[0].id].next_check_on) == (1, date(2026, 3, 3))
        assert (rows[cases[1].id].grade, rows[cases[1].id].next_check_on) == (2, None)
        assert rows[cases[2].id].window == "staff:clerk" and rows[cases[2].id].grade == 0


async def test_rows_read_by_a_fixed_select_are_what_the_orms_values_gives(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        cases = [await draft() for _ in range(2)]
        await ReviewTask.create(application_id=cases[0].id, item="licence", department="market", stage="s1",
                                state="in_review", limit_days=3, started_on=date(2026, 3, 2), due_on=date(2026, 3, 5),
                                warned=True, problems=["租赁合同未盖章"])
        await ReviewTask.create(application_id=cases[1].id, item="seal", department="police", stage="s1",
                                state="waiting", limit_days=1)
        columns = ("id", "application_id", "item", "state", "due_on", "paused_since", "warned", "overdue", "problems")
        ids = [c.id for c in cases]
        ours = await updates.rows_in(ReviewTask._choose_db(), ReviewTask, columns, "application_id", ids)
        assert ours == await ReviewTask.filter(application_id__in=ids).order_by("id").values(*columns)
        assert (ours[0]["due_on"], ours[0]["warned"], ours[0]["problems"]) == (date(2026, 3, 5), True, ["租赁合同未盖章"])
        assert ours[1]["warned"] is False and ours[1]["paused_since"] is None
        assert await updates.rows_in(ReviewTask._choose_db(), ReviewTask, columns, "application_id", []) == []
