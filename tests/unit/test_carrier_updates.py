"""How a carrier's update is judged genuine, and what it is remembered by."""

from __future__ import annotations

import pytest

from onething.domain.carrier_updates import check, fingerprint, sign

SECRET = "ems-webhook-secret-0123456789abcdef"
BODY = b'{"tracking_number": "EA123456789CN", "event": "failed", "reason": "x"}'
NOW = 1_772_416_800  # 2026-03-02 10:00 in Shanghai


def test_a_genuine_fresh_update_passes_with_its_hex_in_either_case():
    signature = sign(SECRET, str(NOW), BODY)
    assert check(SECRET, str(NOW), BODY, signature, NOW + 299) is None
    assert check(SECRET, str(NOW), BODY, "sha256=" + signature[7:].upper(), NOW) is None


@pytest.mark.parametrize("spelled", ["{}\u00a0", "{}\u3000", "\u3000{}", "{}\n", "{}00", "sha1={hex}", "{hex}"])
def test_a_signature_spelled_otherwise_is_refused(spelled):
    signature = sign(SECRET, str(NOW), BODY)
    assert check(SECRET, str(NOW), BODY, spelled.format(signature, hex=signature[7:]), NOW) == "bad_signature"


@pytest.mark.parametrize("timestamp", [str(NOW - 301), str(NOW + 301), "", "-1", "١٧٧٢٤١٦٨٠٠", f"{NOW}.0"])
def test_stale_or_foreign_timestamps_are_refused(timestamp):
    assert check(SECRET, timestamp, BODY, sign(SECRET, timestamp, BODY), NOW) == "stale"


def test_an_update_is_remembered_by_what_was_signed():
    assert fingerprint(str(NOW), BODY) == fingerprint(str(NOW), BODY)
    assert fingerprint(str(NOW), BODY) != fingerprint(str(NOW + 1), BODY)
    assert fingerprint(str(NOW), BODY) != fingerprint(str(NOW), BODY + b" ")
    # the separator keeps timestamp and body apart: "1" and "23" are not "12" and "3"
    assert fingerprint("1", b"23") != fingerprint("12", b"3")
