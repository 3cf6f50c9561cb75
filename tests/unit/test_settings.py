import pytest

from onething.settings import Secret, SettingsError, load_settings


def test_nothing_set_runs_on_the_embedded_default(tmp_path):
    settings = load_settings({"ONETHING_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite://{tmp_path / 'onething.sqlite3'}"
    assert settings.embedded_redis
    assert settings.object_store.folder == tmp_path / "objects"
    assert settings.wechat_sandbox
    assert not settings.production


def test_development_secret_is_kept_across_restarts(tmp_path):
    first = load_settings({"ONETHING_DATA_DIR": str(tmp_path)}).secret_key
    again = load_settings({"ONETHING_DATA_DIR": str(tmp_path)}).secret_key
    assert first == again and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_bad_url_is_reported_at_once_by_its_variable_name():
    with pytest.raises(SettingsError) as caught:
        load_settings({
            "ONETHING_DATABASE_URL": "mysql://x/y",
            "ONETHING_REDIS_URL": "http://cache",
            "ONETHING_OBJECT_STORE_URL": "s3://minio:9000/b",
            "ONETHING_PUBLIC_URL": "not a url",
            "ONETHING_SECRET_KEY": "x" * 40,
        })
    text = str(caught.value)
    for name in ("DATABASE_URL", "REDIS_URL", "OBJECT_STORE_URL", "PUBLIC_URL"):
        assert f"ONETHING_{name}" in text
    assert len(caught.value.problems) == 4


def test_production_demands_its_secrets():
    with pytest.raises(SettingsError) as caught:
        load_settings({"ONETHING_ENV": "production"})
    text = str(caught.value)
    assert "ONETHING_SECRET_KEY is required" in text
    assert "ONETHING_OA_APPID" in text and "ONETHING_MP_APPID" in text
    assert "ONETHING_REDIS_URL is required" in text


def test_production_with_everything_set_loads():
    settings = load_settings({
        "ONETHING_ENV": "production",
        "ONETHING_SECRET_KEY": "k" * 48,
        "ONETHING_DATABASE_URL": "postgresql://onething:pw@db:5432/onething",
        "ONETHING_REDIS_URL": "redis://redis:6379/0",
        "ONETHING_OBJECT_STORE_URL": "s3://AK:S%2FK@minio:9000/onething?secure=false&public_url=https://files.example.gov.cn",
        "ONETHING_OA_APPID": "wx-oa", "ONETHING_OA_SECRET": "s", "ONETHING_OA_TOKEN": "t",
        "ONETHING_OA_AES_KEY": "a" * 43,
        "ONETHING_MP_APPID": "wx-mp", "ONETHING_MP_SECRET": "s",
    })
    assert settings.database_url.startswith("postgres://onething:pw@db")
    s3 = settings.object_store.s3
    assert (s3.endpoint, s3.access_key, s3.secret_key, s3.bucket) == ("minio:9000", "AK", "S/K", "onething")
    assert (s3.secure, s3.public_endpoint, s3.public_secure) == (False, "files.example.gov.cn", True)
    assert not settings.wechat_sandbox


def test_half_configured_wechat_accounts_are_refused():
    with pytest.raises(SettingsError) as caught:
        load_settings({"ONETHING_SECRET_KEY": "k" * 40, "ONETHING_OA_APPID": "wx", "ONETHING_MP_SECRET": "s",
                       "ONETHING_OA_AES_KEY": "short"})
    assert len(caught.value.problems) == 3


def test_secrets_never_show_in_reprs(tmp_path):
    settings = load_settings({"ONETHING_DATA_DIR": str(tmp_path), "ONETHING_SECRET_KEY": "very-secret-" * 4})
    assert "very-secret" not in repr(settings)
    assert repr(Secret("abc")) == "Secret('******')"


def test_carrier_webhook_secrets_are_named_per_carrier(tmp_path):
    settings = load_settings({"ONETHING_DATA_DIR": str(tmp_path), "ONETHING_SECRET_KEY": "k" * 40,
                              "ONETHING_CARRIER_WEBHOOK_SECRETS": f"ems:{'e' * 32}, sf:{'f' * 40}"})
    assert settings.webhook_secret("ems") == "e" * 32 and settings.webhook_secret("sf") == "f" * 40
    assert settings.webhook_secret("dhl") is None and "eeee" not in repr(settings)
    for bad in ("ems:short", "dhl:" + "x" * 40, "ems" + "x" * 40):
        with pytest.raises(SettingsError, match="CARRIER_WEBHOOK_SECRETS"):
            load_settings({"ONETHING_DATA_DIR": str(tmp_path), "ONETHING_CARRIER_WEBHOOK_SECRETS": bad})


def test_a_dead_workers_lease_is_short_enough_to_resume_within_a_minute(tmp_path):
    base = {"ONETHING_DATA_DIR": str(tmp_path), "ONETHING_SECRET_KEY": "k" * 40}
    assert load_settings(base).worker_lease == 20
    assert load_settings({**base, "ONETHING_WORKER_LEASE": "3"}).worker_lease == 3
    for bad in ("0", "1", "31", "300", "2.5", "soon"):
        with pytest.raises(SettingsError, match="WORKER_LEASE"):
            load_settings({**base, "ONETHING_WORKER_LEASE": bad})
