"""What the mini-program sends and gets back, in JSON Schema: checked before a handler runs and
published in the OpenAPI document. Text limits are those of the columns they are stored in
(storage/models); a response schema names what a client may rely on and forbids nothing more.
"""

from __future__ import annotations

from onething.web.schemas import ID, integer, items_of, obj, required_text, text

STR, INT, BOOL, OBJECT = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "object"}
MAYBE_STR = {"type": ["string", "null"]}
MAYBE_INT = {"type": ["integer", "null"]}
MAYBE_OBJECT = {"type": ["object", "null"]}
LIST = {"type": "array"}
FILE_TYPES = ("image/jpeg", "image/png", "application/pdf")


def answer(properties: dict[str, dict], required: tuple[str, ...] | None = None) -> dict:
    """A response object: these fields are always there; others may be added without notice."""
    return obj(properties, required=tuple(properties) if required is None else required, extra=True)


# -- requests ----------------------------------------------------------------------------------
# A credit code is stored in 18 characters (Application.enterprise_code); the few more are for the
# spaces a pasted code brings, which are stripped before it is checked.
CREDIT_CODE = text(24, "统一社会信用代码")
LOGIN = obj({"code": required_text(128, "登录凭证")}, required=("code",))
IDENTITY = obj({"real_name": text(64, "姓名"), "id_number": text(18, "身份证号"), "mobile": text(20, "手机号")},
               required=("real_name", "id_number", "mobile"))
ENTERPRISE = obj({"credit_code": CREDIT_CODE}, required=("credit_code",))
SUBSCRIBE = obj({"results": {"type": "object", "title": "订阅结果", "maxProperties": 50,
                             "propertyNames": {"maxLength": 128},
                             "additionalProperties": {"type": "string", "maxLength": 64}}},
                required=("results",))
FORM = {"type": "object", "title": "申请表",
        "description": "个人信息栏目（personal）显示为掩码：原样提交掩码即保留原值，重新填写则替换"}
NEW_CASE = obj({"thing": required_text(64, "事项"), "form": FORM,
                "enterprise": {**CREDIT_CODE, "type": ["string", "null"]}}, required=("thing",))
FORM_CHANGE = obj({"form": FORM})
UPLOAD_URL = obj({"filename": required_text(255, "文件名"),
                  "content_type": {"type": "string", "enum": list(FILE_TYPES), "title": "文件类型"},
                  "size": integer(0, 2**53, "文件大小（字节）")}, required=("filename", "content_type", "size"))
FROM_WALLET = obj({"file": {**ID, "title": "证照夹中的文件"}}, required=("file",))
FROM_CERTIFICATE = obj({"certificate": {**ID, "title": "证照夹中的电子证照"}}, required=("certificate",))
WITHDRAW = obj({"reason": text(200, "撤回原因")})
ADDRESS = obj({"province": required_text(20, "省"), "city": required_text(20, "市"),
               "district": required_text(20, "区县"), "detail": required_text(100, "详细地址")},
              required=("province", "city", "district", "detail"), title="收件地址")
DELIVERY = obj({"method": {"type": "string", "enum": ["post", "pickup"], "title": "领取方式"},
                "recipient": required_text(30, "收件人"),
                "phone": text(20, "收件人手机号", pattern=r"^\s*1[3-9][0-9]{9}\s*$"), "address": ADDRESS},
               required=("method",),
               # posting needs someone to post to
               **{"if": {"properties": {"method": {"const": "post"}}, "required": ["method"]},
                  "then": {"required": ["recipient", "phone", "address"]}})
EVALUATION = obj({"score": integer(1, 5, "评分"), "comment": text(500, "评价内容")}, required=("score",))

# -- responses ---------------------------------------------------------------------------------
USER = answer({"id": INT, "real_name": MAYBE_STR, "id_number": MAYBE_STR, "mobile": MAYBE_STR,
               "enterprise": MAYBE_OBJECT})
SESSION = answer({"token": STR, "expires_in": INT, "user": USER})
THING = answer({"code": STR, "name": STR, "summary": STR, "audience": STR, "promised_days": INT, "trips": INT,
                "postable": BOOL})
THING_NOTICE = answer({"code": STR, "name": STR, "notice": OBJECT, "form": OBJECT})
CASE = answer({"id": INT, "number": STR, "thing": STR, "thing_name": STR, "state": STR, "state_name": STR,
               "submitted_at": MAYBE_STR, "intake_due_on": MAYBE_STR, "suspended_since": MAYBE_STR})
CASES = answer({"items": {"type": "array", "items": CASE}, "page": INT, "page_size": INT, "total": INT})
CASE_DETAIL = answer({**CASE["properties"], "form": OBJECT, "problems": LIST, "owed": LIST,
                      "expected_completion_on": MAYBE_STR, "tasks": LIST, "timeline": LIST, "materials": LIST,
                      "delivery": MAYBE_OBJECT, "evaluation": MAYBE_OBJECT})
UPLOAD = answer({"method": STR, "url": STR, "fields": OBJECT, "headers": OBJECT, "file_field": MAYBE_STR,
                 "max_size": INT, "expires_at": STR})
WALLET = items_of(answer({"id": INT, "material": STR, "name": STR, "filename": STR, "size": INT,
                          "uploaded_at": STR}))
STANDS_FOR = {"type": "array", "items": answer({"material": STR, "name": STR})}
CERTIFICATE = {"id": INT, "item": STR, "item_name": STR, "name": STR, "result_number": STR, "application_id": INT,
               "application_number": STR, "stands_for": STANDS_FOR}
CERTIFICATES = items_of(answer(CERTIFICATE))
RESULTS = items_of(answer({**CERTIFICATE, "download_url": STR}))
REMAINING = {"type": "object", "additionalProperties": INT, "description": "各模板剩余可发条数（-1 为长期）"}
SUBSCRIPTIONS = answer({"templates": {"type": "array", "items": STR}, "remaining": REMAINING})
CONSENTS = answer({"remaining": REMAINING})
SHIPMENT = answer({"id": INT, "number": STR, "carrier": STR, "carrier_name": STR, "tracking_number": STR,
                   "state": STR, "state_name": STR, "pickup_code": MAYBE_STR, "scans": LIST})
