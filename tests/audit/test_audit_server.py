"""A MedPerf server that refuses the token, pages slowly, lies in its links or breaks its JSON:
one clear line and exit 2, or a complete audit; never a traceback or a silent green."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from auditkit import TAR, TAR_SHA, run_audit
from servers import fake_medperf as fm
from servers.fake_medperf import PAGE_SIZE, FakeMedPerf
from servers.hosts import HostsServer, Reply


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _jwt(exp: float) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'exp': int(exp)})}.c2ln"


@pytest.mark.parametrize(
    ("token", "said", "asked"),
    [
        # a token the server refuses: asked once, never echoed
        ("stale-token", "refused the token (401: Given token not valid for any token type)", True),
        (None, "no MedPerf token for", False),  # none anywhere: nothing is sent
        (_jwt(time.time() - 3600), "expired at", False),  # refused before any request
    ],
    ids=["refused", "missing", "expired"],
)
def test_a_token_problem_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
    said: str,
    asked: bool,
) -> None:
    if token is None:
        monkeypatch.delenv("MEDPERF_LINT_MEDPERF_TOKEN")
    else:
        monkeypatch.setenv("MEDPERF_LINT_MEDPERF_TOKEN", token)
    result = run_audit(capsys, medperf, None, tmp_path)
    assert result.code == 2
    assert said in _one_line(result.err)
    assert token is None or token not in result.err + result.out
    assert bool(medperf.log) is asked
    assert not (tmp_path / "history.sqlite3").exists()  # nothing audited, nothing recorded


def test_token_file_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEDPERF_LINT_MEDPERF_TOKEN", "wrong")
    token = tmp_path / "token"
    token.write_text("good-token\n")
    result = run_audit(capsys, medperf, None, tmp_path, "--token-file", str(token))
    assert result.code == 0, result.err


def _stored_login(home: Path, server: str, token: str, *, mode: int = 0o600) -> Path:
    """The files `medperf auth login` leaves behind (config.yaml, .tokens/<b64 email>/…)."""
    folder = home / ".medperf_config"
    account = base64.b64encode(b"owner@example.org").decode()
    tokens = folder / ".tokens" / account
    tokens.mkdir(parents=True, mode=0o700)
    (folder / ".tokens").chmod(0o700)
    (tokens / "medperf_access_token").write_text(token)
    (tokens / "medperf_access_token").chmod(mode)
    profile = {
        "server": server,
        "credentials": {
            "email": "owner@example.org",
            "token_issued_at": time.time(),
            "token_expires_in": 86400,
            "logged_in_at": time.time(),
        },
    }
    config = {"active_profile_name": "default", "profiles": {"default": profile}, "storage": {}}
    (folder / "config.yaml").write_text(json.dumps(config))
    return tokens / "medperf_access_token"


def test_the_medperf_clients_stored_login_is_used_for_its_own_server_only(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MEDPERF_LINT_MEDPERF_TOKEN")
    home = Path(os.environ["HOME"])
    path = _stored_login(home, medperf.base, "good-token")
    assert run_audit(capsys, medperf, None, tmp_path).code == 0
    # a login made for another server is never sent here
    config = home / ".medperf_config" / "config.yaml"
    config.write_text(config.read_text().replace(medperf.base, "https://api.medperf.org"))
    result = run_audit(capsys, medperf, None, tmp_path)
    assert result.code == 2 and "no MedPerf token" in _one_line(result.err)
    config.write_text(config.read_text().replace("https://api.medperf.org", medperf.base))
    path.chmod(0o644)  # readable by others: not trusted
    result = run_audit(capsys, medperf, None, tmp_path)
    assert result.code == 2 and "is open to other users" in _one_line(result.err)


def test_malformed_json_is_one_line(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, tmp_path: Path
) -> None:
    medperf.add("assets", fm.asset(1, "a", "https://zenodo.org/a", TAR_SHA))
    medperf.malformed.add("/api/v0/assets/")
    result = run_audit(capsys, medperf, None, tmp_path)
    assert result.code == 2
    assert "/api/v0/assets/: the server's answer is not JSON" in _one_line(result.err)


def test_a_busy_server_is_asked_again_under_the_request_policy(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, tmp_path: Path
) -> None:
    """A 503 is retried as every provider retries it (net/policy.py), ``--retries`` times."""
    medperf.add("assets", fm.asset(1, "a", "local", ""))
    medperf.unavailable["/api/v0/assets/"] = 1
    result = run_audit(capsys, medperf, None, tmp_path, "--retries", "1")
    assert result.code == 0, result.err
    assert [s.path for s in medperf.log].count("/api/v0/assets/") == 2
    medperf.unavailable["/api/v0/assets/"] = 1
    again = run_audit(capsys, medperf, None, tmp_path)  # --retries 0
    assert again.code == 2
    assert "/api/v0/assets/: HTTP 503: Service temporarily unavailable" in _one_line(again.err)


def test_a_redirect_is_not_followed(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, tmp_path: Path
) -> None:
    """The token and the run stay on the origin the user named: a 301 is an error, not a hop."""
    medperf.moved["/api/v0/assets/"] = "/api/v0/mlcubes/"  # even on the same origin
    result = run_audit(capsys, medperf, None, tmp_path, "--entity", "assets")
    assert result.code == 2
    assert "the server redirects (HTTP 301)" in _one_line(result.err)
    assert [s.path for s in medperf.log] == ["/api/v0/assets/"]


def test_a_next_link_to_another_origin_is_refused(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, tmp_path: Path
) -> None:
    medperf.next_host = "attacker.example:443"
    medperf.add("assets", *(fm.asset(i, f"a{i}", "local", "") for i in range(1, PAGE_SIZE + 5)))
    result = run_audit(capsys, medperf, None, tmp_path)
    assert result.code == 2
    assert "points away from the server" in _one_line(result.err)


def test_pages_are_fetched_side_by_side_and_none_is_lost(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    hosts: HostsServer,
    tmp_path: Path,
) -> None:
    url = hosts.route("zenodo.org", "/a.tar", Reply(body=TAR))
    medperf.delay = 0.2  # a slow server: every page takes its time
    medperf.add(
        "assets", *(fm.asset(i, f"a{i}", url, TAR_SHA) for i in range(1, 6 * PAGE_SIZE + 3))
    )
    document = run_audit(
        capsys, medperf, hosts, tmp_path, "--entity", "assets", "--format", "json"
    ).json()
    assert document["audit"]["entities"] == 6 * PAGE_SIZE + 2
    assert medperf.peak > 1  # later pages asked for at once, not one after another
    pages = [s.path for s in medperf.log if s.path.startswith("/api/v0/assets/")]
    assert len(pages) == 7 and len(set(pages)) == 7


def test_a_server_that_never_answers_is_one_line(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, tmp_path: Path
) -> None:
    medperf.delay = 3.0
    result = run_audit(
        capsys, medperf, None, tmp_path, "--read-timeout", "0.5", "--entity", "assets"
    )
    assert result.code == 2
    assert "no response within the read timeout" in _one_line(result.err)


@pytest.mark.parametrize(
    "server",
    [
        "http://api.medperf.org",
        "https://user:pw@api.medperf.org",
        "https://api.medperf.org/api/v0/",
        "ftp://api.medperf.org",
    ],
)
def test_a_server_address_that_could_leak_the_token_is_refused(
    capsys: pytest.CaptureFixture[str], server: str
) -> None:
    from medperf_lint.cli import main

    assert main(["audit", "--server", server]) == 2
    assert "--server" in _one_line(capsys.readouterr().err)
