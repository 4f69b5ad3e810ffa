"""MedPerf's URL check on dotted IPv4 hosts, with expectations written out by hand from
validators 0.18.2's rules (not derived from the module's pattern): middle octets 0-255 without
leading zeros beyond `1?dd`, a last octet without a leading zero, public first octets 1-223,
and the private ranges 10/8, 127/8, 169.254/16, 192.168/16 and 172.16/12. Every expectation
below was checked once against validators 0.18.2 itself."""

from __future__ import annotations

import pytest
from medperf_lint.refs.medperf_url import medperf_accepts_url

ACCEPTED = [
    "10.0.0.1",
    "10.255.255.255",
    "10.199.0.1",
    "10.249.0.1",
    "10.250.0.1",
    "10.99.9.9",
    "127.0.0.1",
    "192.168.0.0",
    "192.168.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.20.1.1",
    "172.31.255.254",
    "172.32.0.1",  # not private, but a public address
    "1.2.3.4",
    "8.8.8.8",
    "99.1.1.1",
    "100.64.0.1",
    "199.0.0.1",
    "210.1.1.1",
    "223.255.255.255",
    "1.2.3.0",
    "1.2.3.9",
    "1.2.3.99",
    "1.2.3.199",
    "1.2.3.249",
    "1.2.3.250",
    "1.0.0.1",
]
REJECTED = [
    "10.0.0.256",
    "10.256.0.1",
    "10.0.260.1",
    "10.010.0.1",  # a middle octet with a leading zero beyond 1?dd
    "10.0.0.01",  # a last octet with a leading zero
    "1.2.3.300",
    "1.2.3.260",
    "0.1.2.3",
    "224.0.0.1",
    "230.1.1.1",
    "255.255.255.255",
    "300.1.1.1",
    "01.2.3.4",
    "1.2.3",
    "1.2.3.4.5",
    "192.168.1",
    "172.16.1",
    "10.1.1",
    "169.254.1.1.1.1",
    "192.168.1.1.1.1",
    "172.16.1.1.1.1",
    "10.1.1.1.1",
]


@pytest.mark.parametrize("host", ACCEPTED)
# User info keeps a URL off the fast path: the full expression's own IPv4 branches decide.
@pytest.mark.parametrize(
    "form", ["http://{}", "https://{}:8080/w.tar.gz", "ftp://{}/x?y=1#z", "https://u:p@{}/w"]
)
def test_accepted_addresses(host: str, form: str) -> None:
    assert medperf_accepts_url(form.format(host))


@pytest.mark.parametrize("host", REJECTED)
@pytest.mark.parametrize("form", ["http://{}", "https://{}:8080/w.tar.gz", "https://u:p@{}/w"])
def test_rejected_addresses(host: str, form: str) -> None:
    assert not medperf_accepts_url(form.format(host))


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://localhost:8000/x", True),
        ("http://minio:9000/x", False),  # no TLD
        ("https://example.org:9/x", False),  # a one-digit port
        ("https://example.org:123456/x", False),
        ("https://example.org:65535/x", True),
        ("https://example.c/x", False),  # a one-letter TLD
        ("https://example.c0m/x", False),
        ("https://xn--bcher-kva.example/x", True),
        ("https://bücher.example/x", True),
        ("https://[::1]/x", True),
        ("https://[2001:db8::1]:8443/x", True),
        ("https://[fe80::1%eth0]/x", True),
        ("https://[::ffff:10.0.0.1]/x", True),
        ("https://[1:2:3:4:5:6:7:8:9]/x", False),
        ("https://user:pw@example.org/x", True),
        ("https://ex ample.org/x", False),
        ("https://example.org/a b", False),
        ("ftps://example.org/x", False),
        ("direct:https://example.org/x", False),
        ("https://-example.org/x", False),
        ("https://example-.org/x", False),  # a label may not end with a hyphen
    ],
)
def test_hosts_ports_and_schemes(url: str, accepted: bool) -> None:
    assert medperf_accepts_url(url) is accepted
