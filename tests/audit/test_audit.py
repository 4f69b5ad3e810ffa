"""``medperf-lint audit`` against a fake MedPerf server whose references live on loopback hosts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from auditkit import TAR, TAR_SHA, run_audit
from servers import fake_medperf as fm
from servers.fake_medperf import FakeMedPerf
from servers.hosts import HostsServer, Reply


def _registry(medperf: FakeMedPerf, hosts: HostsServer) -> dict[str, str]:
    """One benchmark with its containers and reference model, one asset; one reference broken."""
    urls = {
        "good": hosts.route("zenodo.org", "/good.tar", Reply(body=TAR)),
        "demo": hosts.route("zenodo.org", "/demo.tar", Reply(body=TAR)),
        "rots": hosts.route("storage.googleapis.com", "/b/weights.tar", Reply(body=TAR)),
        "gone": hosts.route("zenodo.org", "/gone.tar", Reply(404, b"no")),
    }
    medperf.add(
        "mlcubes",
        fm.container(42, "brats-seg-v2", owner=9, additional=(urls["gone"], TAR_SHA)),
        fm.container(43, "brats-eval", additional=(urls["good"], TAR_SHA)),
        fm.container(44, "brats-model", additional=(urls["rots"], TAR_SHA)),
    )
    medperf.add("assets", fm.asset(5, "weights", urls["good"], TAR_SHA))
    medperf.add("models", fm.model(7, "ref", nested_container=medperf.entities["mlcubes"][44]))
    medperf.add(
        "benchmarks",
        fm.benchmark(
            3, "brats", demo=(urls["demo"], TAR_SHA), prep=42, reference_model=7, evaluator=43
        ),
    )
    medperf.add("training", fm.training(2, "fl"))  # the client's "link" placeholder: skipped
    return urls


def test_findings_name_the_entity_and_field(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    _registry(medperf, hosts)
    result = run_audit(capsys, medperf, hosts, tmp_path)
    assert result.code == 1, result.err
    assert (
        'container 42 "brats-seg-v2" · additional_files_tarball_url: MPL403 unreachable'
        in result.out
    )
    assert "newly broken 1" in result.out and "first audit of this server" in result.out
    assert sum("MPL" in line for line in result.out.splitlines() if "[error]" in line) == 1
    assert all(seen.authorization == "Bearer good-token" for seen in medperf.log)
    assert not any(h.headers.get("authorization") for h in hosts.log)  # the token stays home


def test_json_names_kind_id_name_and_owner(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    urls = _registry(medperf, hosts)
    document = run_audit(capsys, medperf, hosts, tmp_path, "--format", "json").json()
    (finding,) = [f for f in document["findings"] if f["severity"] == "error"]
    assert finding["entity"]["kind"] == "container"
    assert (finding["entity"]["id"], finding["entity"]["name"]) == (42, "brats-seg-v2")
    assert finding["entity"]["owner"] == 9
    assert finding["entity"]["field"] == "additional_files_tarball_url"
    assert finding["reference"] == urls["gone"]
    assert document["audit"]["newly_broken"][0]["benchmarks"] == [3]


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_sarif_and_github_name_the_entity(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    hosts: HostsServer,
    tmp_path: Path,
    fmt: str,
) -> None:
    _registry(medperf, hosts)
    out = run_audit(capsys, medperf, hosts, tmp_path, "--format", fmt).out
    assert 'container 42 \\"brats-seg-v2\\" · additional_files_tarball_url' in out or (
        'container 42 "brats-seg-v2" · additional_files_tarball_url' in out
    )
    if fmt == "sarif":
        log = json.loads(out)
        (artifact,) = log["runs"][0]["artifacts"]
        assert artifact["location"]["uri"].endswith("/api/v0/mlcubes/42/")


def test_rot_between_runs_is_reported_once_then_as_still_broken_then_fixed(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    _registry(medperf, hosts)
    first = run_audit(capsys, medperf, hosts, tmp_path, "--fail-on", "new")
    assert first.code == 1  # container 42's tarball: newly broken on the first audit
    hosts.route("storage.googleapis.com", "/b/weights.tar", Reply(403, b"private now"))
    second = run_audit(capsys, medperf, hosts, tmp_path, "--fail-on", "new", "--format", "json")
    audit = second.json()["audit"]
    assert second.code == 1
    assert [(c["id"], c["codes"]) for c in audit["newly_broken"]] == [(44, ["MPL404"])]
    assert [c["id"] for c in audit["still_broken"]] == [42]
    assert audit["still_broken"][0]["before"] == "broken"
    third = run_audit(capsys, medperf, hosts, tmp_path, "--fail-on", "new", "--format", "json")
    assert third.code == 0  # nothing newly broken: a nightly job alerts once per breakage
    assert {c["id"] for c in third.json()["audit"]["still_broken"]} == {42, 44}
    hosts.route("storage.googleapis.com", "/b/weights.tar", Reply(body=TAR))
    fourth = run_audit(capsys, medperf, hosts, tmp_path, "--format", "json")
    audit = fourth.json()["audit"]
    assert [c["id"] for c in audit["fixed"]] == [44]
    assert fourth.code == 1  # --fail-on any: container 42 is still broken


def test_still_broken_says_since_when(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    _registry(medperf, hosts)
    run_audit(capsys, medperf, hosts, tmp_path)
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    db.execute("UPDATE runs SET started_at = '2026-01-01T00:00:00Z'")
    db.commit()
    db.close()
    again = run_audit(capsys, medperf, hosts, tmp_path)
    assert "since 2026-01-01T00:00:00Z" in again.out


def test_history_subcommand_shows_a_reference_over_time(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    urls = _registry(medperf, hosts)
    run_audit(capsys, medperf, hosts, tmp_path)
    hosts.route("zenodo.org", "/gone.tar", Reply(body=TAR))
    run_audit(capsys, medperf, hosts, tmp_path)
    from medperf_lint.cli import main

    history = str(tmp_path / "history.sqlite3")
    capsys.readouterr()
    assert main(["audit", "history", "--history", history, "--reference", urls["gone"]]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines] == ["broken (MPL403)", "ok"]
    assert main(["audit", "history", "--history", history]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_markdown_has_a_table_per_benchmark_with_rule_links(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    _registry(medperf, hosts)
    medperf.add(
        "mlcubes",
        fm.container(
            50, "x|y](javascript:1)", additional=(hosts.url("zenodo.org", "/nothing"), "")
        ),
    )
    summary = tmp_path / "summary.md"
    out = run_audit(
        capsys, medperf, hosts, tmp_path, "--format", "markdown", "--summary", str(summary)
    ).out
    assert '### Benchmark 3 \\"brats\\"' in out
    assert "docs/rules.md#unreachable)" in out
    assert "### Entities no audited benchmark uses" in out
    assert "x\\|y\\]\\(javascript\\:1\\)" in out  # a hostile name stays inert text
    assert summary.read_text(encoding="utf-8") == out


def test_benchmark_scope_audits_what_the_benchmark_uses(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    _registry(medperf, hosts)
    medperf.add(
        "mlcubes", fm.container(60, "unrelated", additional=(hosts.url("zenodo.org", "/x"), ""))
    )
    medperf.add("models", fm.model(8, "participant", nested_asset=medperf.entities["assets"][5]))
    medperf.benchmark_models[3] = [8]
    document = run_audit(
        capsys, medperf, hosts, tmp_path, "--benchmark", "3", "--format", "json"
    ).json()
    assert document["audit"]["entities"] == 5  # benchmark, containers 42 and 43, models 7 and 8
    assert not any(s.path.startswith("/api/v0/mlcubes/60") for s in medperf.log)
    assert not any(s.path == "/api/v0/mlcubes/" for s in medperf.log)


def test_legacy_fields_and_remote_manifests(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    missing = hosts.url("zenodo.org", "/missing.csv")
    params = f"inputs:\n  weights: ftp://zenodo.org/w.bin\n  data: {missing}\n"
    mlcube = "name: x\ndocker:\n  image: mlcommons/x:1.0\n"
    mlcube_url = hosts.route(
        "raw.githubusercontent.com",
        "/o/r/" + "a" * 40 + "/mlcube.yaml",
        Reply(body=mlcube.encode(), content_type="text/plain"),
    )
    params_url = hosts.route(
        "raw.githubusercontent.com",
        "/o/r/" + "a" * 40 + "/parameters.yaml",
        Reply(body=params.encode(), content_type="text/plain"),
    )
    tarball = hosts.route("zenodo.org", "/image.tar", Reply(body=TAR))
    medperf.add(
        "mlcubes",
        fm.legacy_container(
            11,
            "old-cube",
            mlcube=(mlcube_url, "b" * 64),
            parameters=(params_url, "c" * 64),
            image_tarball=(tarball, TAR_SHA),
        ),
    )
    document = run_audit(
        capsys, medperf, hosts, tmp_path, "--format", "json", "--entity", "containers"
    ).json()
    found = {(f["entity"]["field"], f["code"]): f for f in document["findings"]}
    ftp = found[("git_parameters_url", "MPL002")]
    assert ftp["entity"]["remote_file"] == params_url
    assert ftp["entity"]["remote_field"] == "inputs.weights"
    assert "line 2 of" in ftp["message"]
    assert ("git_parameters_url", "MPL403") in found  # the missing CSV inside the parameters
    assert not any(f["entity"]["field"] == "image_tarball_url" for f in document["findings"])


def test_submission_body_lints_its_remote_manifest(hosts: HostsServer, tmp_path: Path) -> None:
    """A plain online run on a submission file reads the remote parameters it names, too."""
    from medperf_lint import lint
    from servers.hosts import HOSTS

    params_url = hosts.route(
        "zenodo.org",
        "/parameters.yaml",
        Reply(body=b"a: 1\nb: ftp://zenodo.org/x\n", content_type="text/plain"),
    )
    body = tmp_path / "cube.medperf.yaml"
    body.write_text(f"name: x\ngit_parameters_url: {params_url}\nparameters_hash: {'c' * 64}\n")
    report = lint(
        [body],
        overrides={
            "resolve": hosts.resolve(*HOSTS),
            "allow_private_hosts": True,
            "select": ("MPL002", "MPL403"),
            "no_cache": True,
        },
    )
    (finding,) = report.findings
    assert (finding.code, finding.path, finding.span and finding.span.line) == (
        "MPL002",
        str(body),
        2,
    )
    assert finding.message.startswith("git_parameters_url: line 2 of ")
    assert finding.fix is None
