from onething.services.forms import form_problems
from onething.services.reference import load_catalog

SCHEMA = load_catalog().things["business-opening"].form


def test_every_failing_field_is_reported_at_once_in_chinese():
    problems = form_problems(SCHEMA, {"company_name": "x", "legal_rep_phone": "123", "registered_capital": "many",
                                      "company_type": "合作社"}, complete=True)
    assert problems["company_name"] == "企业名称：内容太短"
    assert problems["legal_rep_phone"].endswith("格式不正确")
    assert problems["registered_capital"].endswith("格式不正确")
    assert problems["company_type"].endswith("请从给定选项中选择")
    assert problems["legal_rep_name"].endswith("必须填写")


def test_a_draft_may_be_incomplete_but_not_wrong():
    assert form_problems(SCHEMA, {"company_name": "某县青禾餐饮管理有限公司"}, complete=False) == {}
    assert "legal_rep_phone" in form_problems(SCHEMA, {"legal_rep_phone": "1"}, complete=False)


def test_unknown_fields_are_refused():
    assert form_problems(SCHEMA, {"hobby": "钓鱼"}, complete=False) == {"hobby": "表单中没有这个栏目"}
