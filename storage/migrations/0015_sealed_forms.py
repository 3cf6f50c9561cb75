from tortoise import migrations
from tortoise.migrations import operations as ops
import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

# Forms stored before personal fields were sealed get them sealed here, as the code seals them
# now (onething.services.forms): "enc:" and a Fernet token under the key the identity record uses.
# The fields are those the catalog marked personal when this was written, and the format is
# frozen here: the migration must not change with the code. A value already sealed (one that opens
# under the key) is left alone; a clear value that merely starts with "enc:" is sealed like any other.
PERSONAL = {
    "business-opening": ["address", "legal_rep_id_number", "legal_rep_phone", "shareholders.*.id_number",
                         "finance_officer_id_number", "finance_officer_phone"],
    "construction-permit": ["legal_rep_id_number", "contact_phone"],
    "newborn": ["mother_id_number", "father_id_number", "applicant_phone", "household_address"],
    "resale-housing-transfer": ["buyer_id_number", "buyer_phone", "seller_id_number", "seller_phone",
                                "property_address", "water_account_number", "power_account_number",
                                "gas_account_number", "broadband_account_number"],
    "restaurant-opening": ["operator_id_number", "operator_phone", "business_address"],
    "retirement": ["applicant_id_number", "applicant_phone", "pension_bank_account", "housing_fund_account_number",
                   "withdrawal_bank_account"],
}
SEALED = "enc:"
BATCH = 500


def _fernet(secret_key):
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"onething/id-numbers/{secret_key}".encode()).digest()))


def _seal(value, parts, encrypt, is_sealed):
    """``value`` with the clear strings at ``parts`` (``*``: each element of a list) sealed."""
    if not parts:
        return SEALED + encrypt(value) if isinstance(value, str) and not is_sealed(value) else value
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [_seal(v, rest, encrypt, is_sealed) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict) and head in value:
        return {**value, head: _seal(value[head], rest, encrypt, is_sealed)}
    return value


async def seal_personal_fields(apps, schema_editor):
    from storage.db import migration_secret

    conn = schema_editor.client
    application = apps.get_model("models", "Application")
    query = application.filter(thing__in=list(PERSONAL)).using_db(conn)
    if not await query.exists():
        return
    secret = migration_secret()
    if not secret:
        raise RuntimeError("sealing the personal fields of stored forms needs the server secret: "
                           "run `onething migrate` with ONETHING_SECRET_KEY set")
    fernet = _fernet(secret)

    def encrypt(text):
        return fernet.encrypt(text.encode()).decode()

    def is_sealed(text):
        if not text.startswith(SEALED):
            return False
        try:
            fernet.decrypt(text[len(SEALED):].encode())
        except (InvalidToken, ValueError):
            return False
        return True

    last = 0
    while rows := await query.filter(id__gt=last).order_by("id").limit(BATCH).values_list("id", "thing", "form"):
        for row_id, thing, form in rows:
            form = json.loads(form) if isinstance(form, str) else form
            sealed = form
            for path in PERSONAL[thing]:
                sealed = _seal(sealed, path.split("."), encrypt, is_sealed)
            if sealed != form:
                await application.filter(id=row_id).using_db(conn).update(form=sealed)
            last = row_id


class Migration(migrations.Migration):
    dependencies = [('models', '0014_trail_heads_and_credit')]

    initial = False

    operations = [
        ops.RunPython(seal_personal_fields, ops.RunPython.noop),
    ]
