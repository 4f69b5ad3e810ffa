from __future__ import annotations

from pathlib import Path

from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("url-too-long",)
BASE = "https://example.org/"


def _url(length: int) -> str:
    return BASE + "a" * (length - len(BASE))


def test_ref_over_256_is_an_error() -> None:
    report = lint_ref(_url(257), select=RULE)
    assert hits(report) == [("url-too-long", 0, 0)]
    message = messages(report)[0]
    assert "257 characters" in message and "at most 256" in message
    assert report.findings[0].severity.value == "error"


def test_ref_of_exactly_256_passes() -> None:
    assert hits(lint_ref(_url(256), select=RULE)) == []


def test_direct_prefix_counts() -> None:
    report = lint_ref("direct:" + _url(250), select=RULE)
    assert hits(report) == [("url-too-long", 0, 0)]
    assert "257 characters" in messages(report)[0]


def test_server_field_named_with_position(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: m
        additional_files_tarball_url: {_url(300)}
        """,
        select=RULE,
    )
    assert hits(report) == [("url-too-long", 2, 31)]
    assert "additional_files_tarball_url" in messages(report)[0]
    assert "shorten it by 44" in messages(report)[0]


def test_docs_url_limit_is_100(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        docs_url: {_url(101)}
        demo_dataset_tarball_url: {_url(101)}
        """,
        select=RULE,
    )
    assert hits(report) == [("url-too-long", 1, 11)]
    assert "at most 100 in docs_url" in messages(report)[0]


def test_container_image_has_no_limit(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        container_type: DockerArchive
        image: {_url(400)}
        """,
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == []
