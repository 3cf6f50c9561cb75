"""The one way a rule says no.

A refusal carries a ``code`` for programs, an HTTP-style ``status`` and the ``details`` its
message is written from. The Chinese message itself lives in the message catalogue under
``templates/messages/`` (the code is its key), so services and the domain raise refusals without
writing text, and every entrypoint shows the same words for the same refusal. A message given
here overrides the catalogue; it is kept for texts composed from data, such as a problem list.
"""

from __future__ import annotations

from typing import Any, Callable

# How a refusal without a message of its own reads outside the error middleware (a page, a log,
# ``str(exc)`` in an older handler): the catalogue's entry, once something has loaded it.
_words: Callable[["Refused"], str] | None = None


def speak_with(words: Callable[["Refused"], str] | None) -> None:
    global _words
    _words = words


class Refused(Exception):
    status = 422

    def __init__(self, code: str, message: str | None = None, *, status: int | None = None,
                 details: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}

    def __str__(self) -> str:
        if self.message:
            return self.message
        if _words is not None:
            try:
                return _words(self)
            except Exception:  # a message that cannot render must not hide the refusal itself
                pass
        return self.code
