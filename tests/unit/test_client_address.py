"""The client's address behind the reverse proxies we trust, and only those."""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from onething.keys import settings_key
from onething.settings import SettingsError, load_settings
from onething.web.clients import client_address


def settings(trusted: str = ""):
    return load_settings({"ONETHING_SECRET_KEY": "k" * 40, "ONETHING_DATA_DIR": "/nonexistent",
                          "ONETHING_TRUSTED_PROXIES": trusted})


def address(peer: str, *forwarded: str, trusted: str = "10.0.0.0/8, 127.0.0.1, fd00::/8") -> str:
    app = web.Application()
    app[settings_key] = settings(trusted)
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 1234) if name == "peername" else default
    headers = [("X-Forwarded-For", value) for value in forwarded]
    return client_address(make_mocked_request("GET", "/", headers=headers, app=app, transport=transport))


def test_trusted_proxies_are_read_as_networks_at_load():
    assert [str(n) for n in settings(" 10.0.0.0/8,127.0.0.1 ,fd00::/8").trusted_proxies] == [
        "10.0.0.0/8", "127.0.0.1/32", "fd00::/8"]
    assert settings().trusted_proxies == ()


@pytest.mark.parametrize("bad", ["10.0.0.1/8", "proxy.local", "10.0.0.0/33", "10.0.0.0/8;127.0.0.1"])
def test_a_malformed_trusted_proxy_stops_the_service_naming_the_variable(bad):
    with pytest.raises(SettingsError, match="ONETHING_TRUSTED_PROXIES"):
        settings(bad)


def test_behind_a_trusted_proxy_the_client_is_the_right_most_hop_not_ours():
    assert address("10.0.0.5", "203.0.113.7") == "203.0.113.7"
    # what the client wrote itself comes first; our proxies appended the rest
    assert address("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
    assert address("127.0.0.1", "198.51.100.1", "203.0.113.7") == "203.0.113.7"  # two headers: one list
    assert address("::ffff:10.0.0.5", "2001:db8::1") == "2001:db8::1"
    assert address("fd00::1", "::ffff:203.0.113.7") == "203.0.113.7"


def test_an_untrusted_peers_forwarded_for_is_ignored():
    assert address("198.51.100.20", "203.0.113.7") == "198.51.100.20"
    assert address("10.0.0.5", "203.0.113.7", trusted="") == "10.0.0.5"


def test_without_a_usable_hop_the_nearest_trusted_one_stands_for_the_client():
    assert address("10.0.0.5") == "10.0.0.5"
    assert address("10.0.0.5", "not-an-address") == "10.0.0.5"
    assert address("10.0.0.5", "203.0.113.7, garbage, 10.0.0.9") == "10.0.0.9"
    assert address("10.0.0.5", "10.0.0.8, 10.0.0.9") == "10.0.0.8"


def test_a_hop_written_with_its_port_or_in_brackets_is_that_address():
    assert address("10.0.0.5", "203.0.113.7:5678") == "203.0.113.7"
    assert address("10.0.0.5", "[2001:db8::1]") == "2001:db8::1"
    assert address("10.0.0.5", "[2001:db8::1]:443") == "2001:db8::1"
    assert address("10.0.0.5", "[::ffff:203.0.113.7]:443") == "203.0.113.7"
    # our own proxy written with its port is still ours, and the client is the hop before it
    assert address("10.0.0.5", "203.0.113.7:5678, 10.0.0.9:80") == "203.0.113.7"
    assert address("10.0.0.5", "198.51.100.1, [fd00::7]:8443") == "198.51.100.1"


def test_bare_ipv6_keeps_its_colons():
    assert address("10.0.0.5", "2001:db8::1") == "2001:db8::1"
    assert address("10.0.0.5", "2001:db8::443") == "2001:db8::443"  # not 2001:db8: with port 443
    assert address("10.0.0.5", "::ffff:203.0.113.7") == "203.0.113.7"


@pytest.mark.parametrize("bad", ["203.0.113.7:", "203.0.113.7:http", "203.0.113.7:99999", "[2001:db8::1",
                                 "[2001:db8::1]443", "[2001:db8::1]:", "2001:db8::1]:443", "[]:443",
                                 "203.0.113.7:５６"])
def test_a_hop_with_a_malformed_port_or_brackets_is_not_an_address(bad):
    assert address("10.0.0.5", bad) == "10.0.0.5"
