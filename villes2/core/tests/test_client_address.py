"""`core.throttle.client_address`: the address rate limits, login throttling and the
security log use, behind the reverse proxy or not."""

import pytest
from django.test import RequestFactory

from villes2.core.throttle import UNKNOWN_ADDRESS, client_address


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.10", None, "203.0.113.10"),  # no proxy
        ("203.0.113.10", "198.51.100.7", "203.0.113.10"),  # forged by an untrusted client
        ("127.0.0.1", None, "127.0.0.1"),  # on the machine itself
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # through the local proxy
        ("127.0.0.1", "10.1.1.1, 198.51.100.7", "198.51.100.7"),  # the left is the client's
        ("127.0.0.1", "198.51.100.7, 10.0.0.2", "10.0.0.2"),  # 10.0.0.2 is not trusted
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("", "198.51.100.7", "198.51.100.7"),  # a proxy on a Unix socket
        ("", None, UNKNOWN_ADDRESS),
        ("127.0.0.1", "pas-une-adresse", UNKNOWN_ADDRESS),
        ("127.0.0.1", " , ", "127.0.0.1"),
    ],
)
def test_client_address(remote, forwarded, expected):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected


def test_more_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.2"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2"
    )
    assert client_address(request) == "198.51.100.7"
