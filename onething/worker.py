"""``onething worker``: runs background jobs against the same resources as the web app."""

from __future__ import annotations

import logging

from onething import jobs
from onething.app import create_core, started
from onething.settings import Settings

log = logging.getLogger("onething.worker")


async def run_worker(settings: Settings) -> None:
    async with started(create_core(settings, run_jobs=False)) as app:
        # saq's worker stops itself on SIGINT/SIGTERM, letting running jobs finish first.
        log.info("worker started")
        await jobs.make_worker(app, app[jobs.queue_key]).start()
        log.info("worker stopped")
