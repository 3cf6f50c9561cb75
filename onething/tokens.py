"""Random hex tokens from the operating system's CSPRNG, read a few kilobytes at a time.

Every answer to WeChat takes two (its request id, and the 16 characters WeChat's protocol puts
before a sealed reply); one ``getrandom`` system call for each was a twentieth of the bot's CPU per
message. Bytes are handed out once each, and a forked child reads its own.
"""

from __future__ import annotations

import os

CHUNK = 4096


class _Reserve:
    def __init__(self) -> None:
        self.data, self.at = b"", 0

    def take(self, nbytes: int) -> bytes:
        if self.at + nbytes > len(self.data):
            self.data, self.at = os.urandom(max(CHUNK, nbytes)), 0
        taken = self.data[self.at:self.at + nbytes]
        self.at += nbytes
        return taken

    def forget(self) -> None:
        """In a forked child: what the parent holds (and may hand out too) is not the child's."""
        self.data, self.at = b"", 0


_reserve = _Reserve()
os.register_at_fork(after_in_child=_reserve.forget)


def token_hex(nbytes: int) -> str:
    """As ``secrets.token_hex``: ``nbytes`` random bytes as ``2 * nbytes`` hex digits."""
    return _reserve.take(nbytes).hex()
