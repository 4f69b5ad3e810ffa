"""Today's `medperf model submit` bodies and the `submit` flag names as manifest keys.

`medperf model submit` posts ``{"type": "CONTAINER", "container": {…}}`` or
``{"type": "ASSET", "asset": {…}}`` (cli/medperf/commands/model/submit.py); with
``--asset-path`` the asset's URL is the literal ``local``.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import medperf_lint
from lintkit import hits, lint_yaml
from medperf_lint.engine import UNREAD_COMPANION

SHA = "b" * 64
BLOB = "https://github.com/o/r/blob/main/w.tar.gz"


def test_nested_container_body_in_check_submission() -> None:
    body = {
        "name": "m",
        "type": "CONTAINER",
        "container": {
            "name": "m",
            "additional_files_tarball_url": BLOB,
            "additional_files_tarball_hash": SHA,
            "container_config": {"container_type": "DockerImage", "image": "m/x:latest"},
        },
    }
    report = medperf_lint.check_submission(body, online=False)
    assert sorted(f.rule for f in report.findings) == ["docker-image-unpinned", "github-page-url"]
    assert {f.reference for f in report.findings} == {BLOB, "m/x:latest"}


def test_nested_asset_body_in_check_submission() -> None:
    body = {"name": "m", "type": "ASSET", "asset": {"name": "m", "asset_url": BLOB}}
    report = medperf_lint.check_submission(body, online=False)
    assert sorted(f.rule for f in report.findings) == ["github-page-url", "hash-missing"]
    missing = next(f for f in report.findings if f.rule == "hash-missing")
    assert "asset_hash" in missing.message


def test_asset_url_local_is_not_a_reference() -> None:
    body = {"type": "ASSET", "asset": {"name": "m", "asset_url": "local", "asset_hash": SHA}}
    report = medperf_lint.check_submission(body, online=False)
    assert report.findings == ()
    assert report.references == 0


def test_nested_bodies_in_a_manifest_have_positions_inside(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: m
        type: CONTAINER
        container:
          additional_files_tarball_url: {BLOB}
          additional_files_tarball_hash: {SHA}
          container_config:
            container_type: DockerImage
            image: m/x
        """,
        name="model.yaml",
    )
    assert sorted(hits(report)) == [
        ("docker-image-unpinned", 8, 12),
        ("github-page-url", 4, 33),
    ]


def test_asset_manifest_with_asset_url(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        type: ASSET
        asset:
          name: weights
          asset_url: https://bit.ly/3xYz
        """,
        name="asset.yaml",
    )
    assert sorted(hits(report)) == [("hash-missing", 4, 14), ("mutable-url", 4, 14)]


def test_submit_flag_names_are_manifest_keys(tmp_path: Path) -> None:
    (tmp_path / "cc.yaml").write_text(
        "container_type: DockerImage\nimage: m/x:latest\n", encoding="utf-8"
    )
    (tmp_path / "params.yaml").write_text("w: https://e.org/w.tar.gz\n", encoding="utf-8")
    path = tmp_path / "model.medperf.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            container-config-file: cc.yaml
            parameters-file: params.yaml
            additional-file: {BLOB}
            additional-hash: {SHA}
            image-hash: sha256:{SHA}
            asset-path: ./weights.tar.gz
            decryption-key: ./key.bin
            demo-url: https://zenodo.org/records/1/files/d.tar.gz?download=1
            demo-hash: {SHA}
            docs-url: https://docs.example.org/
            """
        ),
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([path], online=False)
    assert report.input_errors == ()
    assert report.files == 3  # the manifest and the two files it uploads inline
    found = sorted((Path(f.path or "").name, f.rule) for f in report.findings)
    assert found == [
        ("cc.yaml", "docker-image-unpinned"),
        ("model.medperf.yaml", "github-page-url"),
    ]


def test_a_model_body_is_told_by_content() -> None:
    from medperf_lint.input.documents import DocKind, load_text

    doc = load_text('{"type": "ASSET", "asset": {"asset_url": "synapse:syn1"}}', None)
    assert doc.kind is DocKind.SUBMISSION
    assert [(r.raw, r.field, r.hash.field if r.hash else None) for r in doc.references] == [
        ("synapse:syn1", "asset_url", "asset_hash")
    ]


def test_inline_files_outside_the_tree_are_not_read(tmp_path: Path) -> None:
    """An untrusted manifest cannot make the linter read files outside its folder and the
    working directory (absolute paths, ``../``, or a link pointing out)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "params.yaml"
    secret.write_text("w: https://e.org/w.tar.gz?token=secret\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.yaml").symlink_to(secret)
    path = repo / "model.medperf.yaml"
    path.write_text(
        f"parameters-file: {secret}\nmlcube-file: ../outside/params.yaml\n"
        "container-config-file: link.yaml\n",
        encoding="utf-8",
    )
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        report = medperf_lint.lint_paths([path], online=False)
    finally:
        os.chdir(cwd)
    assert report.files == 1
    assert all(Path(f.path or "").name == "model.medperf.yaml" for f in report.findings)
    # Not a silent pass either: the one file (three names) is said to be unread, exit 2.
    assert [p.message for p in report.input_errors] == [f"{UNREAD_COMPANION} (named in {path})"]
    assert "secret" not in str(report.input_errors) and report.exit_code() == 2


def test_an_inline_file_outside_the_tree_linted_by_name_is_no_input_error(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    config = outside / "container_config.yaml"
    config.write_text("container_type: DockerImage\nimage: busybox:latest\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    path = repo / "model.medperf.yaml"
    path.write_text("name: m\ncontainer_config_file: ../outside/container_config.yaml\n")
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        for order in ([path, config], [config, path]):
            report = medperf_lint.lint_paths(order, online=False)
            assert report.input_errors == () and report.files == 2
            assert {f.rule for f in report.findings} == {"docker-image-unpinned"}
    finally:
        os.chdir(cwd)


def test_an_inline_file_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    """`medperf container submit -m nothere.yaml` fails before uploading: a manifest naming a
    file that is not there is not a clean run, and the message names the manifest."""
    path = tmp_path / "model.medperf.yaml"
    path.write_text(
        "name: m\ncontainer_config_file: nothere.yaml\nparameters_file: gone/params.yaml\n",
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([path], online=False)
    hint = "a path relative to it, of a file MedPerf uploads from your machine; a URL needs its https://"
    assert sorted((Path(p.path or "").name, p.message) for p in report.input_errors) == [
        ("nothere.yaml", f"No such file or directory (named in {path}: {hint})"),
        ("params.yaml", f"No such file or directory (named in {path}: {hint})"),
    ]
    assert report.findings == ()  # said once, not again as an invalid URL without a hash
    assert report.exit_code() == 2


def test_placeholders_and_folders_named_as_inline_files(tmp_path: Path) -> None:
    """A template placeholder is skipped (as everywhere); a folder is one input error, said
    once; a missing file outside the tree is said to be missing, not unread."""
    path = tmp_path / "repo" / "model.medperf.yaml"
    path.parent.mkdir()
    path.write_text(
        'name: m\ncontainer_config_file: "{{ cookiecutter.cc }}"\nmlcube_file: .\n'
        "parameters_file: ../../nothere/p.yaml\n",
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([path], online=False)
    assert sorted(p.message.split(" (")[0] for p in report.input_errors) == [
        "No such file or directory",
        "is a directory, not a regular file",
    ]
    assert report.findings == ()
