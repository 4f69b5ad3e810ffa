from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("host-not-allowed",)
ALLOWED = ("googleapis.com", "Zenodo.org", "*.example.org")


@pytest.mark.parametrize(
    "value",
    [
        "https://www.dropbox.com/s/abc/w.tar.gz?dl=1",
        "https://evilgoogleapis.com/w.tar.gz",  # a suffix, not a parent domain
        "https://googleapis.com.evil.net/w.tar.gz",
        "direct:https://raw.githubusercontent.com/o/r/0123/w.tar.gz",
        "s3://my-bucket/w.tar.gz",  # any URL with a host, whatever its scheme
    ],
)
def test_hosts_outside_the_list_are_errors(value: str) -> None:
    report = lint_ref(value, select=RULE, allowed_hosts=ALLOWED)
    assert hits(report) == [("host-not-allowed", 0, 0)]
    assert "allowed-hosts" in messages(report)[0]


@pytest.mark.parametrize(
    "value",
    [
        "https://storage.googleapis.com/bucket/w.tar.gz",  # parent domain entry
        "https://googleapis.com/w.tar.gz",
        "https://zenodo.org/records/1/files/w.tar.gz?download=1",  # case-blind
        "https://ZENODO.org:443/records/1/files/w.tar.gz",
        "https://files.example.org/w.tar.gz",
        "synapse:syn51089171",  # not a URL
    ],
)
def test_hosts_in_the_list_pass(value: str) -> None:
    assert hits(lint_ref(value, select=RULE, allowed_hosts=ALLOWED)) == []


def test_silent_without_a_list() -> None:
    assert hits(lint_ref("https://www.dropbox.com/s/a/w.tar.gz", select=RULE)) == []


def test_config_file_list_and_position(tmp_path: Path) -> None:
    (tmp_path / ".medperf-lint.toml").write_text(
        'select = ["host-not-allowed"]\nallowed-hosts = ["zenodo.org"]\n', encoding="utf-8"
    )
    manifest = tmp_path / "model.medperf.yaml"
    manifest.write_text(
        "additional_file: https://zenodo.org/records/1/files/w.tar.gz\n"
        "demo_url: https://storage.googleapis.com/b/demo.tar.gz\n",
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([manifest], online=False)
    assert hits(report) == [("host-not-allowed", 2, 11)]
    assert "storage.googleapis.com" in messages(report)[0]
    assert ".medperf-lint.toml" in messages(report)[0]


def test_free_yaml_urls_are_checked(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "model:\n  weights: https://huggingface.co/o/m/resolve/0123/w.pt\n",
        name="parameters.yaml",
        select=RULE,
        allowed_hosts=("zenodo.org",),
    )
    assert hits(report) == [("host-not-allowed", 2, 12)]


def test_docs_url_is_outside_allowed_hosts(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        docs_url: https://docs.example.org/model
        additional_file: https://docs.example.org/w.tar.gz
        """,
        select=("host-not-allowed",),
        allowed_hosts=("zenodo.org",),
    )
    assert hits(report) == [("host-not-allowed", 2, 18)]


ADVICE = "move the file to an allowed host or add this host to the list"


@pytest.mark.parametrize("entry", ["[2001:db8::1]", "[2001:DB8::1]:8443"])
def test_an_ipv6_entry_allows_its_address(entry: str) -> None:
    # Found by the mutation run: the entry kept its brackets, the URL's host has none.
    assert hits(lint_ref("https://[2001:db8::1]/w", select=RULE, allowed_hosts=(entry,))) == []
    report = lint_ref("https://example.org/w", select=RULE, allowed_hosts=(entry,))
    assert messages(report) == [
        f"host example.org is not in allowed-hosts (2001:db8::1; from the settings): {ADVICE}"
    ]


def test_a_trailing_dot_in_an_entry_is_ignored() -> None:
    assert (
        hits(lint_ref("https://example.net/w", select=RULE, allowed_hosts=("example.net.",))) == []
    )


@pytest.mark.parametrize(
    ("allowed", "shown"),
    [
        (("a.org", "b.org", "c.org", "d.org", "e.org"), "a.org, b.org, c.org, d.org, e.org"),
        (
            ("a.org", "b.org", "c.org", "d.org", "e.org", "f.org"),
            "a.org, b.org, c.org, d.org, e.org, …",
        ),
    ],
)
def test_the_message_lists_at_most_five_hosts(allowed: tuple[str, ...], shown: str) -> None:
    report = lint_ref("https://x.net/w", select=RULE, allowed_hosts=allowed)
    assert messages(report) == [
        f"host x.net is not in allowed-hosts ({shown}; from the settings): {ADVICE}"
    ]
