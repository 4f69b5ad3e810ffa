from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("viewer-page-url",)
DL = "https://drive.usercontent.google.com/download?id={}&export=download&confirm=t"


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        (
            "https://drive.google.com/file/d/1AbCdEfGh_IjK-LmN/view?usp=sharing",
            DL.format("1AbCdEfGh_IjK-LmN"),
        ),
        ("https://drive.google.com/file/d/1AbC/edit", DL.format("1AbC")),
        ("https://drive.google.com/file/d/1AbC/preview", DL.format("1AbC")),
        ("https://drive.google.com/open?id=1AbC", DL.format("1AbC")),
        (
            "https://drive.google.com/file/d/1AbC/view?usp=drive_link&resourcekey=0-kEy_9",
            DL.format("1AbC") + "&resourcekey=0-kEy_9",
        ),
        (
            "https://drive.google.com/open?id=1AbC&resourcekey=0-kEy_9",
            DL.format("1AbC") + "&resourcekey=0-kEy_9",
        ),
        (
            "https://docs.google.com/document/d/1DocId/edit?resourcekey=0-d0c",
            "https://docs.google.com/document/d/1DocId/export?format=docx&resourcekey=0-d0c",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1S/edit?gid=7&resourcekey=0-s",
            "https://docs.google.com/spreadsheets/d/1S/export?format=csv&gid=7&resourcekey=0-s",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1SheetId/edit#gid=42",
            "https://docs.google.com/spreadsheets/d/1SheetId/export?format=csv&gid=42",
        ),
        (  # the fragment's other keys and an empty gid= name no sheet
            "https://docs.google.com/spreadsheets/d/1SheetId/edit#range=A1&gid=&gid=9",
            "https://docs.google.com/spreadsheets/d/1SheetId/export?format=csv&gid=9",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1SheetId/edit#range=A1",
            "https://docs.google.com/spreadsheets/d/1SheetId/export?format=csv",
        ),
        (
            "https://docs.google.com/document/d/1DocId/edit?usp=sharing",
            "https://docs.google.com/document/d/1DocId/export?format=docx",
        ),
        (
            "https://docs.google.com/presentation/d/1SlideId/edit",
            "https://docs.google.com/presentation/d/1SlideId/export?format=pptx",
        ),
        (
            "https://www.dropbox.com/scl/fi/a1b2c3/weights.tar.gz?rlkey=k9x8&st=zz1&dl=0",
            "https://www.dropbox.com/scl/fi/a1b2c3/weights.tar.gz?rlkey=k9x8&st=zz1&dl=1",
        ),
        (
            "https://www.dropbox.com/s/a1b2c3/weights.tar.gz",
            "https://www.dropbox.com/s/a1b2c3/weights.tar.gz?dl=1",
        ),
        (
            "https://www.dropbox.com/s/a1b2c3/weights.tar.gz?raw=0&dl=0",
            "https://www.dropbox.com/s/a1b2c3/weights.tar.gz?dl=1",
        ),
        (
            "https://huggingface.co/org/model/blob/main/weights/model.safetensors",
            "https://huggingface.co/org/model/resolve/main/weights/model.safetensors",
        ),
        (
            "https://huggingface.co/datasets/org/demo/blob/refs%2Fpr%2F1/demo.tar.gz?download=true",
            "https://huggingface.co/datasets/org/demo/resolve/refs%2Fpr%2F1/demo.tar.gz",
        ),
        (
            "https://huggingface.co/gpt2/blob/main/config.json",
            "https://huggingface.co/gpt2/resolve/main/config.json",
        ),
        (
            "https://gitlab.com/group/sub/repo/-/blob/main/mlcube/parameters.yaml?ref_type=heads#L4",
            "https://gitlab.com/group/sub/repo/-/raw/main/mlcube/parameters.yaml",
        ),
        (
            "https://gitlab.example.org/lab/repo/-/blob/v1/w.tar.gz",
            "https://gitlab.example.org/lab/repo/-/raw/v1/w.tar.gz",
        ),
        (
            "https://bitbucket.org/ws/repo/src/4a1b2c3/models/w.tar.gz",
            "https://bitbucket.org/ws/repo/raw/4a1b2c3/models/w.tar.gz",
        ),
        (
            "https://storage.cloud.google.com/medperf-storage/chestxray_tutorial/cnn_weights.tar.gz?authuser=1",
            "https://storage.googleapis.com/medperf-storage/chestxray_tutorial/cnn_weights.tar.gz",
        ),
    ],
)
def test_viewer_pages_get_direct_fix(url: str, fixed: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("viewer-page-url", 0, 0)]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == fixed


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://drive.google.com/drive/folders/1FoLdEr?usp=sharing", "folder"),
        ("https://drive.google.com/drive/u/0/folders/1FoLdEr", "folder"),
        ("https://www.dropbox.com/scl/fo/a1b2/h?rlkey=k9&dl=0", "folder"),
        ("https://www.dropbox.com/sh/a1b2/AAA?dl=1", "folder"),
        ("https://onedrive.live.com/redir?resid=ABC!123&authkey=!xyz", "re-host"),
        ("https://contoso-my.sharepoint.com/:u:/g/personal/a/EaBc?e=xyz", "re-host"),
        ("https://1drv.ms/u/s!AbCdEf", "no reliable anonymous direct-download form"),
        ("https://app.box.com/s/abc123hash", "https://app.box.com/shared/static/HASH.EXT"),
        ("https://gitlab.com/group/repo/-/tree/main/weights", "directory"),
        ("https://bitbucket.org/ws/repo/src/main/", "directory"),
    ],
)
def test_pages_without_a_fix(url: str, expected: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("viewer-page-url", 0, 0)]
    assert expected in messages(report)[0]
    assert report.findings[0].fix is None


def test_docs_note_live_document() -> None:
    report = lint_ref("https://docs.google.com/spreadsheets/d/1SheetId/edit", select=RULE)
    assert "live" in messages(report)[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://drive.google.com/uc?id=1AbC&export=download&confirm=t",
        "https://drive.google.com/uc?export=download&confirm=no_antivirus&id=1AbC",
        "https://drive.usercontent.google.com/download?id=1AbC&export=download&confirm=t",
        "https://drive.google.com/uc",  # no file ID: nothing to say or fix
        "https://drive.google.com/uc?ID=1AbC",  # Drive reads id= only, as written
        "https://drive.google.com/ucx?id=1AbC",
        "https://docs.google.com/spreadsheets/d/1SheetId/export?format=csv&gid=0",
        "https://www.dropbox.com/scl/fi/a1b2c3/w.tar.gz?rlkey=k9&dl=1",
        "https://www.dropbox.com/s/a1b2c3/w.tar.gz?raw=1",
        "https://dl.dropboxusercontent.com/scl/fi/a1b2c3/w.tar.gz?rlkey=k9",
        "https://huggingface.co/org/model/resolve/main/model.safetensors",
        "https://gitlab.com/group/repo/-/raw/main/w.tar.gz",
        "https://bitbucket.org/ws/repo/raw/4a1b2c3/w.tar.gz",
        "https://app.box.com/shared/static/abc123hash.gz",
        "https://storage.googleapis.com/medperf-storage/chestxray_tutorial/demo_data.tar.gz",
        "https://github.com/o/r/blob/main/w.tar.gz",  # github-page-url's job
    ],
)
def test_direct_forms_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_positions_in_submission_and_docs_url_skipped(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: custom-cnn
        docs_url: https://docs.google.com/document/d/1DocId/edit
        additional_files_tarball_url: https://www.dropbox.com/scl/fi/a1b2c3/additional_files.tar.gz?rlkey=k9x8&dl=0
        additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
        demo_dataset_tarball_url: https://drive.google.com/file/d/1DeMo/view?usp=sharing
        demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("viewer-page-url", 3, 31), ("viewer-page-url", 5, 27)]
    first, second = (f.fix for f in report.findings)
    assert first is not None and first.replacement == (
        "https://www.dropbox.com/scl/fi/a1b2c3/additional_files.tar.gz?rlkey=k9x8&dl=1"
    )
    assert second is not None and second.replacement == DL.format("1DeMo")


def test_parameters_yaml(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        seed: 42
        pretrained:
          url: https://huggingface.co/org/model/blob/main/backbone.pt
        """,
        name="parameters.yaml",
        select=RULE,
    )
    assert hits(report) == [("viewer-page-url", 3, 8)]
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.replacement == "https://huggingface.co/org/model/resolve/main/backbone.pt"


def test_direct_prefix_is_kept_in_fix() -> None:
    report = lint_ref("direct:https://www.dropbox.com/s/a1b2c3/w.tar.gz?dl=0", select=RULE)
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.replacement == "direct:https://www.dropbox.com/s/a1b2c3/w.tar.gz?dl=1"


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        ("https://drive.google.com/uc?id=1AbC&export=download", DL.format("1AbC")),
        ("https://drive.google.com/uc?export=download&id=1AbC", DL.format("1AbC")),
        ("https://drive.google.com/uc?id=1AbC&confirm=", DL.format("1AbC")),
        (
            "https://drive.google.com/uc?id=1AbC&export=download&resourcekey=0-kEy",
            DL.format("1AbC") + "&resourcekey=0-kEy",
        ),
        ("https://drive.usercontent.google.com/download?id=1AbC", DL.format("1AbC")),
        ("direct:https://drive.google.com/uc?id=1AbC", DL.format("1AbC")),
        (
            "https://drive.google.com/uc?id=1AbC&Confirm=t",
            DL.format("1AbC"),
        ),  # Drive reads confirm=
    ],
)
def test_drive_download_without_confirm_warns_offline(url: str, fixed: str) -> None:
    report = lint_ref(url, select=RULE)
    assert [(f.rule, f.severity.value) for f in report.findings] == [("viewer-page-url", "warning")]
    assert messages(report)[0] == (
        "Google Drive download link without confirm=: for a file over about 100 MB Drive "
        "answers with an HTML virus-scan page, which MedPerf would save as the file (then "
        '"Hash mismatch" or "Cannot extract"); add confirm=t'
    )
    fix = report.findings[0].fix
    assert fix is not None and not fix.safe
    assert fix.replacement.removeprefix("direct:") == fixed


HTML = "MedPerf would download a web page, not the file"
REHOST = "re-host the file on Zenodo, Hugging Face or a public object store"
STATIC = (
    "on some plans the direct form https://app.box.com/shared/static/HASH.EXT exists (the "
    "link's download_url), otherwise " + REHOST
)
CONSOLE = "the AWS console (needs an AWS sign-in)"


@pytest.mark.parametrize(
    ("url", "message", "fixed"),
    [
        ("https://app.box.com/v/medperf", f"Box vanity link: {HTML}; {STATIC}", None),
        ("https://app.box.com/s/abc", f"Box shared-link page: {HTML}; {STATIC}", None),
        (
            "https://app.box.com/file/123",
            f"Box file page (needs a Box sign-in): {HTML}; {REHOST}",
            None,
        ),
        (
            "https://app.box.com/folder/9",
            f"Box folder page (needs a Box sign-in): {HTML}; {REHOST}",
            None,
        ),
        (
            "https://s3.console.aws.amazon.com/s3/object/bkt?region=us-east-1&prefix=a/w.tar.gz",
            f"S3 object page in {CONSOLE}: {HTML}",
            "https://bkt.s3.us-east-1.amazonaws.com/a/w.tar.gz",
        ),
        (
            "https://console.aws.amazon.com/s3/object/bkt?prefix=a%20b/w",
            f"S3 object page in {CONSOLE}: {HTML}",
            "https://bkt.s3.amazonaws.com/a%20b/w",
        ),
        (
            "https://s3.console.aws.amazon.com/s3/object/bkt?region=us-east-1",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (
            "https://s3.console.aws.amazon.com/s3/object/bkt?prefix=",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (
            "https://s3.console.aws.amazon.com/s3/buckets/bkt?prefix=a/",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (  # no bucket in the path: a prefix alone names no object
            "https://console.aws.amazon.com/s3/object?prefix=a/w.tar.gz",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (
            "https://console.aws.amazon.com/s3/",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (
            "https://s3.console.aws.amazon.com/s3/get/bkt?prefix=a/w.tar.gz",
            f"S3 bucket or folder page in {CONSOLE}: {HTML}; link one object",
            None,
        ),
        (
            "https://portal.azure.com/#blade/x",
            f"Azure portal page (needs an Azure sign-in): {HTML}; link the blob: "
            "https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB",
            None,
        ),
    ],
)
def test_box_and_cloud_console_pages_in_full(url: str, message: str, fixed: str | None) -> None:
    report = lint_ref(url, select=("viewer-page-url",))
    assert messages(report) == [message]
    fix = report.findings[0].fix
    assert (fix.replacement if fix else None) == fixed
    if fix is not None:
        assert (fix.description, fix.safe) == (
            "the object URL (only works if the object is public)",
            False,
        )


@pytest.mark.parametrize(
    "url",
    [
        "https://app.box.com/shared/static/x.tgz",
        "https://app.box.com/",
        "https://app.box.com/developers",
        "https://box.example.org/s/abc",
        "https://console.aws.amazon.com/ec2/home",
        "https://example.org/s3/object/bkt?prefix=a",
        "https://portal.azure.com.example.org/x",
    ],
)
def test_box_and_console_look_alikes_are_silent(url: str) -> None:
    assert hits(lint_ref(url, select=("viewer-page-url",))) == []


GCS_CONSOLE = "https://console.cloud.google.com/storage/browser/"


@pytest.mark.parametrize(
    ("url", "message", "fixed"),
    [
        (
            GCS_CONSOLE + "_details/bkt/w/x.tar.gz",
            f"Google Cloud console object page (needs a Google sign-in): {HTML}",
            "https://storage.googleapis.com/bkt/w/x.tar.gz",
        ),
        (GCS_CONSOLE + "bkt/w", f"Google Cloud console bucket page: {HTML}; link one object", None),
        (GCS_CONSOLE + "bkt", f"Google Cloud console bucket page: {HTML}; link one object", None),
        (  # a bucket's details page: no object named
            GCS_CONSOLE + "_details/bkt",
            f"Google Cloud console bucket page: {HTML}; link one object",
            None,
        ),
    ],
)
def test_google_cloud_console_pages_in_full(url: str, message: str, fixed: str | None) -> None:
    report = lint_ref(url, select=RULE)
    assert messages(report) == [message]
    fix = report.findings[0].fix
    assert (fix.replacement if fix else None) == fixed
    if fix is not None:
        assert (fix.description, fix.safe) == (
            "the public object URL (only works if the object is public)",
            False,
        )


@pytest.mark.parametrize(
    "url",
    [
        "https://console.cloud.google.com/home/dashboard",
        "https://console.cloud.google.com/storage/",
        "https://console.cloud.google.com.example.org/storage/browser/bkt",
        "https://example.org/storage/browser/_details/bkt/w/x.tar.gz",
    ],
)
def test_google_cloud_console_look_alikes_are_silent(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []
