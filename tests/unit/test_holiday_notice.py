"""The State Council's holiday notice, read as published."""

from pathlib import Path

import pytest

from onething.domain.holiday_notice import NoticeError, parse_notice
from onething.services.reference import load_seed_schedules
from tests.support.builders import d

NOTICES = Path(__file__).parent.parent / "support" / "notices"


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_published_notices_give_exactly_the_shipped_schedules(year):
    shipped = {s.year: s for s in load_seed_schedules()}[year]
    parsed = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"), year).schedule()
    assert parsed.holidays == shipped.holidays and parsed.workdays == shipped.workdays
    assert not parsed.provisional


def test_one_line_may_arrange_two_festivals():
    notice = parse_notice((NOTICES / "2025.txt").read_text(encoding="utf-8"), 2025)
    joined = [a for a in notice.arrangements if len(a.festivals) == 2][0]
    assert joined.festivals == ("国庆节", "中秋节") and len(joined.days_off) == 8
    assert joined.workdays == (d("2025-09-28"), d("2025-10-11"))


def published(year: int = 2026) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("broken, line_no, reason", [
    (("六、中秋节：", "六、重阳节："), 11, "unknown holiday name '重阳节'"),
    (("5月9日（周六）上班", "5月8日（周六）上班"), 9, "2026-05-08 is a 周五, not 周六"),
    (("6月19日（周五）至21日（周日）放假，共3天", "6月19日（周五）至21日（周日）放假，共4天"), 10, "says 4 days"),
    (("1月4日（周日）上班", "1月3日（周六）上班"), 6, "both a holiday and a workday"),
    (("9月25日（周五）", "2027年9月25日（周五）"), 11, "outside 2026"),
])
def test_a_notice_that_does_not_read_is_refused_naming_the_line(broken, line_no, reason):
    old, new = broken
    text = published().replace(old, new, 1)
    assert text != published()
    with pytest.raises(NoticeError) as raised:
        parse_notice(text, 2026)
    assert raised.value.line_no == line_no and reason in str(raised.value)


def test_a_day_that_is_not_in_the_calendar_is_refused():
    text = published().replace("五、端午节：6月19日（周五）至21日", "五、端午节：6月31日（周五）至21日", 1)
    with pytest.raises(NoticeError, match="not a date in 2026"):
        parse_notice(text, 2026)


def test_a_notice_for_another_year_is_refused_by_its_weekdays():
    with pytest.raises(NoticeError, match="line 6: 2027-01-01 is a 周五, not 周四"):
        parse_notice(published(2026), 2027)


def test_a_notice_missing_a_festival_is_refused():
    text = "\n".join(line for line in published().splitlines() if not line.startswith("三、"))
    with pytest.raises(NoticeError, match="does not arrange 清明节"):
        parse_notice(text, 2026)
