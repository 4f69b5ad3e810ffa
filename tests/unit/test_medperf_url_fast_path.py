"""The fast path of medperf_accepts_url must agree with MedPerf's full expression exactly."""

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
    fast = sum(1 for u in urls if medperf_url._COMMON.match(u))
    assert fast > 1_000  # the fast path is exercised, not just the fallback
    assert [u for u in urls if medperf_url.medperf_accepts_url(u) != bool(FULL.match(u))] == []


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
    full = medperf_url._full()
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
