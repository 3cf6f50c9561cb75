"""Tokens from the buffered CSPRNG: the right length, each byte handed out once, a fresh
reserve past its end and in a forked child."""

from __future__ import annotations

import re

from onething import tokens


def test_tokens_are_hex_of_the_asked_length_and_never_repeat():
    drawn = [tokens.token_hex(16) for _ in range(1000)]  # more than one reserve's worth
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in drawn)
    assert len(set(drawn)) == len(drawn)
    assert len(tokens.token_hex(tokens.CHUNK + 1)) == 2 * (tokens.CHUNK + 1)  # larger than a reserve


def test_a_forked_child_forgets_the_parents_reserve(monkeypatch):
    reserve = tokens._Reserve()
    served = []
    monkeypatch.setattr(tokens.os, "urandom", lambda n: served.append(n) or bytes(range(256)) * (n // 256 + 1))
    first = reserve.take(8)
    assert reserve.take(8) != first and served == [tokens.CHUNK]  # one read of the OS for many tokens
    reserve.forget()  # what os.register_at_fork runs in the child
    assert reserve.take(8) == first and len(served) == 2  # its own read: the parent's next bytes are not reused
