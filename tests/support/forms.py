"""Filling a thing's unified form the way an applicant would: a plausible value for every required field."""

from __future__ import annotations

VALID_FORM = {
    "company_name": "某县青禾餐饮管理有限公司", "company_type": "有限责任公司", "registered_capital": 50,
    "business_scope": "餐饮服务；食品销售", "address": "城关镇解放路18号2幢101室", "legal_rep_name": "王青禾",
    "legal_rep_id_number": "110101199003074573", "legal_rep_phone": "13812345678",
}


def sample(spec: dict, field: str = ""):
    """A plausible value for one schema node."""
    if "enum" in spec:
        return spec["enum"][0]
    kind = spec.get("type")
    if kind == "integer" or kind == "number":
        return max(spec.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(spec.get("items", {}), field) for _ in range(max(spec.get("minItems", 1), 1))]
    if kind == "object":
        return complete_form(spec)
    if "pattern" in spec and "id_number" in field:
        return "11010519491231002X"
    if "pattern" in spec and ("phone" in field or "mobile" in field):
        return "13900001111"
    return "示例内容填写" * max(1, spec.get("minLength", 0) // 6 + 1)


def complete_form(schema: dict) -> dict:
    """VALID_FORM plus a plausible value for every other required field of the schema."""
    form = {k: v for k, v in VALID_FORM.items() if k in schema.get("properties", {})}
    for field in schema.get("required", []):
        form.setdefault(field, sample(schema["properties"][field], field))
    return form
