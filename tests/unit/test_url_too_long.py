from __future__ import annotations

from pathlib import Path

import pytest
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


def test_a_bare_reference_names_its_url_field_and_the_numbers() -> None:
    url = "https://example.org/" + "a" * 260
    assert messages(lint_ref(url, select=("url-too-long",))) == [
        "280 characters, but the MedPerf server stores at most 256 in its URL field "
        '("Ensure this field has no more than 256 characters."); shorten it by 24 '
        "(drop query parameters or use a shorter link)"
    ]


def test_a_field_is_named(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "name: x\ndocs_url: https://docs.example.org/" + "a" * 100 + "\n",
        select=("url-too-long",),
    )
    assert messages(report) == [
        '125 characters, but the MedPerf server stores at most 100 in docs_url ("Ensure this '
        'field has no more than 100 characters."); shorten it by 25 (drop query parameters or '
        "use a shorter link)"
    ]


UNREAD = "; medperf-lint reads no value over 8192 characters, so no other rule checked it"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # a server field: the limit and the unread note, both
            f"additional_files_tarball_url: {_url(8193)}\n",
            "8193 characters, but the MedPerf server stores at most 256 in "
            'additional_files_tarball_url ("Ensure this field has no more than 256 '
            f'characters."); shorten it by 7937 (drop query parameters or use a shorter link)'
            f"{UNREAD}",
        ),
        (  # an image has no server limit: only the unread note
            f"container_type: DockerImage\nimage: {'r' * 9000}\n",
            f"9000 characters{UNREAD}",
        ),
    ],
    ids=["server-field", "image"],
)
def test_a_value_over_the_read_limit_says_no_rule_read_it(
    tmp_path: Path, text: str, message: str
) -> None:
    name = "container_config.yaml" if "image:" in text else "submission.medperf.yaml"
    report = lint_yaml(tmp_path, text, name=name, select=RULE)
    assert messages(report) == [message]


def test_an_image_at_the_read_limit_passes(tmp_path: Path) -> None:
    text = f"container_type: DockerImage\nimage: {'r' * 8192}\n"
    assert lint_yaml(tmp_path, text, name="container_config.yaml", select=RULE).findings == ()


def test_a_value_that_is_not_a_string_is_not_measured(tmp_path: Path) -> None:
    """A 300-digit number is no URL: invalid-reference names its type, this rule stays quiet."""
    text = f"name: m\nadditional_files_tarball_url: {'1' * 300}\n"
    report = lint_yaml(tmp_path, text, select=("url-too-long", "invalid-reference"))
    assert messages(report) == ["expected a resource string, found a number"]
    assert [f.rule for f in report.findings] == ["invalid-reference"]
