"""What a refusal says, as people read it: its catalogue entry, rendered with its details."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

import pytest

from onething.domain.refusals import Refused
from onething.messages import load_messages
from onething.templating import make_environment

_MESSAGES = load_messages(make_environment())


def said(refusal: Refused) -> str:
    """The words of a refusal; one whose code has no entry in the catalogue fails the test."""
    if refusal.message:
        return refusal.message
    assert refusal.code in _MESSAGES, f"no message for {refusal.code!r} in templates/messages/"
    return _MESSAGES.render(refusal.code, **refusal.details)


@contextmanager
def refused(kind: type[Refused], words: str) -> Iterator[pytest.ExceptionInfo]:
    """Like ``pytest.raises(kind, match=words)``, matching what the person refused reads."""
    with pytest.raises(kind) as caught:
        yield caught
    assert re.search(words, said(caught.value)), said(caught.value)
