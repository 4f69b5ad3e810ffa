from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from lintkit import hits, lint_yaml, messages
from medperf_lint.facts.registry import ImageLookup
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext
from medperf_lint.rules import docker_image_unpinned

RULE = ("docker-image-unpinned",)
DIGEST = "sha256:" + "0123456789abcdef" * 4


def _lint(tmp_path: Path, image: str) -> medperf_lint.Report:
    return lint_yaml(
        tmp_path,
        f"container_type: DockerImage\nimage: {image}\n",
        name="container_config.yaml",
        select=RULE,
    )


def _severities(report: medperf_lint.Report) -> list[tuple[str, int, int, str]]:
    return [(*hit, f.severity.value) for hit, f in zip(hits(report), report.findings, strict=True)]


@pytest.mark.parametrize(
    "image",
    [
        "mlcommons/chestxray-tutorial-mobilenetv2:0.0.0",
        "ghcr.io/vpchung/brats2024-dummy-model:0.0.1",
        "docker.synapse.org/syn51060790/mock-model-cpu:0.0.0",
        "localhost:5000/team/model:v1_rc.2",
        "ubuntu:22.04",
    ],
)
def test_tag_without_digest_is_info(tmp_path: Path, image: str) -> None:
    report = _lint(tmp_path, image)
    assert _severities(report) == [("docker-image-unpinned", 2, 8, "info")]
    assert "@sha256:" in messages(report)[0]


@pytest.mark.parametrize(
    "image",
    ["ubuntu", "ubuntu:latest", "docker.io/library/ubuntu", "registry.example.org:5000/a/b"],
)
def test_floating_tags_are_warnings(tmp_path: Path, image: str) -> None:
    report = _lint(tmp_path, image)
    assert _severities(report) == [("docker-image-unpinned", 2, 8, "warning")]
    assert "latest" in messages(report)[0]


@pytest.mark.parametrize(
    ("image", "fixed"),
    [
        ("Ubuntu:1", "ubuntu:1"),
        ("MLCommons/Model:V1", "mlcommons/model:V1"),
        ('"ubuntu:22.04 "', "ubuntu:22.04"),
        ("ubuntu:-bad", None),
        ("Ubuntu:-bad", None),  # lower case would not make it valid: no fix offered
        ("MLCommons//Model:1", None),
        ("Ubuntu:" + "t" * 129, None),
        ("ubuntu@sha256:abc", None),
        ("a//b:1", None),
        ("https://example.org/model.tar", None),
        ('""', None),
        ("a:" + "t" * 129, None),
    ],
)
def test_invalid_references_are_errors(tmp_path: Path, image: str, fixed: str | None) -> None:
    report = _lint(tmp_path, image)
    assert _severities(report) == [("docker-image-unpinned", 2, 8, "error")]
    fix = report.findings[0].fix
    assert (fix.replacement if fix else None) == fixed


@pytest.mark.parametrize(
    "image", [f"repo@{DIGEST}", f"mlcommons/model:0.0.1@{DIGEST}", f"ghcr.io/o/m@{DIGEST}"]
)
def test_digest_pinned_passes(tmp_path: Path, image: str) -> None:
    assert hits(_lint(tmp_path, image)) == []


def test_url_message_suggests_archive_type(tmp_path: Path) -> None:
    report = _lint(tmp_path, "https://example.org/model.tar")
    assert "DockerArchive" in messages(report)[0]


def test_mlcube_docker_image(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: model
        docker:
          image: mlcommons/mock-model:latest
        """,
        name="mlcube.yaml",
        select=RULE,
    )
    assert _severities(report) == [("docker-image-unpinned", 3, 10, "warning")]


def test_archive_types_are_not_images(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "container_type: DockerArchive\nimage: https://example.org/model.tar\n",
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == []


def test_non_string_image(tmp_path: Path) -> None:
    report = _lint(tmp_path, "42")
    assert _severities(report) == [("docker-image-unpinned", 2, 8, "error")]
    assert "found a number" in messages(report)[0]


INVALID = "not a valid Docker image reference, so docker pull fails: "
DIGEST64 = "sha256:" + "c" * 64


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("Ubuntu:1", INVALID + "repository names must be lower case"),
        ('""', INVALID + "it is empty; write [registry[:port]/]name[:tag][@sha256:<64 hex>]"),
        ('"  "', INVALID + "it is empty; write [registry[:port]/]name[:tag][@sha256:<64 hex>]"),
        ("ubuntu:-bad", INVALID + "expected [registry[:port]/]name[:tag][@sha256:<64 hex>]"),
        (
            "https://example.org/model.tar",
            INVALID
            + "a URL is not an image name; DockerImage takes a registry name, a hosted archive needs container_type DockerArchive or SingularityFile",
        ),
        (
            "ubuntu",
            "no tag, so Docker pulls latest, which moves with every push; pin a version tag and its digest (name:tag@sha256:…)",
        ),
        (
            "ubuntu:latest",
            "the latest tag, which moves with every push; pin a version tag and its digest (name:tag@sha256:…)",
        ),
        (
            "ubuntu:22.04",
            "pin with @sha256:… so the image cannot change under the same tag (docker buildx imagetools inspect prints the digest)",
        ),
    ],
)
def test_messages_in_full(tmp_path: Path, image: str, message: str) -> None:
    assert messages(_lint(tmp_path, image)) == [message]


def Lookup(digest: str | None) -> ImageLookup:
    return ImageLookup("image", "registry", "repository", "tag", digest=digest)


@pytest.mark.parametrize("image", ["ubuntu:22.04", "ubuntu", "ghcr.io/o/m:latest"])
def test_online_the_fix_pins_todays_digest(image: str) -> None:
    ref = Reference(image, RefKind.IMAGE, field="image")
    ctx = RuleContext(Settings(), NetworkResults(images={image: Lookup(DIGEST64)}))
    [diag] = docker_image_unpinned.check(ref, ctx)
    assert diag.fix is not None
    assert diag.fix.replacement == f"{image}@{DIGEST64}"
    assert (diag.fix.description, diag.fix.safe) == (
        "pin the digest the registry serves for this tag today",
        True,
    )
    unknown = RuleContext(Settings(), NetworkResults(images={image: Lookup(None)}))
    [without] = docker_image_unpinned.check(ref, unknown)
    assert without.fix is None


def test_whitespace_around_a_valid_name_is_trimmed_safely(tmp_path: Path) -> None:
    report = _lint(tmp_path, '" ubuntu:22.04"')
    assert messages(report) == [INVALID + "it contains whitespace"]
    fix = report.findings[0].fix
    assert fix is not None
    assert (fix.replacement, fix.description, fix.safe) == (
        "ubuntu:22.04",
        "remove the whitespace",
        True,
    )
