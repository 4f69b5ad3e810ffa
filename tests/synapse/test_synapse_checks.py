"""How the Synapse checks talk to Synapse: one request per ID, credentials, retries, timeouts,
concurrency and side effects, observed at the fake server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from medperf_lint.providers.synapse import SynapseLookup
from servers.fake_synapse import Canned, FakeSynapse
from synkit import TOKEN, lint_ids, rules_of


def lookups(report: object) -> dict[str, SynapseLookup]:
    network = getattr(report, "network", None)
    assert network is not None
    return dict(network.synapse)


def test_one_bundle_request_per_unique_id(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn3000", "syn3000", "syn1000")
    assert sorted(r.path for r in fake.requests) == [
        "/repo/v1/entity/syn1000/bundle2",
        "/repo/v1/entity/syn3000/bundle2",
    ]
    body = json.loads(fake.requests[0].body)
    assert body["includeEntity"] is True and body["includePermissions"] is True
    assert body["includeFileHandles"] is True and body["includeRestrictionInformation"] is True
    assert fake.requests[0].headers["content-type"].startswith("application/json")
    assert set(lookups(report)) == {"syn3000", "syn1000"}


def test_lookup_fields(fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    report = lint_ids(fake, "syn3000", "syn2500")
    found = lookups(report)
    assert found["syn3000"] == SynapseLookup(
        "syn3000",
        status=200,
        entity_type="file",
        concrete_type="org.sagebionetworks.repo.model.FileEntity",
        name="weights.tar.gz",
        version=3,
        can_download=True,
        has_file_handle=True,
        restriction_level="OPEN",
        unmet_requirements=False,
        file_name="weights.tar.gz",
        file_handle_id="456",
        auth="user alice",
    )
    assert found["syn2500"].entity_type == "table"  # from concreteType when entityType is absent
    assert found["syn3000"].to_dict()["kind"] == "synapse"
    assert report.network is not None and report.network.synapse_identity == "as user alice"


def test_anonymous_sends_no_authorization(fake: FakeSynapse) -> None:
    report = lint_ids(fake, "syn3000", "syn4000")
    assert list(fake.authorizations()) == [None, None]
    assert [r.path for r in fake.requests if r.path.endswith("userProfile")] == []
    assert report.network is not None and report.network.synapse_identity == "anonymously"
    assert {lk.auth for lk in lookups(report).values()} == {"missing"}


def test_token_is_sent_as_bearer_after_login(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    lint_ids(fake, "syn3000", "syn4000")
    assert fake.requests[0].method == "GET" and fake.requests[0].path == "/repo/v1/userProfile"
    assert len(fake.requests) == 3
    assert set(fake.authorizations()) == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("section", ["authentication", "default"])
def test_token_from_synapse_config(fake: FakeSynapse, section: str) -> None:
    home = Path(os.environ["HOME"])
    (home / ".synapseConfig").write_text(f"[{section}]\nauthtoken = {TOKEN}\n", encoding="utf-8")
    report = lint_ids(fake, "syn3000")
    assert report.network is not None and report.network.synapse_identity == "as user alice"
    assert set(fake.authorizations()) == {f"Bearer {TOKEN}"}


def test_config_file_wins_over_environment_like_synapseclient(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["HOME"])
    (home / ".synapseConfig").write_text(f"[authentication]\nauthtoken={TOKEN}\n", encoding="utf-8")
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", "some-other-token")
    lint_ids(fake, "syn3000")
    assert set(fake.authorizations()) == {f"Bearer {TOKEN}"}


def test_429_then_200_is_retried(fake: FakeSynapse) -> None:
    throttled = Canned(429, {"reason": "Too many concurrent requests."})
    fake.queue("syn1000", throttled, throttled)
    report = lint_ids(fake, "syn1000", retries=2)
    assert len(fake.bundle_requests("syn1000")) == 3
    assert lookups(report)["syn1000"].inconclusive is None
    assert sorted(r for r, _ in rules_of(report)) == ["synapse-auth-missing", "synapse-not-a-file"]


def test_429_until_retries_run_out_is_inconclusive(fake: FakeSynapse) -> None:
    fake.always["syn3000"] = Canned(429, {"reason": "Requests are too frequent."})
    report = lint_ids(fake, "syn3000", retries=1)
    assert len(fake.bundle_requests("syn3000")) == 2
    reason = lookups(report)["syn3000"].inconclusive
    assert reason is not None and "429" in reason and "Requests are too frequent." in reason
    assert [r for r, _ in rules_of(report)] == ["synapse-auth-missing"]  # no finding of ours


def test_503_is_inconclusive(fake: FakeSynapse) -> None:
    fake.always["syn3000"] = Canned(503, {"reason": "Service Unavailable"})
    report = lint_ids(fake, "syn3000", retries=0)
    assert len(fake.bundle_requests("syn3000")) == 1
    reason = lookups(report)["syn3000"].inconclusive
    assert reason == "Synapse answered 503: Service Unavailable"


def test_hanging_server_is_bounded_by_the_read_timeout(fake: FakeSynapse) -> None:
    fake.hang.add("syn3000")
    report = lint_ids(fake, "syn3000", "syn1000", read_timeout=0.5, retries=2)
    found = lookups(report)
    assert found["syn3000"].inconclusive == "no answer within 0.5 s (read timeout)"
    assert len(fake.bundle_requests("syn3000")) == 1  # timeouts are not retried
    assert found["syn1000"].entity_type == "folder"


def test_deadline_bounds_the_run(fake: FakeSynapse) -> None:
    fake.hang.add("syn3000")
    report = lint_ids(fake, "syn3000", read_timeout=5.0, deadline=0.5)
    reason = lookups(report)["syn3000"].inconclusive
    assert reason == "the run's deadline (0.5 s) ran out"


def test_login_503_is_inconclusive_with_a_short_retry(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    fake.profile_answer = Canned(503, {"reason": "Service Unavailable"})
    report = lint_ids(fake, "syn3000", retries=1)
    # login() takes no retry policy; ours still applies: 2 tries, not synapseclient's 60
    assert [r.path for r in fake.requests] == ["/repo/v1/userProfile"] * 2
    lookup = lookups(report)["syn3000"]
    assert lookup.inconclusive == (
        "logging in with the token from the SYNAPSE_AUTH_TOKEN environment variable failed: "
        "Synapse answered 503: Service Unavailable"
    )
    assert rules_of(report) == []


def test_unreachable_endpoint_is_inconclusive() -> None:
    with FakeSynapse() as stopped:
        pass  # nothing listens on its port any more
    report = lint_ids(stopped, "syn3000", retries=0)
    reason = lookups(report)["syn3000"].inconclusive
    assert reason is not None and reason.startswith("could not connect to 127.0.0.1:")
    assert [r for r, _ in rules_of(report)] == ["synapse-auth-missing"]


def test_redirects_are_not_followed_so_the_token_stays_home(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    with FakeSynapse(tokens={TOKEN: "alice"}) as elsewhere:
        location = elsewhere.endpoint + "/entity/syn3000/bundle2"
        moved = {"reason": "Temporary Redirect"}
        fake.queue("syn3000", Canned(307, moved, (("Location", location),)))
        report = lint_ids(fake, "syn3000")
        assert elsewhere.requests == []
    assert lookups(report)["syn3000"].inconclusive == "Synapse's answer carried no entity"
    assert rules_of(report) == []


def test_concurrency_is_capped(fake: FakeSynapse) -> None:
    fake.latency = 0.1
    ids = [f"syn{9100 + i}" for i in range(8)]
    lint_ids(fake, *ids, synapse_concurrency=3)
    assert len(fake.bundle_requests()) == 8
    assert 2 <= fake.max_active <= 3


def test_nothing_written_to_synapse_cache(
    fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    lint_ids(fake, "syn3000")
    home = Path(os.environ["HOME"])
    assert not (home / ".synapseCache").exists()
    assert not (home / ".synapseConfig").exists()


def _cli(
    fake: FakeSynapse, home: Path, *args: str, token: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    env["HOME"] = str(home)
    if token is not None:
        env["SYNAPSE_AUTH_TOKEN"] = token
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "medperf_lint",
            "--format",
            "json",
            "--synapse-endpoint",
            fake.endpoint,
            "--allow-private-hosts",
            "--read-timeout",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_never_prints_the_token(fake: FakeSynapse, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    secret = "bad-" + TOKEN
    result = _cli(fake, home, "--ref", "synapse:syn3000", token=secret)
    assert secret not in result.stdout + result.stderr
    assert set(fake.authorizations()) == {f"Bearer {secret}"}
    data = json.loads(result.stdout)  # nothing but our JSON on stdout
    assert [f["rule"] for f in data["findings"]] == ["synapse-auth-invalid"]
    assert result.returncode == 1


def test_cli_with_token_runs_as_user_and_leaves_home_alone(
    fake: FakeSynapse, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = _cli(fake, home, "--ref", "synapse:syn4001", "--ref", "synapse:syn3000", token=TOKEN)
    assert TOKEN not in result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert sorted((f["rule"], f["reference"]) for f in data["findings"]) == [
        ("synapse-mutable-version", "synapse:syn3000"),
        ("synapse-mutable-version", "synapse:syn4001"),
        ("synapse-no-access", "synapse:syn4001"),
    ]
    [no_access] = [f for f in data["findings"] if f["rule"] == "synapse-no-access"]
    assert "when checked as user alice" in no_access["message"]
    assert sorted(p.name for p in home.iterdir()) == []  # no ~/.synapseCache, no config
    by_id = {entry["synapse_id"]: entry for entry in data["synapse"]}
    assert sorted(by_id) == ["syn3000", "syn4001"]
    assert by_id["syn3000"]["entity_type"] == "file" and by_id["syn3000"]["can_download"] is True
    assert by_id["syn4001"]["can_download"] is False
    assert by_id["syn4001"]["auth"] == "user alice"


def test_offline_run_does_not_import_synapseclient(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "medperf_lint",
            "--offline",
            "--ref",
            "synapse:syn1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "medperf_lint.rules._synapse" in imported  # the Synapse rules load...
    assert not {m for m in imported if m.startswith(("synapseclient", "requests"))}  # ...not these
