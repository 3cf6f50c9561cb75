"""Upgrading with notifications in flight: a row the old code left "sending" may have been in the
middle of its WeChat call (the old code did not say), so it keeps that reading and ends
``unknown`` after the lease rather than being sent a second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import connections

from onething.services import sending
from onething.services.case_store import utcnow
from storage import db
from storage.models import Notification
from tests.conftest import DATABASES
from tests.support.databases import migrated_to

BEFORE = "models.0015_sealed_forms"  # the last migration before claims had owners


@pytest.mark.parametrize("kind", DATABASES)
async def test_a_send_left_in_flight_by_the_old_code_is_not_sent_again(kind, tmp_path):
    async with migrated_to(kind, tmp_path, BEFORE) as url:
        async with db.database(url):  # as the old code left them: one claimed, one waiting
            for state in ("sending", "pending"):
                await connections.get("default").execute_script(
                    "INSERT INTO notification (kind, payload, state, failed_channels, attempts, last_error, created_at)"
                    f" VALUES ('accepted', '{{}}', '{state}', '[]', 0, '', CURRENT_TIMESTAMP)")
        await db.migrate(url)
        async with db.database(url):
            first, second = await Notification.all().order_by("id")
            assert (first.state, second.state) == ("attempting", "pending")
            await Notification.filter(id=first.id).update(claimed_at=utcnow() - timedelta(minutes=1))
            claims = sending.Claims(Notification, utcnow, lease=30)
            assert await claims.due(10, "last_error") == [second.id]  # the first is not offered again
            assert (await Notification.get(id=first.id)).state == "unknown"
