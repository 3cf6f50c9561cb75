"""The SMS channel: its settings, all or nothing, and its place after the WeChat channels."""

from datetime import datetime, timezone

import pytest

from onething.domain.notifications import OA_TEMPLATE, SMS, Reach, Templates, channels
from onething.settings import SettingsError, load_settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
SMS_ENV = {"ONETHING_SMS_SECRET_ID": "AKIDexample", "ONETHING_SMS_SECRET_KEY": "sms-secret-0123456789",
           "ONETHING_SMS_SDK_APP_ID": "1400000001", "ONETHING_SMS_SIGN_NAME": "某县政务服务",
           "ONETHING_SMS_TEMPLATES": "shipment_posted=2000001, accepted=2000002"}


def test_without_sms_settings_the_channel_is_the_sandbox(tmp_path):
    assert load_settings({"ONETHING_DATA_DIR": str(tmp_path)}).sms is None


def test_sms_settings_are_read_once_typed_and_keep_their_secret(tmp_path):
    sms = load_settings({"ONETHING_DATA_DIR": str(tmp_path), **SMS_ENV,
                         "ONETHING_SMS_ENDPOINT": "http://127.0.0.1:9000/"}).sms
    assert (sms.scheme, sms.host, sms.region) == ("http", "127.0.0.1:9000", "ap-guangzhou")
    assert sms.template("shipment_posted") == "2000001" and sms.template("refused") == ""
    assert "sms-secret" not in repr(sms)


@pytest.mark.parametrize("change, named", [
    ({"ONETHING_SMS_SIGN_NAME": ""}, "SMS_SIGN_NAME"),
    ({"ONETHING_SMS_TEMPLATES": "birthday=2000001"}, "SMS_TEMPLATES"),
    ({"ONETHING_SMS_TEMPLATES": "accepted=abc"}, "SMS_TEMPLATES"),
    ({"ONETHING_SMS_ENDPOINT": "sms.example"}, "SMS_ENDPOINT"),
    ({"ONETHING_SMS_CALLBACK_TOKEN": "short"}, "SMS_CALLBACK_TOKEN"),
])
def test_half_or_wrong_sms_settings_stop_startup_naming_the_variable(tmp_path, change, named):
    with pytest.raises(SettingsError, match=named):
        load_settings({"ONETHING_DATA_DIR": str(tmp_path), **SMS_ENV, **change})


WITH_SMS = Templates(oa_template="tmpl", sms=frozenset({"shipment_posted"}))


def test_an_sms_comes_after_every_wechat_channel():
    reach = Reach(follower_openid="oa-x", follower_subscribed=True, phone_cipher="encrypted-phone")
    assert channels(reach, WITH_SMS, NOW, kind="shipment_posted") == [OA_TEMPLATE, SMS]
    assert channels(reach, WITH_SMS, NOW, [OA_TEMPLATE], kind="shipment_posted") == [SMS]


@pytest.mark.parametrize("reach, kind", [
    (Reach(), "shipment_posted"),  # no verified phone
    (Reach(phone_cipher="encrypted-phone"), "rate_invitation"),  # not a notification that matters enough
    (Reach(phone_cipher="encrypted-phone"), "refused"),  # no approved template for it
])
def test_no_sms_without_a_phone_a_kind_that_matters_and_its_template(reach, kind):
    assert channels(reach, WITH_SMS, NOW, kind=kind) == []
