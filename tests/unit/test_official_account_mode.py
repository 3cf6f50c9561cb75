"""Which messages the official account's endpoint believes, as the settings say."""

import pytest

from onething.settings import SettingsError, load_settings

ACCOUNT = {"ONETHING_SECRET_KEY": "k" * 40, "ONETHING_OA_APPID": "wx-oa", "ONETHING_OA_SECRET": "s",
           "ONETHING_OA_TOKEN": "t"}
KEY = {"ONETHING_OA_AES_KEY": "a" * 43}


def mode(tmp_path, **env: str) -> str:
    return load_settings({"ONETHING_DATA_DIR": str(tmp_path), **ACCOUNT, **env}).official_account.message_mode


def test_an_aes_key_means_safe_mode_unless_compatible_mode_is_asked_for(tmp_path):
    assert mode(tmp_path) == "plain"
    assert mode(tmp_path, **KEY) == "safe"
    assert mode(tmp_path, **KEY, ONETHING_OA_MESSAGE_MODE="safe") == "safe"
    assert mode(tmp_path, **KEY, ONETHING_OA_MESSAGE_MODE="compatible") == "compatible"


@pytest.mark.parametrize("env, problem", [
    ({**KEY, "ONETHING_OA_MESSAGE_MODE": "plain"}, "unset the key"),  # a key that would protect nothing
    ({"ONETHING_OA_MESSAGE_MODE": "safe"}, "needs OA_AES_KEY"),
    ({"ONETHING_OA_MESSAGE_MODE": "compatible"}, "needs OA_AES_KEY"),
    ({**KEY, "ONETHING_OA_MESSAGE_MODE": "aes"}, "plain, compatible or safe"),
])
def test_a_mode_at_odds_with_the_key_is_refused_at_startup(tmp_path, env, problem):
    with pytest.raises(SettingsError, match="ONETHING_OA_MESSAGE_MODE") as caught:
        mode(tmp_path, **env)
    assert problem in str(caught.value) and "a" * 43 not in str(caught.value)


def test_a_mode_without_an_account_is_a_half_configured_account(tmp_path):
    with pytest.raises(SettingsError, match="go together"):
        load_settings({"ONETHING_DATA_DIR": str(tmp_path), "ONETHING_OA_MESSAGE_MODE": "safe"})
