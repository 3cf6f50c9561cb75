"""Upgrading counts the items rejected before rejections were counted, as the recount does."""

from __future__ import annotations

from datetime import date

import pytest

from onething.domain.figures import Period
from onething.services import figures
from onething.services.case_store import Actor
from onething.services.recount import recount
from onething.services.reference import load_calendar, load_catalog
from onething.services.workflow import Workflow
from storage import db
from storage.models import ReviewTask, SupervisionCount, SupervisionFact
from tests.conftest import DATABASES
from tests.support.cases import Clock, draft
from tests.support.databases import migrated_to

BEFORE = "models.0023_county_queue"


@pytest.mark.parametrize("kind", DATABASES)
async def test_items_rejected_before_the_upgrade_are_counted_as_the_recount_counts_them(kind, tmp_path):
    async with migrated_to(kind, tmp_path, BEFORE) as url:
        async with db.database(url):
            flow = Workflow(load_catalog(), load_calendar(), clock=Clock())  # Monday 2026-03-02
            row = await draft()
            await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
            await flow.accept(row.id, Actor("staff:window-1", "clerk"))
            licence = await ReviewTask.get(application_id=row.id, item="business-licence")
            await flow.reject(licence, Actor("staff:reviewer", "reviewer"), "经营范围含前置审批项目")
            # as the code before counted it: no "rejected" fact
            await SupervisionFact.filter(fact="rejected").delete()
            await SupervisionCount.filter(fact="rejected").delete()
        await db.migrate(url)
        async with db.database(url):
            march = Period.of("month", date(2026, 3, 2))
            kept = await figures.figures(march)
            assert kept.rejected == 1
            assert kept == await recount(march, flow.catalog, flow.calendar)
