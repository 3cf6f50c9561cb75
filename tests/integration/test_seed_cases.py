"""The county seed (bench/seed_cases.py): what it loads by COPY is what the app would have written,
and the app reads it: the trails check out, the cases load into the domain, the odds hold."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from onething.domain.figures import Period
from onething.services import case_store, figures
from onething.services.recount import recount
from onething.services.audit import check_all
from onething.services.reference import load_calendar, load_catalog
from storage import db
from storage.models import Application, Evaluation, ReviewTask
from tests.conftest import IN_CI, PG_URL
from tests.support.databases import fresh_database

BENCH = Path(__file__).resolve().parents[2] / "bench"
# In CI (PostgreSQL given, or the run refused before it starts) this never skips.
pytestmark = pytest.mark.skipif(not IN_CI and not PG_URL, reason="the seed loads PostgreSQL by COPY")


def seed_module():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("seed_cases", BENCH / "seed_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_two_thousand_seeded_cases_load_and_the_app_reads_them(tmp_path):
    seed = seed_module()
    async with fresh_database("postgres", tmp_path) as url:
        await seed.seed(url, 2000, False, "2026-01-01", "2026-11-30T10:00:00+00:00", 7, 1)
        with pytest.raises(SystemExit, match="already holds 2000 cases"):
            await seed.seed(url, 10, False, "2026-01-01", "2026-11-30T10:00:00+00:00", 7, 1)
        async with db.database(url):
            assert await Application.all().count() == 2000
            assert await check_all() == []  # every case's hash chain ends at its head
            states = {s: await Application.filter(state=s).count() for s in ("refused", "closed", "in_review")}
            assert 10 <= states["refused"] <= 80  # about 2%
            assert states["closed"] > 1700
            rated = await Evaluation.all().count()
            assert 0.5 < rated / states["closed"] < 0.7  # ratings on about 60% of finished cases
            assert len(await ReviewTask.all().distinct().values_list("department", flat=True)) == 17
            catalog = load_catalog()
            # the counters the seed wrote are the ones the saves would have kept: a recount agrees
            for month in ("2026-03", "2026-11"):
                period = Period.of("month", date.fromisoformat(f"{month}-01"))
                counted = await figures.figures(period)
                assert counted == await recount(period, catalog, load_calendar())
                assert counted.decided > 100 and counted.ratings > 20
            assert await Application.filter(state="in_review", next_check_on__isnull=False).exists()
            for application_id in await Application.filter(state="in_review").limit(5).values_list("id", flat=True):
                loaded = await case_store.load(catalog, application_id)
                assert loaded.case.tasks and loaded.case.state.value == "in_review"
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:  # the app's own inserts carry on after the seeded ids
            assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('application', 'id'))") == 2001
        finally:
            await conn.close()
