"""A database that drops a statement or two at the worst moment: right after WeChat has answered,
while the sender records what it said."""

from __future__ import annotations

from typing import Callable

from tortoise.exceptions import OperationalError


def fail(monkeypatch, owner, name: str, when: Callable[..., bool] = lambda *args, **kwargs: True,
         times: int = 1, skip: int = 0) -> list:
    """``owner.name`` (a coroutine function) raises a lost connection on ``times`` of the calls
    ``when`` accepts, after letting ``skip`` of them through, then works again; the list of the
    arguments it failed with."""
    original, failed, seen = getattr(owner, name), [], []

    async def blip(*args, **kwargs):
        if when(*args, **kwargs):
            seen.append(args)
            if skip < len(seen) <= skip + times:
                failed.append((args, kwargs))
                raise OperationalError("server closed the connection unexpectedly")
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, blip)
    return failed
