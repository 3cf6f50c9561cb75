"""Passwords and keys given apart from their URL: every character arrives as it was typed."""

import pytest
from tortoise.backends.base.config_generator import expand_db_url

from onething.settings import SettingsError, load_settings

# every character that means something in a URL, and a %-escape that must stay as typed
NASTY = "p@ss/w+rd%41#?&:x"


def _load(tmp_path, **values):
    return load_settings({"ONETHING_DATA_DIR": str(tmp_path), **{f"ONETHING_{k}": v for k, v in values.items()}})


def test_a_database_password_apart_from_the_url_reaches_the_driver_intact(tmp_path):
    settings = _load(tmp_path, DATABASE_URL="postgresql://onething@db:5432/onething", DATABASE_PASSWORD=NASTY)
    credentials = expand_db_url(settings.database_url)["credentials"]
    assert (credentials["host"], credentials["port"], credentials["database"]) == ("db", 5432, "onething")
    assert (credentials["user"], credentials["password"]) == ("onething", NASTY)


def test_the_same_password_pasted_into_the_url_names_another_host():
    # why the password goes apart: the URL alone cannot carry it
    credentials = expand_db_url(f"postgres://onething:{NASTY}@db:5432/onething")["credentials"]
    assert credentials["host"] != "db" and credentials["password"] != NASTY


def test_a_database_password_given_twice_or_for_sqlite_is_refused(tmp_path):
    with pytest.raises(SettingsError) as caught:
        _load(tmp_path, DATABASE_URL="postgres://onething:old@db:5432/onething", DATABASE_PASSWORD="new")
    assert "leave the password out of ONETHING_DATABASE_URL" in str(caught.value)
    with pytest.raises(SettingsError) as caught:
        _load(tmp_path, DATABASE_PASSWORD="pw")
    assert "ONETHING_DATABASE_PASSWORD goes with a postgres://" in str(caught.value)


def test_object_store_keys_apart_from_the_url_reach_the_client_intact(tmp_path):
    settings = _load(tmp_path, OBJECT_STORE_URL="s3://minio:9000/onething?secure=false",
                     OBJECT_STORE_ACCESS_KEY="on+thing@gov/cn", OBJECT_STORE_SECRET_KEY=NASTY)
    s3 = settings.object_store.s3
    assert (s3.endpoint, s3.bucket, s3.secure) == ("minio:9000", "onething", False)
    assert (s3.access_key, s3.secret_key) == ("on+thing@gov/cn", NASTY)


def test_object_store_keys_given_twice_halfway_or_for_a_folder_are_refused(tmp_path):
    for values, says in [
        ({"OBJECT_STORE_URL": "s3://AK:SK@minio:9000/onething", "OBJECT_STORE_ACCESS_KEY": "AK",
          "OBJECT_STORE_SECRET_KEY": "SK"}, "leave the keys out of the URL"),
        ({"OBJECT_STORE_URL": "s3://minio:9000/onething", "OBJECT_STORE_ACCESS_KEY": "AK"},
         "ONETHING_OBJECT_STORE_URL must look like"),
        ({"OBJECT_STORE_ACCESS_KEY": "AK", "OBJECT_STORE_SECRET_KEY": "SK"}, "go with an s3://"),
    ]:
        with pytest.raises(SettingsError) as caught:
            _load(tmp_path, **values)
        assert says in str(caught.value)
