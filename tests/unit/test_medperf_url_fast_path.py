"""medperf_accepts_url, a linear reading of MedPerf's expression, agrees with it exactly."""

from __future__ import annotations

import random
import re
import string

import pytest
from medperf_lint.refs import medperf_url

FULL = re.compile(medperf_url._URL_PATTERN, re.UNICODE | re.IGNORECASE)


def _label(rng: random.Random) -> str:
    return "".join(
        rng.choice(string.ascii_letters + string.digits + "--") for _ in range(rng.randint(0, 6))
    )


def _url(rng: random.Random) -> str:
    text = rng.choice(["http://", "https://", "ftp://", "HTTPS://", "ftps://", "direct:"])
    text += ".".join(_label(rng) for _ in range(rng.randint(1, 4)))
    chars = string.ascii_letters + string.digits + "-_.~%/:@!$&'()*+,;= é\u212a"
    for lead, chance in ((":", 0.3), ("/", 0.6), ("?", 0.3), ("#", 0.2)):
        if rng.random() < chance:
            tail = str(rng.randint(0, 999_999)) if lead == ":" else ""
            tail += "".join(rng.choice(chars) for _ in range(rng.randint(0, 8)))
            text += lead + tail
    return text + ("\n" if rng.random() < 0.05 else "")


def test_agrees_with_the_full_expression_on_generated_urls() -> None:
    rng = random.Random(20250301)
    urls = [_url(rng) for _ in range(20_000)]
    accepted = sum(1 for u in urls if FULL.match(u))
    assert 1_000 < accepted < 19_000  # both answers are exercised
    assert [u for u in urls if medperf_url.medperf_accepts_url(u) != bool(FULL.match(u))] == []


# Characters where the expression's pieces meet: label hyphens and xn--, dots, userinfo, IPv6
# brackets and zones, ports, query and fragment marks, whitespace, non-ASCII host and digit
# characters, the letters IGNORECASE folds (Kelvin K, long s), and a final newline.
_TRICKY = "axnXN-.-:@/?#[]%1f0e8: \t\n\u00e9\u212a\u017f\u0661\u3000_~"
_STARTS = ("http://", "https://", "ftp://", "HTTP://", "http\u017f://", "htt://", "")


def test_agrees_with_the_full_expression_on_tricky_strings() -> None:
    rng = random.Random(14)
    values = [
        rng.choice(_STARTS) + "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 14)))
        for _ in range(40_000)
    ]
    values += [
        "http://"
        + rng.choice(["a.bc", "[::1]", "u@x.io", "10.0.0.1", "xn--p1ai.xn--p1ai"])
        + "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 10)))
        for _ in range(20_000)
    ]
    assert sum(1 for v in values if FULL.match(v)) > 2_000
    assert [v for v in values if medperf_url.medperf_accepts_url(v) != bool(FULL.match(v))] == []


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("https://storage.googleapis.com/medperf-storage/demo_data.tar.gz", True),
        ("https://zenodo.org/records/1/files/w.tar.gz?download=1", True),
        ("ftp://example.com/f", True),
        ("http://localhost:8000/f", True),  # the full expression decides
        ("http://10.0.0.1/f", True),
        ("http://minio:9000/f", False),
        ("https://example.com:1/f", False),
        ("https://example.com/a file", False),
        ("s3://bucket/key", False),
        ("synapse:syn123", False),
        ("http\u017f://example.com/", True),  # long s matches s under IGNORECASE, as in validators
    ],
)
def test_known_values(value: str, accepted: bool) -> None:
    assert medperf_url.medperf_accepts_url(value) is accepted
    assert bool(FULL.match(value)) is accepted


def test_agrees_with_the_full_expression_on_ipv4_hosts() -> None:
    rng = random.Random(4)
    full = FULL
    for _ in range(20000):
        octets = [
            str(
                rng.choice(
                    [
                        0,
                        1,
                        9,
                        10,
                        99,
                        127,
                        169,
                        172,
                        192,
                        223,
                        224,
                        254,
                        255,
                        256,
                        rng.randint(0, 300),
                    ]
                )
            )
            for _ in range(rng.choice([3, 4, 4, 4, 5]))
        ]
        port = rng.choice(["", ":8", ":80", ":65535", ":123456"])
        value = f"http://{'.'.join(octets)}{port}/f"
        assert medperf_url.medperf_accepts_url(value) == (full.match(value) is not None), value
