"""Personal data in forms: marked in the catalog, sealed at rest, masked when shown."""

import json

import pytest

from onething.domain import personal
from onething.domain.catalog_rules import CatalogInvalid
from onething.services.citizens import IdCipher
from onething.services.forms import seal, shown, unseal
from onething.services.reference import load_catalog
from tests.conftest import TEST_SECRET
from tests.support.builders import catalog, id_number, item, thing

SHIPPED = load_catalog()
OPENING = SHIPPED.things["business-opening"].form
CIPHER = IdCipher(TEST_SECRET)
LEGAL_REP, SHAREHOLDER = id_number("legal-rep"), id_number("shareholder")
FORM = {"company_name": "某县青禾餐饮管理有限公司", "address": "城关镇解放路18号2幢101室",
        "legal_rep_id_number": LEGAL_REP, "legal_rep_phone": "13955550123",
        "shareholders": [{"name": "王青禾", "id_number": SHAREHOLDER, "subscribed_capital": 30,
                          "contribution_deadline": "2030-12-31"}]}
CLEAR = (LEGAL_REP, SHAREHOLDER, "13955550123", "解放路18号")


def with_form(properties: dict) -> dict:
    """A thing whose items use every field of this form."""
    items = [item("licence", fields=tuple(properties)), item("seal", department="police")]
    return {**thing(items=items), "form": {"type": "object", "properties": properties}}


def errors_of(properties: dict) -> str:
    with pytest.raises(CatalogInvalid) as caught:
        catalog(with_form(properties))
    return "\n".join(caught.value.errors)


def test_the_shipped_forms_mark_id_numbers_phones_bank_accounts_and_addresses():
    def kind(thing_code, *path):
        spec = SHIPPED.things[thing_code].form
        for part in path:
            spec = spec["items"] if part == "*" else spec["properties"][part]
        return spec.get("personal")

    assert kind("business-opening", "legal_rep_id_number") == "id_number"
    assert kind("business-opening", "shareholders", "*", "id_number") == "id_number"
    assert kind("business-opening", "finance_officer_phone") == "phone"
    assert kind("business-opening", "address") == "address"
    assert kind("newborn", "household_address") == "address"
    assert kind("retirement", "pension_bank_account") == kind("retirement", "withdrawal_bank_account") == "bank_account"
    assert kind("business-opening", "company_name") is None


def test_a_field_named_like_personal_data_must_say_whether_it_is():
    text = errors_of({"name": {"type": "string"}, "owner_phone": {"type": "string"}})
    assert "opening.yaml: thing opening: form field 'owner_phone' looks personal" in text
    nested = errors_of({"name": {"type": "string"}, "people": {"type": "array", "items": {
        "type": "object", "properties": {"id_number": {"type": "string"}}}}})
    assert "form field 'people[].id_number' looks personal" in nested
    said = catalog(with_form({"name": {"type": "string"}, "site_address": {"type": "string", "personal": False},
                              "owner_phone": {"type": "string", "personal": "phone"}}))
    assert set(said.things["opening"].form["properties"]) == {"name", "site_address", "owner_phone"}


def test_unknown_kinds_and_personal_non_strings_are_refused():
    text = errors_of({"name": {"type": "string", "personal": "passport"},
                      "count": {"type": "integer", "personal": "phone"}})
    assert "form field 'name': personal must be one of id_number, phone, bank_account, address" in text
    assert "form field 'count': only a string field can hold personal data" in text


def test_each_kind_is_masked():
    assert personal.MASKS["id_number"]("110101199003074573") == "110***********4573"
    assert personal.MASKS["phone"]("13955550123") == "139****0123"
    assert personal.MASKS["bank_account"]("6222021234567890123") == "****0123"
    assert personal.MASKS["address"]("城关镇解放路18号2幢101室") == "城关镇解放路****"
    assert personal.MASKS["address"]("城关镇") == "城****"


def test_sealed_forms_hold_no_clear_value_and_open_to_what_was_entered():
    stored = seal(OPENING, FORM, CIPHER)
    text = json.dumps(stored, ensure_ascii=False)
    assert not [value for value in CLEAR if value in text]
    assert stored["company_name"] == FORM["company_name"] and stored["legal_rep_id_number"].startswith("enc:")
    assert unseal(OPENING, stored, CIPHER) == FORM
    assert unseal(OPENING, FORM, CIPHER) == FORM  # a value stored before sealing reads as it is


def test_shown_forms_are_masked_down_to_nested_fields():
    view = shown(OPENING, seal(OPENING, FORM, CIPHER), CIPHER)
    assert view["legal_rep_id_number"] == personal.MASKS["id_number"](LEGAL_REP)
    assert view["shareholders"][0] == {**FORM["shareholders"][0], "id_number": personal.MASKS["id_number"](SHAREHOLDER)}
    assert not [value for value in CLEAR if value in json.dumps(view, ensure_ascii=False)]


def test_a_masked_value_sent_back_keeps_the_stored_one_and_a_new_value_replaces_it():
    echoed = personal.masked(OPENING, FORM)
    assert personal.keep_masked(OPENING, echoed, FORM) == FORM
    changed = {**echoed, "legal_rep_phone": "13700001111"}
    assert personal.keep_masked(OPENING, changed, FORM) == {**FORM, "legal_rep_phone": "13700001111"}


def test_a_path_locates_top_level_and_nested_fields():
    assert personal.locate(OPENING, FORM, "shareholders.0.id_number")[1] == SHAREHOLDER
    assert personal.locate(OPENING, FORM, "legal_rep_id_number")[0]["personal"] == "id_number"
    assert personal.locate(OPENING, FORM, "finance_officer_phone") == (OPENING["properties"]["finance_officer_phone"],
                                                                      None)
    for missing in ("shareholders.1.id_number", "hobby", "company_name.x", "shareholders.x"):
        assert personal.locate(OPENING, FORM, missing) is None


def test_utility_and_broadband_account_numbers_are_marked():
    resale = SHIPPED.things["resale-housing-transfer"].form["properties"]
    assert {f: resale[f].get("personal") for f in ("water_account_number", "power_account_number",
                                                   "gas_account_number", "broadband_account_number")} == dict.fromkeys(
        ("water_account_number", "power_account_number", "gas_account_number", "broadband_account_number"),
        "bank_account")


@pytest.mark.parametrize("name", ["broadband_account_number", "account_no", "contact_tel", "office_telephone",
                                  "landline", "contact_email", "id_card", "social_security_card_number"])
def test_account_numbers_telephones_emails_and_cards_must_say_whether_they_are_personal(name):
    assert f"form field {name!r} looks personal" in errors_of({"name": {"type": "string"}, name: {"type": "string"}})


def test_an_email_is_masked_to_its_first_letter_and_domain():
    assert personal.MASKS["email"]("wangqinghe@example.com") == "w***@example.com"
    assert personal.MASKS["email"]("not an address") == "****"


def test_a_delivery_is_masked_more_for_a_colleague_than_for_the_applicant():
    choice = {"method": "post", "recipient": "王青禾", "phone": "13812345678",
              "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号2幢101室"}}
    assert personal.masked_delivery(choice, own=True) == {**choice, "phone": "138****5678"}
    assert personal.masked_delivery(choice, own=False) == {
        **choice, "recipient": "王**", "phone": "138****5678", "address": {**choice["address"], "detail": "城关镇解放路****"}}
    assert personal.masked_delivery({"method": "pickup"}, own=False) == {"method": "pickup"}
    assert personal.masked_delivery(None, own=False) is None


OTHER = id_number("other-shareholder")
THREE = {**FORM, "shareholders": [
    {"name": "王青禾", "id_number": SHAREHOLDER, "subscribed_capital": 30, "contribution_deadline": "2030-12-31"},
    {"name": "李四", "id_number": OTHER, "subscribed_capital": 20, "contribution_deadline": "2030-12-31"},
    {"name": "张三", "id_number": LEGAL_REP, "subscribed_capital": 50, "contribution_deadline": "2030-12-31"}]}


def test_a_shareholder_removed_or_moved_keeps_the_others_stored_numbers():
    echoed = personal.masked(OPENING, THREE)["shareholders"]
    removed = personal.keep_masked(OPENING, {**FORM, "shareholders": [echoed[0], echoed[2]]}, THREE)
    assert removed["shareholders"] == [THREE["shareholders"][0], THREE["shareholders"][2]]
    moved = personal.keep_masked(OPENING, {**FORM, "shareholders": echoed[::-1]}, THREE)
    assert moved["shareholders"] == THREE["shareholders"][::-1]


def test_a_shareholder_added_or_retyped_is_taken_as_entered_and_the_name_tells_two_alike_masks_apart():
    echoed = personal.masked(OPENING, THREE)["shareholders"]
    new = {"name": "赵五", "id_number": id_number("new-shareholder"), "subscribed_capital": 10,
           "contribution_deadline": "2030-12-31"}
    added = personal.keep_masked(OPENING, {**FORM, "shareholders": [new, *echoed]}, THREE)
    assert added["shareholders"] == [new, *THREE["shareholders"]]
    masked_only = {**echoed[1], "name": "新股东"}  # a mask no stored element was shown with stays as sent
    assert personal.keep_masked(OPENING, {**FORM, "shareholders": [{**masked_only, "id_number": "110***"}]},
                                THREE)["shareholders"] == [{**masked_only, "id_number": "110***"}]
    twins = [{**THREE["shareholders"][0], "name": name} for name in ("王青禾", "王青苗")]
    other_digit = "1" if SHAREHOLDER[-5] == "0" else "0"
    twins[1]["id_number"] = SHAREHOLDER[:-5] + other_digit + SHAREHOLDER[-4:]  # the same mask, another number
    stored = {**FORM, "shareholders": twins}
    swapped = personal.keep_masked(OPENING, personal.masked(OPENING, {**FORM, "shareholders": twins[::-1]}), stored)
    assert swapped["shareholders"] == twins[::-1]


def test_a_value_that_does_not_open_is_shown_as_a_placeholder_and_the_warning_names_only_the_field(caplog):
    rotated = seal(OPENING, FORM, IdCipher("the-secret-before"))
    rotated["address"] = "enc:城关镇解放路18号2幢101室"  # clear, merely starting like a sealed value
    with caplog.at_level("WARNING", logger="onething.forms"):
        view = shown(OPENING, rotated, CIPHER, 7)
    assert (view["legal_rep_id_number"], view["legal_rep_phone"], view["address"]) == ("****",) * 3
    assert view["shareholders"][0]["id_number"] == "****" and view["company_name"] == FORM["company_name"]
    assert sorted((r.application, r.field) for r in caplog.records) == [
        (7, "address"), (7, "legal_rep_id_number"), (7, "legal_rep_phone"), (7, "shareholders.0.id_number")]
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert not [value for value in (*CLEAR, "enc:") if value in logged]


def test_a_placeholder_sent_back_keeps_the_unreadable_value_as_stored_and_a_new_value_replaces_it():
    from onething.services.forms import mask
    rotated = seal(OPENING, FORM, IdCipher("the-secret-before"))
    stored = unseal(OPENING, rotated, CIPHER)
    echoed = shown(OPENING, rotated, CIPHER)
    kept = personal.keep_masked(OPENING, {**echoed, "legal_rep_phone": "13700001111"}, stored, mask)
    resealed = seal(OPENING, kept, CIPHER)
    assert resealed["legal_rep_id_number"] == rotated["legal_rep_id_number"]  # not sealed twice
    assert resealed["shareholders"][0]["id_number"] == rotated["shareholders"][0]["id_number"]
    assert unseal(OPENING, resealed, CIPHER)["legal_rep_phone"] == "13700001111"
