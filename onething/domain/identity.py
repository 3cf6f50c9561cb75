"""Identity numbers: the resident ID (GB 11643) and the unified social credit code (GB 32100).

Both carry a check character; a number that fails it is a typo, caught before anything is
stored. Masking keeps them recognisable to their owner and useless to anyone else.
"""

from __future__ import annotations

import re
from datetime import date

_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def valid_id_number(value: str) -> bool:
    value = value.strip().upper()
    if not _ID.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def valid_credit_code(value: str) -> bool:
    value = value.strip().upper()
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(value[:17], _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == value[17]


def valid_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value.strip()))


def mask_id_number(value: str) -> str:
    return f"{value[:3]}***********{value[-4:]}" if len(value) == 18 else "***"


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "***"


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""
