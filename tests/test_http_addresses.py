"""I3 / I4: only http(s) URLs, and never a loopback, private, link-local, CGNAT or metadata address.

Checked in every notation, before connecting, and on every redirect hop, against a real loopback server
(a canary on 127.0.0.2 proves that refused requests never arrive).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from errors import ConfigError, SourceError
from scrapers.addresses import AddressPolicy, check_url_scheme, literal_address
from scrapers.base import Request
from scrapers.http import Fetcher
from tests.localserver import LocalServer
from tests.scrape_helpers import fast_http, kinds_registry, make_settings

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",  # decimal
    "http://0177.0.0.1/",  # octal
    "http://0x7f.0.0.1/",  # hex parts
    "http://0x7f000001/",  # one hex number
    "http://017700000001/",  # one octal number
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped, in hex
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",  # AWS IPv6 metadata
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://224.0.0.1/",  # multicast
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_i4_non_public_addresses_are_refused_in_every_notation(url):
    with pytest.raises(SourceError) as info:
        AddressPolicy().check_url(url)
    assert info.value.reason == "refused_address"


@pytest.mark.parametrize("url", ["https://ec.europa.eu/info", "http://93.184.216.34/", "https://[2606:4700::1111]/"])
def test_i4_public_addresses_and_names_pass_the_literal_check(url):
    AddressPolicy().check_url(url)


def test_literal_address_understands_inet_aton_forms():
    assert literal_address("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("10.1") == ipaddress.ip_address("10.0.0.1")
    assert literal_address("192.168.257") == ipaddress.ip_address("192.168.1.1")
    assert literal_address("example.se") is None and literal_address("1.2.3.4.5") is None
    assert literal_address("256.1.1.1") is None


def test_allowed_networks_exempt_exactly_those_networks():
    policy = AddressPolicy.from_settings(False, ["10.20.0.0/16"])
    policy.check_url("http://10.20.1.2/feed")
    policy.check_url("http://[::ffff:10.20.1.2]/feed")
    with pytest.raises(SourceError):
        policy.check_url("http://10.21.0.1/feed")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "/etc/passwd", "ftp://ftp.example.se/calls", "feed:https://x.se/rss"]
)
def test_i3_bad_schemes_are_refused_at_configuration_time(url):
    with pytest.raises(ValueError):
        check_url_scheme(url)
    settings = make_settings([{"name": "bad", "kind": "test-list", "url": url}])
    with pytest.raises(ConfigError) as info:
        kinds_registry().build(settings)
    message = str(info.value)
    assert "'bad'" in message and "url:" in message and ("http" in message)


def test_i3_url_keys_are_checked_for_kinds_without_an_options_model():
    settings = make_settings(
        [{"name": "buggy", "kind": "test-buggy", "url": "file:///etc/passwd", "feed_urls": ["ftp://x"]}]
    )
    with pytest.raises(ConfigError) as info:
        kinds_registry().build(settings)
    assert "url: only http and https" in str(info.value) and "feed_urls: only http and https" in str(info.value)


def test_i4_configured_private_url_is_refused_at_configuration_time_unless_allowed():
    source = {"name": "intranet", "kind": "test-list", "url": "http://192.168.10.10/calls"}
    with pytest.raises(ConfigError, match="intranet.*192.168.10.10.*private"):
        kinds_registry().build(make_settings([source], http={"allow_private_addresses": False}))
    kinds_registry().build(make_settings([source], http={"allowed_networks": ["192.168.10.0/24"]}))


@pytest.fixture
def canary():
    """A server on 127.0.0.2 that must never be reached."""
    try:
        server = LocalServer(host="127.0.0.2").start()
    except OSError as exc:
        pytest.skip(f"cannot bind 127.0.0.2: {exc}")
    yield server
    server.stop()


def test_i4_redirects_to_refused_addresses_are_stopped_before_connecting(canary):
    targets = [
        canary.url("/steal"),
        f"http://2130706434:{canary.port}/steal",  # 127.0.0.2 in decimal
        f"http://0x7f.0.0.2:{canary.port}/steal",
        f"http://[::ffff:127.0.0.2]:{canary.port}/steal",
        "http://169.254.169.254/latest/meta-data/",
        f"http://localhost:{canary.port}/steal",
        "file:///etc/passwd",
    ]
    with LocalServer() as origin:
        for number, target in enumerate(targets):
            origin.routes[f"/r{number}"] = lambda h, t=target: h.reply(302, b"", {"Location": t})
        # only the origin itself (127.0.0.1) is allowed; everything it redirects to must be refused
        with Fetcher(fast_http(allow_private_addresses=False, allowed_networks=["127.0.0.1/32"])) as f:
            for number, target in enumerate(targets):
                with pytest.raises(SourceError) as info:
                    f.fetch(Request(origin.url(f"/r{number}")), "s")
                assert info.value.reason == "refused_address", target
            assert len(origin.hits_for("/r0")) == 1
    assert canary.hits == []


def test_i4_a_host_name_resolving_to_a_private_address_is_refused_at_connect_time():
    name = socket.gethostname()
    try:
        resolved = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip(f"host name {name!r} does not resolve here")
    if any(ip.is_global for ip in resolved):
        pytest.skip(f"host name {name!r} resolves to a public address here")
    with LocalServer(host=str(sorted(resolved, key=str)[0])) as server:
        with Fetcher(fast_http(allow_private_addresses=False, respect_robots=False)) as f:
            with pytest.raises(SourceError) as info:
                f.fetch(Request(f"http://{name}:{server.port}/calls"), "s")
    assert info.value.reason == "refused_address"
    assert f"host {name!r}" in str(info.value)
    assert server.hits == []


def test_allowed_networks_from_the_environment_are_comma_separated_and_validated():
    from settings import load_settings

    settings = load_settings(None, env={"FUNDWATCH_HTTP_ALLOWED_NETWORKS": "10.20.0.0/16, fd00::/8"})
    assert settings.http.allowed_networks == ["10.20.0.0/16", "fd00::/8"]
    with pytest.raises(
        ConfigError, match="FUNDWATCH_HTTP_ALLOWED_NETWORKS.*not a network in CIDR notation: 'intranet'"
    ):
        load_settings(None, env={"FUNDWATCH_HTTP_ALLOWED_NETWORKS": "intranet"})
