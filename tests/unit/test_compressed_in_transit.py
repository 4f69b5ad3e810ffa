"""compressed-in-transit (MPL407) on probe facts built by hand: every file-name ending and
media type that promises a compressed format, listed here independently of the rule's tables,
and the look-alikes that must stay silent."""

from __future__ import annotations

import pytest
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext
from medperf_lint.rules import lookup

SUFFIXES = [
    ("weights.tar.gz", "gzip"),
    ("weights.tgz", "gzip"),
    ("weights.gz", "gzip"),
    ("weights.zip", "zip"),
    ("weights.xz", "xz"),
    ("weights.txz", "xz"),
    ("weights.zst", "zstd"),
    ("weights.bz2", "bzip2"),
    ("weights.tbz2", "bzip2"),
    ("weights.7z", "7z"),
    ("WEIGHTS.TAR.GZ", "gzip"),  # endings are compared without case
]
MEDIA_TYPES = [
    ("application/gzip", "gzip"),
    ("application/x-gzip", "gzip"),
    ("application/x-tgz", "gzip"),
    ("application/x-gtar", "gzip"),
    ("application/zip", "zip"),
    ("application/x-zip-compressed", "zip"),
    ("application/x-xz", "xz"),
    ("application/zstd", "zstd"),
    ("application/x-bzip2", "bzip2"),
    ("application/x-7z-compressed", "7z"),
    ("Application/GZIP; charset=binary", "gzip"),  # parameters and case do not matter
]


def _messages(url: str, **probe: object) -> list[str]:
    rule = lookup("compressed-in-transit")
    assert rule is not None and rule.check is not None
    result = ProbeResult(url=url, final_url=str(probe.pop("final_url", url)), **probe)  # type: ignore[arg-type]
    network = NetworkResults(probes={url: result})
    ref = Reference(raw=url, kind=RefKind.RESOURCE)
    return [d.message for d in rule.check(ref, RuleContext(Settings(), network))]


def _transcoded(url: str, **probe: object) -> list[str]:
    """A 200 with Content-Encoding: gzip whose decoded bytes are a bare tar."""
    return _messages(url, **{"status": 200, "content_encoding": "gzip", "sniffed": "tar", **probe})


@pytest.mark.parametrize(("name", "kind"), SUFFIXES)
def test_every_compressed_file_name_is_a_promise(name: str, kind: str) -> None:
    [message] = _transcoded(f"https://files.example.org/models/{name}")
    assert message.startswith(
        f"served with Content-Encoding: gzip although the file name {name!r} says it is already {kind};"
    )
    assert f"not the {kind} file" in message


@pytest.mark.parametrize(("name", "kind"), SUFFIXES)
def test_decoded_bytes_of_the_promised_format_are_the_file(name: str, kind: str) -> None:
    assert _transcoded(f"https://files.example.org/models/{name}", sniffed=kind) == []


@pytest.mark.parametrize(("media", "kind"), MEDIA_TYPES)
def test_content_type_promises_when_the_name_does_not(media: str, kind: str) -> None:
    [message] = _transcoded("https://files.example.org/download?id=7", content_type=media)
    shown = media.split(";")[0].strip().lower()
    assert f"although its Content-Type {shown} says it is already {kind};" in message
    assert (
        _transcoded("https://files.example.org/download?id=7", content_type=media, sniffed=kind)
        == []
    )


@pytest.mark.parametrize(
    "media", ["application/octet-stream", "text/plain", "application/x-tar", "application/json"]
)
def test_content_types_that_promise_no_compression_are_silent(media: str) -> None:
    assert _transcoded("https://files.example.org/download?id=7", content_type=media) == []


@pytest.mark.parametrize(
    "name",
    [
        "train.py",
        "parameters.yaml",
        "weights.tar",
        "weights.gzip",  # not an ending the rule knows
        "weights.gz.txt",
        "weights.zipper",
        "archive.7zip",
        "",
    ],
)
def test_names_that_promise_nothing_are_silent(name: str) -> None:
    assert _transcoded(f"https://files.example.org/models/{name}") == []


def test_the_content_disposition_name_comes_first() -> None:
    url = "https://files.example.org/download/weights.zip"
    [message] = _transcoded(url, disposition_name="weights.tar.gz")
    assert "the Content-Disposition file name 'weights.tar.gz' says it is already gzip" in message
    # The redirect target's name counts too.
    [moved] = _transcoded(
        "https://files.example.org/get?id=1", final_url="https://cdn.example.org/w.tar.xz"
    )
    assert "the file name 'w.tar.xz' says it is already xz" in moved


@pytest.mark.parametrize(
    "probe",
    [
        {"content_encoding": None},
        {"content_encoding": ""},
        {"sniffed": None},
        {"sniffed": "html"},
        {"sniffed": "lfs-pointer"},
        {"status": 404},
        {"status": None},
        {"error": "connection refused"},
        {"inconclusive": "deadline reached"},
    ],
)
def test_silent_without_a_decoded_file_to_judge(probe: dict[str, object]) -> None:
    assert _transcoded("https://files.example.org/weights.tar.gz", **probe) == []


def test_unrecognised_decoded_bytes_are_named_so() -> None:
    [message] = _transcoded("https://files.example.org/weights.tar.gz", sniffed="text")
    assert "MedPerf stores the decoded bytes (unrecognised bytes, not the gzip file)" in message
    [tar] = _transcoded("https://files.example.org/weights.tar.gz")
    assert "(tar data, not the gzip file)" in tar


@pytest.mark.parametrize(
    "host",
    ["storage.googleapis.com", "storage.cloud.google.com", "bucket.storage.googleapis.com"],
)
def test_google_cloud_storage_gets_its_own_fix(host: str) -> None:
    [message] = _transcoded(f"https://{host}/b/weights.tar.gz")
    assert (
        'fix: this is Google Cloud Storage serving an object with Content-Encoding metadata; remove it (gsutil setmeta -h "Content-Encoding:" gs://BUCKET/OBJECT)'
        in message
    )


@pytest.mark.parametrize(
    "host", ["files.example.org", "storage.googleapis.com.example.org", "googleapis.com"]
)
def test_other_servers_get_the_generic_fix(host: str) -> None:
    [message] = _transcoded(f"https://{host}/b/weights.tar.gz")
    assert message.endswith(
        "fix: serve the file as it is, without a Content-Encoding header (e.g. remove an "
        "AddEncoding/gzip rule for this file type on the web server)"
    )
