"""At the run's deadline, URLs already probed keep their real result; only the rest are
inconclusive."""

from __future__ import annotations

from pathlib import Path

from onlinekit import lint_urls, probe
from servers.hosts import HostsServer, Reply, gzip_bytes

GCS = "storage.googleapis.com"


def test_finished_probes_survive_the_deadline(tmp_path: Path, https: HostsServer) -> None:
    done = https.route(GCS, "/b/w.tar.gz", Reply(body=gzip_bytes()))
    stuck = https.route(GCS, "/b/hang.tar.gz", Reply(hang=True))
    report = lint_urls(tmp_path, [done, stuck], https, deadline=1.0, inconclusive=True)
    finished = probe(report, done)
    assert finished.inconclusive is None and finished.ok_status and finished.sniffed == "gzip"
    assert probe(report, stuck).inconclusive is not None
    assert [f.reference for f in report.findings] == [stuck]
