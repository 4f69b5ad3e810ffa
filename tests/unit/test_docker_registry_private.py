"""docker-registry-private: offline, a registry that refuses anonymous pulls is named."""

from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from lintkit import lint_yaml
from medperf_lint.rules import lookup
from medperf_lint.rules.docker_registry_private import PRIVATE_REGISTRIES, private_registry

RULE = ("docker-registry-private",)
DIGEST = "@sha256:" + "0123456789abcdef" * 4


def _found(tmp_path: Path, image: str) -> list[tuple[str, str]]:
    report = lint_yaml(
        tmp_path,
        f"container_type: DockerImage\nimage: {image}\n",
        name="container_config.yaml",
        select=RULE,
    )
    return [(f.severity.value, f.message) for f in report.findings]


@pytest.mark.parametrize(
    ("image", "name", "severity"),
    [
        ("docker.synapse.org/syn51060790/mock-model-cpu:0.0.0", "Synapse's registry", "error"),
        ("DOCKER.SYNAPSE.ORG/syn1/m:1", "Synapse's registry", "error"),
        ("docker.synapse.org:443/syn1/m:1", "Synapse's registry", "error"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1.0",
            "a private Amazon ECR registry",
            "error",
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/model:1",
            "a private Amazon ECR registry",
            "error",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/model:1",
            "a private Amazon ECR registry",
            "error",
        ),
        ("lab.azurecr.io/model:1.0", "Azure Container Registry", "warning"),
        ("europe-docker.pkg.dev/project/repo/model:1.0", "Google Artifact Registry", "warning"),
        ("us-central1-docker.pkg.dev/p/r/m:1", "Google Artifact Registry", "warning"),
        ("gcr.io/project/model:1.0", "Google Container Registry", "warning"),
        ("eu.gcr.io/project/model:1.0", "Google Container Registry", "warning"),
    ],
)
def test_private_registries(tmp_path: Path, image: str, name: str, severity: str) -> None:
    found = _found(tmp_path, image)
    assert [s for s, _m in found] == [severity]
    assert found[0][1].startswith(name)
    pinned = image.rpartition(":")[0] + DIGEST  # pinned, the registry still refuses
    assert [s for s, _m in _found(tmp_path, pinned)] == [severity]


def test_messages_say_what_the_participant_needs(tmp_path: Path) -> None:
    (synapse,) = _found(tmp_path, "docker.synapse.org/syn1/m:1")
    assert synapse == (
        "error",
        "Synapse's registry never serves an anonymous pull: each participant's docker pull "
        "needs `docker login docker.synapse.org` with a Synapse account that can read the "
        "project, so MedPerf fails for anyone without it; host the image on a public registry",
    )
    (azure,) = _found(tmp_path, "lab.azurecr.io/model:1.0")
    assert azure == (
        "warning",
        "Azure Container Registry is private by default: docker pull needs `az acr login`, "
        "unless the owner enabled anonymous pull; make the repository public or host the "
        "image on a public registry",
    )


@pytest.mark.parametrize(
    "image",
    [
        "public.ecr.aws/lab/model:1.0",  # Amazon ECR Public
        "ghcr.io/vpchung/brats2024-dummy-model:0.0.1",
        "mlcommons/chestxray-tutorial-mobilenetv2:0.0.0",
        "quay.io/lab/model:1",
        "docker.synapse.org.example.com/m:1",  # only the exact host
        "synapse.org/m:1",
        "notgcr.io/p/m:1",
        "gcr.io.example.com/p/m:1",
        "azurecr.io/m:1",  # no registry name before it
        "docker.pkg.dev/p/r/m:1",  # no region-docker label
        "europe-maven.pkg.dev/p/r/m:1",
        "123456789012.dkr.ecr.us-east-1.example.com/m:1",
        "dkr.ecr.us-east-1.amazonaws.com/m:1",
        "localhost:5000/m:1",
        "[::1]:5000/m:1",
        "Ubuntu:1",  # invalid: docker-image-unpinned says so
    ],
)
def test_public_or_unknown_registries_pass(tmp_path: Path, image: str) -> None:
    assert _found(tmp_path, image) == []


def test_only_images_are_judged(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "additional_files_tarball_url: https://docker.synapse.org/v2/syn1/m/manifests/1\n",
        select=RULE,
    )
    assert report.findings == ()


def test_legacy_mlcube_docker_image(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "docker:\n  image: docker.synapse.org/syn1/m:1\n",
        name="mlcube.yaml",
        select=RULE,
    )
    assert [(f.rule, f.span.line if f.span else 0) for f in report.findings] == [
        ("docker-registry-private", 2)
    ]


def test_every_registry_is_on_the_rule_page() -> None:
    rule = lookup("docker-registry-private")
    assert rule is not None
    for host in (
        "`docker.synapse.org`",
        "`<account>.dkr.ecr.<region>.amazonaws.com`",
        "`public.ecr.aws`",
        "`<name>.azurecr.io`",
        "`<region>-docker.pkg.dev`",
        "`gcr.io`, `<region>.gcr.io`",
    ):
        assert host in rule.doc
    assert len(PRIVATE_REGISTRIES) == 5
    by_construction = [r.name for r in PRIVATE_REGISTRIES if r.by_construction]
    assert by_construction == ["Synapse's registry", "a private Amazon ECR registry"]


def test_private_registry_lookup() -> None:
    entry = private_registry("docker.synapse.org/syn1/m:1")
    assert entry is not None and entry.by_construction
    assert private_registry("not a reference") is None


def test_the_offline_run_fails_for_synapse_images(tmp_path: Path) -> None:
    path = tmp_path / "container_config.yaml"
    path.write_text(
        f"container_type: DockerImage\nimage: docker.synapse.org/syn1/m:1{DIGEST}\n",
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([path], online=False)
    assert [f.rule for f in report.findings] == ["docker-registry-private"]
    assert report.exit_code(False) == 1
