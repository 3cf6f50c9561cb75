"""The postal delivery rules: the order of scans, replays, the pickup code and the delivery token."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from onething.domain import carrier_updates
from onething.domain.case import Case
from onething.domain.shipment import (
    CODE_TRIES, RESULT, Shipment, ShipmentRuleError, ShipmentState, WrongPickupCode, issue_token, read_token,
    token_expired, token_for,
)
from onething.domain.states import State
from tests.support.builders import catalog
from tests.support.refusals import refused, said

SECRET = "s" * 40


def posted(**kwargs) -> Shipment:
    return Shipment.post("ems", "EA123456789CN", ["营业执照正副本", "公章一套"], **kwargs)


def out_for_delivery() -> Shipment:
    shipment = posted()
    shipment.act("pickup")
    shipment.act("out_for_delivery")
    return shipment


def test_posting_tells_the_recipient_the_carrier_tracking_number_and_a_six_digit_code():
    shipment = posted()
    [(kind, payload)] = shipment.notices
    assert kind == "shipment_posted"
    assert payload == {"carrier": "中国邮政EMS", "tracking_number": "EA123456789CN", "pickup_code": shipment.pickup_code}
    assert len(shipment.pickup_code) == 6 and shipment.pickup_code.isdigit()
    assert shipment.next_actions() == ["pickup"]


@pytest.mark.parametrize("carrier, tracking, pieces, code", [
    ("dhl", "EA123456789CN", ["x"], "unknown_carrier"),
    ("ems", "EA-12", ["x"], "invalid_tracking_number"),
    ("ems", "EA123456789CN", [], "invalid_pieces"),
    ("ems", "EA123456789CN", ["  "], "invalid_pieces"),
    ("ems", "EA123456789CN", ["x"] * 11, "invalid_pieces"),
])
def test_a_shipment_needs_a_known_carrier_a_tracking_number_and_its_pieces(carrier, tracking, pieces, code):
    with pytest.raises(ShipmentRuleError) as refused:
        Shipment.post(carrier, tracking, pieces)
    assert refused.value.code == code


def test_the_happy_path_notifies_at_each_hand_over():
    shipment = out_for_delivery()
    assert shipment.act("deliver", pickup_code=shipment.pickup_code)
    assert shipment.state == ShipmentState.DELIVERED
    assert [s.action for s in shipment.scans] == ["pickup", "out_for_delivery", "deliver"]
    assert [k for k, _ in shipment.notices] == ["shipment_posted", "shipment_picked_up", "shipment_out_for_delivery"]
    assert shipment.notices[1][1] == {"carrier": "中国邮政EMS", "tracking_number": "EA123456789CN"}
    assert shipment.next_actions() == []


def test_a_repeated_scan_records_nothing():
    shipment = posted()
    assert shipment.act("pickup") is True
    assert shipment.act("pickup") is False
    assert len(shipment.scans) == 1 and len(shipment.notices) == 2


def test_an_action_out_of_order_is_refused_naming_what_comes_next():
    shipment = posted()
    with pytest.raises(ShipmentRuleError) as refused:
        shipment.act("deliver", pickup_code=shipment.pickup_code)
    assert refused.value.code == "out_of_order"
    assert said(refused.value) == "邮件当前为“待揽收”，不能签收（核对取件码）。下一步可以：在服务中心揽收。"
    assert refused.value.details["allowed"] == ["pickup"]
    assert shipment.state == ShipmentState.CREATED and shipment.scans == []


def test_a_failed_attempt_needs_a_reason_then_goes_out_again_or_back_to_the_centre():
    shipment = out_for_delivery()
    with refused(ShipmentRuleError, "须说明原因"):
        shipment.act("fail", reason=" ")
    shipment.act("fail", reason="收件人不在")
    assert shipment.notices[-1] == ("shipment_failed", {"reason": "收件人不在"})
    assert shipment.next_actions() == ["out_for_delivery", "return"]
    shipment.act("return")
    assert shipment.state == ShipmentState.RETURNED and shipment.notices[-1] == ("shipment_returned", {})


def test_the_pickup_code_locks_after_five_wrong_tries():
    shipment = out_for_delivery()
    wrong = "000000" if shipment.pickup_code != "000000" else "111111"
    for left in range(CODE_TRIES - 1, -1, -1):
        with pytest.raises(WrongPickupCode) as refused:
            shipment.act("deliver", pickup_code=wrong)
        assert refused.value.details["attempts_left"] == left
    assert shipment.locked and "deliver" not in shipment.next_actions()
    with pytest.raises(ShipmentRuleError) as locked:
        shipment.act("deliver", pickup_code=shipment.pickup_code)  # even the right code, once locked
    assert locked.value.code == "code_locked" and shipment.state == ShipmentState.OUT_FOR_DELIVERY
    shipment.act("fail", reason="取件码无法核对")  # what remains: a failed attempt, then back to the centre


def test_a_malformed_code_does_not_count_as_a_try():
    shipment = out_for_delivery()
    with pytest.raises(ShipmentRuleError) as refused:
        shipment.act("deliver", pickup_code="12ab")
    assert refused.value.code == "invalid_code" and shipment.code_attempts == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(RESULT)), max_size=20))
def test_no_sequence_of_scans_skips_a_step(actions):
    shipment = posted()
    for action in actions:
        try:
            shipment.act(action, pickup_code=shipment.pickup_code, reason="收件人不在")
        except ShipmentRuleError:
            pass
    seen = [s.action for s in shipment.scans]
    if "deliver" in seen:
        assert seen.index("pickup") < seen.index("out_for_delivery") < seen.index("deliver") == len(seen) - 1
    for earlier, later in zip(shipment.scans, shipment.scans[1:]):
        assert earlier.to_state == later.from_state


def test_tokens_are_random_signed_and_carry_nothing_else():
    token, nonce = issue_token(SECRET)
    assert read_token(token, SECRET) == nonce and token_for(nonce, SECRET) == token
    assert issue_token(SECRET)[0] != token and len(token) == 38
    assert read_token(token, "another-secret-" * 3) is None  # signed by someone else
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert read_token(flipped, SECRET) is None
    for junk in ("", "../../etc/passwd", token + "x", "a" * 38):
        assert read_token(junk, SECRET) is None


def test_tokens_expire():
    created = datetime(2026, 3, 2, tzinfo=timezone.utc)
    assert not token_expired(created, created + timedelta(days=59))
    assert token_expired(created, created + timedelta(days=61))


def test_delivery_closes_the_case_and_invites_a_rating():
    case = Case(thing=catalog().things["opening"], state=State.RESULTS_READY)
    case.hand_over("deliver", "EMS EA123456789CN 签收")
    assert case.state == State.CLOSED
    assert [e.action for e in case.events] == ["deliver", "close"] and case.events[0].note == "EMS EA123456789CN 签收"
    assert [k for k, _ in case.notices] == ["closed", "rate_invitation"]
    collected = Case(thing=catalog().things["opening"], state=State.RESULTS_READY)
    collected.hand_over("collect")
    assert [k for k, _ in collected.notices] == ["closed"]  # asked at the window in person


def test_carrier_updates_are_signed_fresh_and_untampered():
    body, now = b'{"tracking_number":"EA123456789CN","event":"picked_up"}', 1_800_000_000
    signature = carrier_updates.sign(SECRET, str(now), body)
    assert carrier_updates.check(SECRET, str(now), body, signature, now + 10) is None
    assert carrier_updates.check(SECRET, str(now), body + b" ", signature, now) == "bad_signature"
    assert carrier_updates.check("x" * 40, str(now), body, signature, now) == "bad_signature"
    assert carrier_updates.check(SECRET, str(now), body, signature, now + 301) == "stale"
    assert carrier_updates.check(SECRET, "soon", body, signature, now) == "stale"
