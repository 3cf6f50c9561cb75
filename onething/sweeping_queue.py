"""saq's Redis queue, with a sweep that lets go of a dead worker's jobs sooner and never takes a
live worker's job from under it.

saq's worker moves a job to the active list (BLMOVE) before it marks the job active, one round
trip later. saq's own sweep takes any job it finds in the active list not marked active as stuck:
it aborts it and queues it again, so a job caught between the two runs twice (tobymao/saq#124,
#277). Here such a job is read again after the sweep's wait: one a worker has marked meanwhile is
left to it; only one still unmarked (its worker died in that moment) is swept.
"""

from __future__ import annotations

import asyncio
import logging

from saq import Job, Status
from saq.queue.redis import RedisQueue

log = logging.getLogger("onething.jobs")
ABORT_WAIT = 1.0  # seconds a sweep waits for a swept job's worker to confirm: it is normally dead

# saq's own: the active jobs, read by one sweeper at a time (the lock lives ``lock`` seconds)
_ACTIVE_JOBS = """
local id_jobs = {}
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('SETEX', KEYS[1], ARGV[1], 1)
    for i, v in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
        id_jobs[i] = {v, redis.call('GET', v)}
    end
end
return id_jobs
"""


class SweepingQueue(RedisQueue):
    """A sweep waits for each stuck job's worker 1 s instead of 5 (it goes through them one by
    one), and a swept unique job may be queued again 2 s later instead of 5 (a worker still alive
    confirms the abort within the wait)."""

    async def sweep(self, lock: int = 60, abort: float = ABORT_WAIT) -> list[str]:
        if not self._cleanup_script:
            self._cleanup_script = self.redis.register_script(_ACTIVE_JOBS)
        found = [(job_id, self.deserialize(job_bytes)) for job_id, job_bytes in
                 await self._cleanup_script(keys=[self._sweep, self._active], args=[lock], client=self.redis)]
        found = await self._unclaimed(found, abort)
        swept = []
        for job_id, job in found:
            if job is None:  # its record expired: only the list still names it
                swept.append(job_id)
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.lrem(self._active, 0, job_id).zrem(self._incomplete, job_id).execute()
                log.info("swept a missing job", extra={"job": job_id.decode()})
            elif job.status != Status.ACTIVE or job.stuck:
                swept.append(job_id)
                log.info("swept a stuck job", extra={"job": job.function, "status": str(job.status)})
                await self.abort(job, error=self.swept_error_message)
                try:
                    await job.refresh(abort)
                except asyncio.TimeoutError:
                    log.info("a swept job's worker did not confirm", extra={"job": job.function})
                if job.retryable:
                    await self.retry(job, error=self.swept_error_message)
                else:
                    await self.finish(job, Status.ABORTED, error=self.swept_error_message)
        return [job_id.decode() for job_id in swept]

    async def _unclaimed(self, found: list[tuple[bytes, Job | None]], wait: float) -> list[tuple[bytes, Job | None]]:
        """``found`` without the jobs a worker was just taking: those still marked queued are read
        again after ``wait``, and kept only if they still are (nobody is taking them)."""
        caught = [job_id for job_id, job in found if job is not None and job.status == Status.QUEUED]
        if not caught:
            return found
        await asyncio.sleep(wait)
        again = dict(zip(caught, [self.deserialize(raw) for raw in await self.redis.mget(caught)]))
        return [(job_id, again[job_id] if job_id in again else job) for job_id, job in found
                if job_id not in again or (again[job_id] is not None and again[job_id].status == Status.QUEUED)]

    async def abort(self, job: Job, error: str, ttl: float = int(ABORT_WAIT) + 1) -> None:
        await super().abort(job, error, ttl)  # Redis takes whole seconds
