"""The trail check: a chain of hashes that must also end where its owner's head says."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from onething.domain.audit import GENESIS, Break, Head, Link, chain, check, link_hash, stamp

AT = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def trail(n: int = 4) -> tuple[list[Link], Head]:
    links = chain([("staff:zhang", f"action-{i}", stamp(AT + timedelta(minutes=i))) for i in range(n)], Head())
    return links, Head(len(links), links[-1].hash)


def test_an_untouched_trail_checks_out_against_its_head():
    links, head = trail()
    assert [link.seq for link in links] == [1, 2, 3, 4] and links[0].prev_hash == GENESIS
    assert check(links, head) is None
    assert check([], Head()) is None


def test_appending_continues_from_the_head():
    links, head = trail(2)
    more = chain([("system", "later", stamp(AT))], head)
    assert more[0].seq == 3 and more[0].prev_hash == head.hash
    assert check(links + more, Head(3, more[0].hash)) is None


def test_deleting_the_last_events_is_caught_by_the_head():
    links, head = trail()
    assert check(links[:-1], head) == Break(4, "missing")
    assert check(links[:1], head) == Break(2, "missing")
    assert check([], head) == Break(1, "missing")


def test_a_changed_middle_event_breaks_there():
    links, head = trail()
    links[1] = dataclasses.replace(links[1], content=("staff:li", "action-1", stamp(AT)))
    assert check(links, head) == Break(2, "altered")


def test_a_rehashed_middle_event_breaks_the_next_link():
    links, head = trail()
    forged = ("staff:li", "action-1", stamp(AT))
    links[1] = dataclasses.replace(links[1], content=forged, hash=link_hash(2, forged, links[1].prev_hash))
    assert check(links, head) == Break(3, "altered")


def test_a_removed_middle_event_is_named_as_missing():
    links, head = trail()
    assert check(links[:1] + links[2:], head) == Break(2, "missing")


def test_events_beyond_the_head_or_a_head_off_the_end_do_not_check_out():
    links, head = trail()
    assert check(links, Head(3, links[2].hash)) == Break(4, "unrecorded")
    assert check(links, Head(4, "f" * 64)) == Break(4, "head")
    assert check([], Head(0, "f" * 64)) == Break(0, "head")


def test_times_hash_the_same_in_any_time_zone():
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    assert stamp(shanghai) == stamp(AT) == "2026-03-02T02:00:00.000000+00:00"
    assert stamp(AT.date()) == "2026-03-02" and stamp(None) is None


def test_the_case_trail_hash_is_unchanged_by_the_general_form():
    """Hashes stored before trails were generalised must still verify: the same JSON as before."""
    import hashlib
    import json

    content = ("staff:zhang", "clerk", "accept", "submitted", "accepted", None, "", stamp(AT))
    before = hashlib.sha256(json.dumps([1, *content, GENESIS], ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    assert link_hash(1, content, GENESIS) == before
