"""Each synapse-* rule against the fake Synapse server, through the real synapseclient."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lintkit import hits
from servers.fake_synapse import FakeSynapse
from synkit import TOKEN, lint_file, lint_ids, only, rules_of

HASH = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"


@pytest.fixture
def logged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)


def manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "submission.medperf.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.usefixtures("logged_in")
def test_missing_entity_quotes_the_reason(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn9", select=("synapse-not-found",))
    assert rules_of(report) == [("synapse-not-found", "synapse:syn9")]
    assert "Resource: 'syn9' does not exist" in report.findings[0].message
    assert report.findings[0].code == "MPL601"


@pytest.mark.usefixtures("logged_in")
def test_trashed_entity_is_not_found(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn6000", select=("synapse-not-found",))
    [message] = only(report, "synapse-not-found")
    assert "trash can" in message and "Entity syn6000 is in trash can." in message


@pytest.mark.parametrize(
    ("syn_id", "kind"),
    [("syn1000", "folder"), ("syn2000", "project"), ("syn2500", "table")],
)
@pytest.mark.usefixtures("logged_in")
def test_not_a_file(fake: FakeSynapse, syn_id: str, kind: str) -> None:
    report = lint_ids(fake, syn_id, select=("synapse-not-a-file",))
    [message] = only(report, "synapse-not-a-file")
    assert f"is a {kind}, not a File" in message
    assert report.findings[0].code == "MPL602"


@pytest.mark.usefixtures("logged_in")
def test_a_file_is_a_file(fake: FakeSynapse) -> None:
    assert rules_of(lint_ids(fake, "syn3000", select=("synapse-not-a-file",))) == []


def test_403_anonymous_says_so(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn4000", select=("synapse-no-access",))
    [message] = only(report, "synapse-no-access")
    assert "when checked anonymously" in message
    assert '"You lack READ access to the requested entity."' in message
    assert "MedPerf always logs in" in message
    assert report.findings[0].code == "MPL603"


@pytest.mark.parametrize("syn_id", ["syn4001", "syn4002"])  # canDownload false / no file handle
@pytest.mark.usefixtures("logged_in")
def test_no_download_as_user(fake: FakeSynapse, syn_id: str) -> None:
    report = lint_ids(fake, syn_id, select=("synapse-no-access",))
    [message] = only(report, "synapse-no-access")
    assert "can be seen but not downloaded when checked as user alice" in message
    assert "share it with the MedPerf users" in message and "direct: link" in message


@pytest.mark.usefixtures("logged_in")
def test_downloadable_file_has_no_access_finding(fake: FakeSynapse) -> None:
    assert only(lint_ids(fake, "syn3000"), "synapse-no-access") == []


def test_open_data_downloads_anonymously(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn7000")
    assert sorted(r for r, _ in rules_of(report)) == [
        "synapse-auth-missing",
        "synapse-mutable-version",
    ]


@pytest.mark.parametrize(
    ("syn_id", "level"),
    [("syn5000", "RESTRICTED_BY_TERMS_OF_USE"), ("syn5001", "CONTROLLED_BY_ACT")],
)
@pytest.mark.usefixtures("logged_in")
def test_unmet_access_requirements(fake: FakeSynapse, syn_id: str, level: str) -> None:
    report = lint_ids(fake, syn_id, select=("synapse-access-requirements", "synapse-no-access"))
    assert rules_of(report) == [("synapse-access-requirements", f"synapse:{syn_id}")]
    message = report.findings[0].message
    assert level in message and f"https://www.synapse.org/Synapse:{syn_id}" in message
    assert report.findings[0].code == "MPL604"


def test_auth_missing_once_per_file_at_first_synapse_reference(
    fake: FakeSynapse, tmp_path: Path
) -> None:
    path = manifest(
        tmp_path,
        """
        name: model
        additional_files_tarball_url: synapse:syn3000
        additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        demo_dataset_tarball_url: synapse:syn7000
        """,
    )
    report = lint_file(fake, path, select=("synapse-auth-missing",))
    assert hits(report) == [("synapse-auth-missing", 2, 31)]
    message = report.findings[0].message
    assert "SYNAPSE_AUTH_TOKEN" in message and "~/.synapseConfig" in message
    assert "medperf auth synapse_login" in message
    assert report.findings[0].code == "MPL605"


@pytest.mark.usefixtures("logged_in")
def test_no_auth_missing_when_logged_in(fake: FakeSynapse) -> None:
    assert only(lint_ids(fake, "syn3000"), "synapse-auth-missing") == []


def test_bad_token_is_reported_once_and_nothing_else(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", "expired-token")
    path = manifest(
        tmp_path,
        """
        additional_files_tarball_url: synapse:syn3000
        demo_dataset_tarball_url: synapse:syn9
        """,
    )
    report = lint_file(fake, path)
    assert hits(report) == [("synapse-auth-invalid", 1, 31)]
    message = report.findings[0].message
    assert '401 "Invalid access token"' in message and "SYNAPSE_AUTH_TOKEN" in message
    assert report.findings[0].code == "MPL606"
    assert [r.path for r in fake.requests] == ["/repo/v1/userProfile"]  # no entity checked


@pytest.mark.usefixtures("logged_in")
def test_401_on_bundle_after_login_is_auth_invalid(fake: FakeSynapse) -> None:
    from servers.fake_synapse import Canned

    fake.queue("syn3000", Canned(401, {"reason": "Invalid access token"}))
    report = lint_ids(fake, "syn3000")
    assert [r for r, _ in rules_of(report)] == ["synapse-auth-invalid"]


@pytest.mark.usefixtures("logged_in")
def test_mutable_version_names_the_hash_field(fake: FakeSynapse, tmp_path: Path) -> None:
    path = manifest(
        tmp_path,
        f"""
        additional_files_tarball_url: synapse:syn3000
        additional_files_tarball_hash: {HASH}
        """,
    )
    report = lint_file(fake, path, select=("synapse-mutable-version",))
    assert hits(report) == [("synapse-mutable-version", 1, 31)]
    message = report.findings[0].message
    assert "syn3000 is at version 3" in message
    assert "the hash in additional_files_tarball_hash is what catches it" in message
    assert report.findings[0].code == "MPL607"


@pytest.mark.usefixtures("logged_in")
def test_mutable_version_without_hash_asks_for_one(fake: FakeSynapse, tmp_path: Path) -> None:
    path = manifest(tmp_path, "additional_files_tarball_url: synapse:syn3000\n")
    report = lint_file(fake, path, select=("synapse-mutable-version",))
    [message] = only(report, "synapse-mutable-version")
    assert "add additional_files_tarball_hash" in message


@pytest.mark.usefixtures("logged_in")
def test_not_a_file_has_no_version_finding(fake: FakeSynapse) -> None:
    assert only(lint_ids(fake, "syn1000"), "synapse-mutable-version") == []
