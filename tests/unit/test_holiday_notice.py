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


NOTICE_2024 = """国务院办公厅关于2024年部分节假日安排的通知
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
"""


def test_older_wording_reads_too_and_what_only_explains_is_read_past():
    # 2024's notice wrote 星期日 for 周日, and encouraged a day off on 除夕 without arranging one
    schedule = parse_notice(NOTICE_2024, 2024).schedule()
    assert d("2024-02-09") not in schedule.holidays and d("2024-02-10") in schedule.holidays
    assert schedule.workdays == {d("2024-02-04"), d("2024-02-18"), d("2024-04-07"), d("2024-04-28"),
                                 d("2024-05-11"), d("2024-09-14"), d("2024-09-29"), d("2024-10-12")}
    with pytest.raises(NoticeError, match="2024-04-07 is a 周日, not 周六"):
        parse_notice(NOTICE_2024.replace("4月7日（星期日）", "4月7日（星期六）"), 2024)
