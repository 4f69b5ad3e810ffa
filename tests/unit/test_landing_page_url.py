from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.rules import landing_page_url

RULE = ("landing-page-url",)


@pytest.mark.parametrize(
    ("url", "expected", "fix"),
    [
        (
            "https://www.synapse.org/#!Synapse:syn51089171",
            "Synapse web page",
            "synapse:syn51089171",
        ),
        ("https://www.synapse.org/Synapse:syn51089171/files/", "by ID", "synapse:syn51089171"),
        ("https://synapse.org/#!Synapse:syn123/wiki/456", "Synapse web page", "synapse:syn123"),
        ("https://www.synapse.org/Synapse:syn123.4", "not version 4", "synapse:syn123"),
        ("https://www.synapse.org/#!Profile:1234", "use synapse:synN", None),
        ("https://zenodo.org/records/7654321", "Zenodo record page", None),
        ("https://zenodo.org/record/7654321", "records/7654321/files/NAME", None),
        ("https://zenodo.org/api/records/7654321", "JSON metadata", None),
        (
            "https://zenodo.org/records/7654321/preview/demo.tar.gz",
            "preview page",
            "https://zenodo.org/records/7654321/files/demo.tar.gz?download=1",
        ),
        (
            "https://dataverse.harvard.edu/file.xhtml?fileId=4412",
            "Dataverse file page",
            "https://dataverse.harvard.edu/api/access/datafile/4412",
        ),
        (
            "https://dataverse.harvard.edu/file.xhtml?persistentId=doi:10.7910/DVN/X/Y&version=1.0",
            "Dataverse file page",
            "https://dataverse.harvard.edu/api/access/datafile/:persistentId?persistentId=doi:10.7910/DVN/X/Y",
        ),
        ("https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:1", "dataset page", None),
        (
            "https://physionet.org/content/mimic-cxr-jpg/2.1.0/README",
            "PhysioNet file page",
            "https://physionet.org/files/mimic-cxr-jpg/2.1.0/README",
        ),
        ("https://physionet.org/content/mimic-cxr-jpg/2.1.0/", "PhysioNet project page", None),
        ("https://figshare.com/articles/dataset/demo/12345", "figshare article page", None),
        ("https://springernature.figshare.com/articles/dataset/x/123/2", "figshare", None),
        ("https://osf.io/abcde/", "OSF page", None),
        ("https://osf.io/abcde/files/osfstorage", "OSF page", None),
        ("https://data.mendeley.com/datasets/rscbjbr9sj/2", "Mendeley Data", None),
        ("https://www.kaggle.com/datasets/o/chest-xray-pneumonia", "API token", None),
        ("https://www.kaggle.com/models/o/m", "Kaggle page", None),
        ("https://www.cancerimagingarchive.net/collection/lidc-idri/", "NBIA Data Retriever", None),
        ("https://wiki.cancerimagingarchive.net/display/Public/LIDC-IDRI", "TCIA page", None),
        ("https://openneuro.org/datasets/ds000001", "OpenNeuro", None),
        ("https://lung.grand-challenge.org/Download/", "Grand Challenge", None),
        ("https://huggingface.co/o/model", "Hugging Face repository page", None),
        ("https://huggingface.co/datasets/o/d/tree/main/data", "repository page", None),
    ],
)
def test_landing_pages_fail(url: str, expected: str, fix: str | None) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("landing-page-url", 0, 0)]
    assert expected in messages(report)[0]
    found = report.findings[0].fix
    assert (found.replacement if found else None) == fix


@pytest.mark.parametrize(
    "url",
    [
        "synapse:syn51089171",
        "https://zenodo.org/records/7654321/files/demo.tar.gz?download=1",
        "https://zenodo.org/api/records/7654321/files/demo.tar.gz/content",
        "https://ndownloader.figshare.com/files/98765",
        "https://figshare.com/ndownloader/files/98765",
        "https://osf.io/abcde/download?version=2",
        "https://dataverse.harvard.edu/api/access/datafile/4412",
        "https://physionet.org/files/mimic-cxr-jpg/2.1.0/README",
        "https://data.mendeley.com/public-files/datasets/x/files/y/file_downloaded",
        "https://huggingface.co/o/m/resolve/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/w.bin",
        "https://huggingface.co/docs/hub",
        "https://s3.amazonaws.com/openneuro.org/ds000001/sub-01/anat/T1w.nii.gz",
    ],
)
def test_file_urls_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_fix_keeps_direct_prefix_but_not_for_synapse(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        additional_files_tarball_url: direct:https://zenodo.org/records/1/preview/w.tar.gz
        demo_dataset_tarball_url: https://www.synapse.org/#!Synapse:syn9
        docs_url: https://zenodo.org/records/1
        """,
        select=RULE,
    )
    assert hits(report) == [("landing-page-url", 1, 31), ("landing-page-url", 2, 27)]
    fixes = [f.fix.replacement for f in report.findings if f.fix]
    assert fixes == [
        "direct:https://zenodo.org/records/1/files/w.tar.gz?download=1",
        "synapse:syn9",
    ]


def test_examples(tmp_path: Path) -> None:
    bad = lint_yaml(tmp_path, landing_page_url.EXAMPLE_FAILING, "bad.medperf.yaml", select=RULE)
    good = lint_yaml(tmp_path, landing_page_url.EXAMPLE_PASSING, "ok.medperf.yaml", select=RULE)
    assert [f.rule for f in bad.findings] == ["landing-page-url"]
    assert good.findings == ()


def test_fix_rewrites_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    from medperf_lint import cli

    path = tmp_path / "model.medperf.yaml"
    path.write_text(
        "additional_files_tarball_url: 'https://www.synapse.org/#!Synapse:syn51089171'\n"
        "additional_files_tarball_hash: "
        "bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca\n"
        "demo_dataset_tarball_url: https://zenodo.org/records/7/preview/d.tar.gz  # demo\n"
        "demo_dataset_tarball_hash: "
        "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00\n",
        encoding="utf-8",
    )
    assert cli.main(["--offline", "--fix", "--select=landing-page-url", str(path)]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "additional_files_tarball_url: 'synapse:syn51089171'"
    assert lines[2] == (
        "demo_dataset_tarball_url: https://zenodo.org/records/7/files/d.tar.gz?download=1  # demo"
    )


HF_PAGE = (
    "Hugging Face repository page: MedPerf would download the web page, not the file; link one "
    "file: https://huggingface.co/REPO/resolve/COMMIT_SHA/FILE"
)


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/o/m",
        "https://www.huggingface.co/o/m",
        "https://hf.co/o/m",
        "https://huggingface.co/datasets/o/d",
        "https://huggingface.co/spaces/o/s/tree/main",
        "https://huggingface.co/o/m/tree/main",
    ],
)
def test_hugging_face_repository_pages(url: str) -> None:
    assert messages(lint_ref(url, select=("landing-page-url",))) == [HF_PAGE]


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/docs/hub",
        "https://huggingface.co/models",
        "https://huggingface.co/o/m/blob/main/x",
        "https://huggingface.co.example.org/o/m",
        "https://cdn.huggingface.co/o/m",
    ],
)
def test_hugging_face_look_alikes(url: str) -> None:
    assert hits(lint_ref(url, select=("landing-page-url",))) == []
