"""The migration that seals the personal fields of forms stored in clear, on each database."""

from __future__ import annotations

import importlib
import json

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from onething.services.citizens import IdCipher
from onething.services.forms import unseal
from onething.services.reference import load_catalog
from storage import db
from storage.models import Application
from tests.conftest import TEST_SECRET
from tests.integration.test_audit_trails import empty_database_url  # noqa: F401 (a fixture)
from tests.support.builders import id_number

SEALING = importlib.import_module("storage.migrations.0015_sealed_forms")
CATALOG = load_catalog()
LEGAL_REP, SHAREHOLDER, MOTHER = id_number("legal-rep"), id_number("shareholder"), id_number("mother")
OPENING = {"company_name": "某县青禾餐饮管理有限公司", "legal_rep_id_number": LEGAL_REP,
           "legal_rep_phone": "13955550123", "address": "城关镇解放路18号2幢101室",
           "shareholders": [{"name": "王青禾", "id_number": SHAREHOLDER}, {"name": "李四"}]}
NEWBORN = {"baby_name": "王小禾", "mother_id_number": MOTHER, "household_address": "城关镇解放路20号"}
CLEAR = (LEGAL_REP, SHAREHOLDER, MOTHER, "13955550123", "解放路18号", "解放路20号", "解放路30号")
ALREADY_SEALED = "enc:" + IdCipher(TEST_SECRET).encrypt("13955550124")
# a clear address that merely starts like a sealed value, beside a phone sealed under the key
RESTAURANT = {"business_name": "青禾小馆", "business_address": "enc:城关镇解放路30号", "operator_phone": ALREADY_SEALED}


async def before_sealing(url: str) -> None:
    """The schema as it was before the sealing migration."""
    (app, name), = SEALING.Migration.dependencies
    await migrate(config=db.tortoise_config(url), target=f"{app}.{name}")
    await Tortoise.close_connections()


async def legacy_case(number: str, thing: str, form: dict, openid: str) -> None:
    """A citizen and their case written as the code before sealing wrote them: plain SQL, since the
    models now have columns later migrations add."""
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    script = connections.get("default").execute_script
    await script("INSERT INTO citizen (openid, created_at, enterprise_verified) "
                 f"SELECT {quoted(openid)}, CURRENT_TIMESTAMP, FALSE "
                 f"WHERE NOT EXISTS (SELECT 1 FROM citizen WHERE openid = {quoted(openid)})")
    await script("INSERT INTO application (number, thing, state, version, form, problems, owed, created_at, "
                 f"updated_at, applicant_id) SELECT {quoted(number)}, {quoted(thing)}, 'draft', 1, "
                 f"{quoted(json.dumps(form, ensure_ascii=False))}, '[]', '{{}}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, id "
                 f"FROM citizen WHERE openid = {quoted(openid)}")


async def raw_forms() -> dict[str, str]:
    """Each form as the column holds it (read back without escapes, so a clear address shows too)."""
    rows = await connections.get("default").execute_query_dict("SELECT number, form FROM application")
    return {r["number"]: json.dumps(json.loads(r["form"]) if isinstance(r["form"], str) else r["form"],
                                    ensure_ascii=False) for r in rows}


async def test_forms_stored_in_clear_are_sealed_and_read_back_as_entered(empty_database_url):
    url = empty_database_url
    await before_sealing(url)
    async with db.database(url):  # rows as the code before this change wrote them
        for number, thing, form in (("YS1", "business-opening", OPENING), ("YS2", "newborn", NEWBORN),
                                    ("YS3", "retirement", {}), ("YS4", "restaurant-opening", RESTAURANT)):
            await legacy_case(number, thing, form, "o-legacy")
        assert all(LEGAL_REP in f or MOTHER in f or "解放路30号" in f or f == "{}" for f in (await raw_forms()).values())

    applied = await db.migrate(url, secret_key=TEST_SECRET)
    assert applied[:3] == ["models.0015_sealed_forms", "models.0016_send_claims", "models.0017_missing_indexes"]
    cipher = IdCipher(TEST_SECRET)
    async with db.database(url):
        raw = await raw_forms()
        assert [value for value in CLEAR if value in "".join(raw.values())] == []
        assert "某县青禾餐饮管理有限公司" in raw["YS1"] and "李四" in raw["YS1"]  # what is not personal stays
        for number, thing, form in (("YS1", "business-opening", OPENING), ("YS2", "newborn", NEWBORN),
                                    ("YS4", "restaurant-opening", {**RESTAURANT, "operator_phone": "13955550124"})):
            stored = (await Application.get(number=number)).form
            assert unseal(CATALOG.things[thing].form, stored, cipher) == form
        assert (await Application.get(number="YS4")).form["operator_phone"] == ALREADY_SEALED  # left alone


async def test_sealing_forms_that_exist_needs_the_server_secret(empty_database_url):
    url = empty_database_url
    await before_sealing(url)
    async with db.database(url):
        await legacy_case("YS1", "newborn", NEWBORN, "o-x")
    with pytest.raises(RuntimeError, match="ONETHING_SECRET_KEY"):
        await db.migrate(url)
    async with db.database(url):
        assert MOTHER in (await raw_forms())["YS1"]  # left as it was, to be sealed once the secret is given


def personal_paths(spec: dict, path: str = "") -> list[str]:
    """The fields a form schema marks personal, as the migration names them (``*``: each element)."""
    if spec.get("personal"):
        return [path]
    found = [p for name, child in (spec.get("properties") or {}).items()
             for p in personal_paths(child, f"{path}.{name}" if path else name)]
    if isinstance(spec.get("items"), dict):
        found += personal_paths(spec["items"], f"{path}.*")
    return found


def test_the_migration_seals_every_field_the_shipped_catalog_marks_personal():
    marked = {code: sorted(personal_paths(thing.form)) for code, thing in CATALOG.things.items()}
    assert {code: sorted(paths) for code, paths in SEALING.PERSONAL.items()} == {c: p for c, p in marked.items() if p}
