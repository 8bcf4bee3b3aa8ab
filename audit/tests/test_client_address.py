"""The client's address behind proxies: taken from the right end of X-Forwarded-For, skipping only
the proxies we run (TRUSTED_PROXY_COUNT or TRUSTED_PROXIES), never the address a client wrote."""
import pytest
from django.test import RequestFactory, override_settings

from audit.net import client_ip

FORGED = "6.6.6.6"


def request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize("count,trusted,remote,forwarded,expected", [
    # no proxy: the header is the client's own words
    (0, [], "198.51.100.7", f"{FORGED}", "198.51.100.7"),
    # one proxy appends the address it saw: the last entry
    (1, [], "10.0.0.2", "198.51.100.7", "198.51.100.7"),
    (1, [], "10.0.0.2", f"{FORGED}, 198.51.100.7", "198.51.100.7"),
    (1, [], "10.0.0.2", f"{FORGED},198.51.100.7 ", "198.51.100.7"),
    # two proxies (a load balancer, then nginx)
    (2, [], "10.0.0.2", f"{FORGED}, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
    # fewer hops than proxies (a request that reached us directly): the first we have
    (1, [], "198.51.100.7", None, "198.51.100.7"),
    (2, [], "10.0.0.2", "198.51.100.7", "198.51.100.7"),
    # garbage where an address should be: the proxy's own address, not the garbage
    (1, [], "10.0.0.2", f"{FORGED}, not-an-address", "10.0.0.2"),
    # proxies named by address or network: skip them from the right
    (0, ["10.0.0.0/8"], "10.0.0.2", f"{FORGED}, 198.51.100.7, 10.1.1.1", "198.51.100.7"),
    (0, ["10.0.0.2"], "10.0.0.2", f"{FORGED}, 198.51.100.7", "198.51.100.7"),
    # a request not from a trusted proxy: its header is ignored
    (0, ["10.0.0.0/8"], "198.51.100.7", FORGED, "198.51.100.7"),
    # every hop trusted: the leftmost
    (0, ["10.0.0.0/8"], "10.0.0.2", "10.0.0.3", "10.0.0.3"),
])
def test_the_client_address_comes_from_the_right_end(count, trusted, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=count, TRUSTED_PROXIES=trusted):
        assert client_ip(request(remote, forwarded)) == expected


def test_the_default_trusts_one_proxy_only_behind_a_tls_proxy():
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES)"
    for flag, expected in (("1", "1 []"), ("0", "0 []")):
        env = {**os.environ, "BEHIND_TLS_PROXY": flag, "DJANGO_SETTINGS_MODULE": "tpclinic.settings",
               "SECRET_KEY": "x" * 50}
        env.pop("TRUSTED_PROXY_COUNT", None)
        out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected
