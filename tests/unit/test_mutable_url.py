from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.findings import Severity

RULE = ("mutable-url",)
SHA = "99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://bit.ly/3xYzAbC", "bit.ly is a URL shortener"),
        ("https://tinyurl.com/medperf-w", "tinyurl.com is a URL shortener"),
        ("https://goo.gl/abc12", "goo.gl links stopped resolving"),
        ("https://t.co/AbC123", "t.co is a URL shortener"),
        ("https://www.ow.ly/abc", "ow.ly is a URL shortener"),
        ("https://1drv.ms/u/s!AbCdEf", "1drv.ms is a URL shortener"),
        ("https://doi.org/10.5281/zenodo.7654321", "make sure it is a version DOI"),
        ("https://zenodo.org/records/7654321/latest", "newest version"),
        ("https://doi.org/10.6084/m9.figshare.12345", "has no .vN suffix"),
        ("https://ndownloader.figshare.com/articles/12345", "without a version"),
        ("https://figshare.com/ndownloader/articles/12345", "without a version"),
        ("https://osf.io/abcde/download", "?version=N"),
        ("https://drive.google.com/uc?id=1AbC&export=download", "new version under the same ID"),
        ("https://docs.google.com/spreadsheets/d/1S/export?format=csv", "under the same ID"),
        ("https://www.dropbox.com/scl/fi/a1/w.tar.gz?rlkey=k9&dl=1", "serve the current file"),
        ("https://dl.dropboxusercontent.com/s/a1/w.tar.gz", "serve the current file"),
    ],
)
def test_mutable_urls_warn(url: str, expected: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("mutable-url", 0, 0)]
    assert expected in messages(report)[0]
    assert report.findings[0].severity is Severity.WARNING
    assert report.findings[0].fix is None


@pytest.mark.parametrize(
    "url",
    [
        f"https://huggingface.co/org/model/resolve/{SHA}/model.safetensors",
        "https://huggingface.co/org/model/blob/main/model.safetensors",  # viewer-page-url's job
        "https://huggingface.co/org/model/resolve/main/w.bin",  # forge-unpinned-ref's job
        "https://gitlab.com/o/r/-/raw/main/w.tar.gz",  # forge-unpinned-ref's job
        "https://zenodo.org/records/7654321/files/demo.tar.gz?download=1",
        "https://zenodo.org/records/7654321/files/latest?download=1",  # a file named "latest"
        "https://doi.org/10.6084/m9.figshare.12345.v2",
        "https://ndownloader.figshare.com/files/98765",
        "https://ndownloader.figshare.com/articles/12345/versions/2",
        "https://osf.io/abcde/download?version=3",
        "https://raw.githubusercontent.com/o/r/main/w.tar.gz",  # github-unpinned-ref's job
        "https://github.com/o/r/releases/latest/download/w.tar.gz",
        "https://we.tl/t-AbCdEf",  # expiring-url's job
        "https://storage.googleapis.com/medperf-storage/chestxray_tutorial/cnn_weights.tar.gz",
        "https://medperf.s3.us-east-1.amazonaws.com/w.tar.gz",  # object stores: not flagged
        "https://doi.org/10.1000/xyz123",
        "synapse:syn51089171",
    ],
)
def test_stable_or_other_rules_urls_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_positions_in_submission_docs_url_skipped(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: fets-model
        docs_url: https://bit.ly/fets-docs
        additional_files_tarball_url: https://osf.io/abcde/download
        additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
        demo_dataset_tarball_url: https://tinyurl.com/fets-demo
        demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("mutable-url", 3, 31), ("mutable-url", 5, 27)]


def test_container_config_free_url(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        container_type: DockerImage
        image: mlcommons/chestxray-tutorial-cnn:0.0.1
        extra:
          labels: https://osf.io/abcde/download
        """,
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == [("mutable-url", 4, 11)]


# Every shortener, listed here rather than read from the rule, so a dropped entry is noticed.
EVERY_SHORTENER = [
    "bit.ly",
    "bitly.com",
    "j.mp",
    "tinyurl.com",
    "goo.gl",
    "t.co",
    "ow.ly",
    "is.gd",
    "v.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "rb.gy",
    "tiny.cc",
    "t.ly",
    "s.id",
    "lnkd.in",
    "git.io",
    "db.tt",
    "1drv.ms",
    "aka.ms",
]  # we.tl too, but a WeTransfer link is expiring-url's (test_wetransfer_is_left_to_expiring_url)


@pytest.mark.parametrize("host", EVERY_SHORTENER)
@pytest.mark.parametrize("www", ["", "www."])
def test_every_shortener_warns(host: str, www: str) -> None:
    report = lint_ref(f"https://{www}{host}/AbC123", select=RULE)
    [message] = messages(report)
    assert message.startswith(f"{host} is a URL shortener: its owner can point it elsewhere")
    assert ("goo.gl links stopped resolving in 2025" in message) is (host == "goo.gl")


@pytest.mark.parametrize(
    "url",
    [
        "https://t.ly.example.org/AbC",  # a shortener's name inside another host
        "https://notbit.ly/AbC",
        "https://st.ly/AbC",
        "https://example.org/t.ly/AbC",
        "https://doi.org.example.net/10.5281/zenodo.7654321",
        "https://example.org/doi.org/10.5281/zenodo.7654321",
        "https://doi.org/10.1000/182",  # neither a Zenodo nor a figshare DOI
        "https://doi.org/10.6084/m9.figshare.12345.v2",  # a version DOI
        "https://app.box.com/shared/w.tar.gz",  # not a static link
        "https://app.box.com/s/abc123",
        "https://example.org/shared/static/w.tar.gz",  # Box's path on another host
        "https://box.example.org/shared/static/w.tar.gz",
    ],
)
def test_look_alikes_are_silent(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://doi.org/10.5281/zenodo.7654321",
        "https://dx.doi.org/10.5281/zenodo.7654321",
        "https://DOI.ORG/10.5281/ZENODO.7654321",
    ],
)
def test_zenodo_concept_dois(url: str) -> None:
    [message] = messages(lint_ref(url, select=RULE))
    assert "a concept DOI resolves to the latest version" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://app.box.com/shared/static/abc123.tar.gz",
        "https://uni.app.box.com/shared/static/abc123.tar.gz",
        "https://box.com/shared/static/abc123",
    ],
)
def test_box_static_links(url: str) -> None:
    [message] = messages(lint_ref(url, select=RULE))
    assert message.startswith("Box shared/static links are direct but serve the item's current")


@pytest.mark.parametrize(
    "url", ["https://we.tl/t-AbC123", "https://wetransfer.com/downloads/abc/def"]
)
def test_wetransfer_is_left_to_expiring_url(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []
    assert hits(lint_ref(url, select=("expiring-url",))) == [("expiring-url", 0, 0)]
