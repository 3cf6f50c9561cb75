"""The credit blacklist's rules: who can be flagged, on what basis, and what clearing needs."""

from __future__ import annotations

import pytest

from onething.domain import credit
from onething.domain.credit import CreditRuleError
from tests.support.builders import credit_code, id_number
from tests.support.refusals import said


def test_a_person_is_flagged_by_a_valid_id_number_shown_masked():
    number = id_number("x")
    subject = credit.citizen(f" {number.lower()} ")
    assert subject.kind == "citizen" and subject.number == number.upper()
    assert subject.hint == f"{number[:3]}***********{number[-4:]}" and number not in subject.hint


def test_a_wrong_id_number_or_credit_code_is_refused_without_echoing_it():
    number = id_number("y")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(CreditRuleError) as refused:
        credit.citizen(wrong)
    assert refused.value.code == "invalid_id_number" and wrong not in said(refused.value)
    with pytest.raises(CreditRuleError) as refused:
        credit.enterprise("91350100ABCDEFGHIJ")
    assert refused.value.code == "invalid_credit_code"
    code = credit_code("z")
    assert credit.enterprise(code.lower()).number == code


def test_setting_needs_a_reason_and_a_document():
    assert credit.set_flag(" 拒不履行法院判决 ", "（2026）浙0102执123号") == credit.Change(
        "set", True, "拒不履行法院判决", "（2026）浙0102执123号")
    for reason, document, code in (("", "文书1", "reason_required"), ("理由", " ", "document_required"),
                                   ("理", "x" * 129, "document_required")):
        with pytest.raises(CreditRuleError) as refused:
            credit.set_flag(reason, document)
        assert refused.value.code == code


def test_only_a_standing_flag_can_be_cleared():
    assert credit.clear_flag(True, "已履行", "信用修复决定书1号").active is False
    with pytest.raises(CreditRuleError) as refused:
        credit.clear_flag(False, "已履行", "信用修复决定书1号")
    assert refused.value.code == "not_flagged" and refused.value.status == 404
