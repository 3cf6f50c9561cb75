"""The login limits fit together: no one address can fill the backstop per user by itself."""

from __future__ import annotations

import math

from onething.web.login_limits import LIMITS


def test_one_address_alone_cannot_fill_the_backstop_per_user():
    limits = {scope: (attempts, window) for scope, attempts, window in LIMITS}
    per_address, quarter = limits["user-ip"]
    backstop, hour = limits["user"]
    # fixed windows: an hour can touch one more of the shorter windows than fits in it
    assert per_address * (math.ceil(hour / quarter) + 1) < backstop
