"""``medperf-lint audit``: the command line of an audit, and of ``audit history``.

Exit status: 0 nothing to alert on, 1 broken references (``--fail-on any``, the default) or
newly broken ones (``--fail-on new``), 2 a usage error, no usable token, a server that cannot
be read, or a history file that cannot be written (the report is still printed first).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from medperf_lint import cli_options as shared
from medperf_lint.cli_options import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from medperf_lint.audit.run import AuditResult

FORMATS = ("text", "json", "github", "sarif", "markdown")
_LOOPBACK_NAMES = ("localhost",)


def build_parser() -> argparse.ArgumentParser:
    from medperf_lint.audit.entities import KINDS

    p = argparse.ArgumentParser(
        prog="medperf-lint audit",
        description=(
            "Lint every reference a MedPerf server already holds (containers, models, assets, "
            "benchmarks, training experiments), record each reference's verdict in a SQLite "
            "history, and lead the report with what broke since the last audit. "
            "`medperf-lint audit history [--reference URL]` shows verdicts over time."
        ),
        epilog=(
            "Token: --token-file, else MEDPERF_LINT_MEDPERF_TOKEN, else the MedPerf client's "
            "stored login for --server. Exit status: 0 nothing to alert on, 1 broken references "
            "(see --fail-on), 2 usage, token, server or history problems."
        ),
    )
    p.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help="the MedPerf server, e.g. https://api.medperf.org",
    )
    p.add_argument("--token-file", metavar="FILE", help="read the MedPerf token from FILE")
    p.add_argument(
        "--benchmark",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="audit this benchmark and the containers and models it uses (repeatable)",
    )
    p.add_argument(
        "--entity",
        choices=tuple(KINDS),
        action="append",
        default=[],
        help="audit only these entity kinds (repeatable; default: all)",
    )
    p.add_argument(
        "--history", metavar="FILE", help="history database (default: in the cache folder)"
    )
    p.add_argument("--no-history", action="store_true", help="record nothing; report no changes")
    p.add_argument(
        "--fail-on",
        choices=("new", "any"),
        default="any",
        help="exit 1 when any reference is broken (default), or only when one broke since the "
        "last audit",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: github under GitHub Actions, else text)",
    )
    p.add_argument(
        "--summary",
        metavar="FILE",
        help="also append the Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )
    p.add_argument(
        "--select", type=shared.csv_list, action="extend", metavar="RULES", help="only these rules"
    )
    p.add_argument(
        "--ignore", type=shared.csv_list, action="extend", metavar="RULES", help="skip these rules"
    )
    p.add_argument("--config", metavar="FILE", help="config file for rule settings")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    shared.add_show_info_option(p)
    shared.add_deadline_option(p)
    shared.add_network_options(p.add_argument_group("network"))
    return p


def history_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="medperf-lint audit history",
        description="Show the recorded audit runs, or one reference's verdicts over time.",
    )
    p.add_argument("--reference", metavar="URL", help="the reference (as reports show it)")
    p.add_argument(
        "--history", metavar="FILE", help="history database (default: in the cache folder)"
    )
    p.add_argument(
        "--cache-dir", metavar="DIR", help="the cache folder holding the default history"
    )
    return p


def _error(message: str) -> int:
    from medperf_lint.reporters.safe_text import safe

    print(f"medperf-lint audit: error: {safe(message)}", file=sys.stderr)
    return EXIT_USAGE


def server_problem(url: str) -> str | None:
    """Why ``url`` cannot be the audited server (it gets the token), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return f"--server {url!r} is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--server {url!r} must be an https:// URL"
    if (
        parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or parts.path not in ("", "/")
    ):
        return (
            "--server must be the server's base URL alone (no path, user-info, query or fragment)"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return "--server must use https: the token would cross the network in clear text"
    return None


def _loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def audit_command(argv: Sequence[str]) -> int:
    if argv and argv[0] == "history":
        return _history_command(argv[1:])
    args = build_parser().parse_args(list(argv))
    problem = (
        server_problem(args.server)
        or shared.ignored_option(args)
        or shared.unknown_rule_names(args)
    )
    if problem:
        return _error(problem)
    server_url = args.server.rstrip("/")
    from medperf_lint.audit.credentials import CredentialError, find_token
    from medperf_lint.audit.history import default_path
    from medperf_lint.audit.run import AuditFailure, Scope, audit
    from medperf_lint.input.config import ConfigError, ConfigResolver
    from medperf_lint.progress import terminal_progress
    from medperf_lint.providers.medperf_api import Server
    from medperf_lint.refs.redact import install_log_redaction

    install_log_redaction()
    try:
        token = find_token(server_url, args.token_file)
        values = {"no_cache": True, **shared.overrides(args)}  # an audit wants today's answers
        explicit = Path(args.config) if args.config else None
        settings = ConfigResolver(explicit, values).run_settings()
        from medperf_lint.api import _check_ca_bundle, _check_resolve

        _check_ca_bundle(True)
        _check_resolve(settings, True, also_named=(server_url,))
    except (CredentialError, ConfigError) as err:
        return _error(str(err))
    history = None
    if not args.no_history:
        history = Path(args.history) if args.history else default_path(settings.cache_dir)
    scope = Scope(tuple(args.entity) or Scope().kinds, tuple(args.benchmark))
    with terminal_progress(enabled=True) as progress:
        try:
            result = audit(settings, Server(server_url, token.value), scope, history, progress)
        except (AuditFailure, ConfigError) as err:
            return _error(str(err))
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _render(result, fmt, sys.stdout, quiet=args.quiet, show_info=args.show_info)
    if args.summary:
        try:
            with open(args.summary, "a", encoding="utf-8") as out:
                _render(result, "markdown", out, quiet=False, show_info=False)
        except OSError as err:
            return _error(f"cannot write the summary to {args.summary}: {err.strerror}")
    return exit_code(result, args.fail_on)


def exit_code(result: AuditResult, fail_on: str) -> int:
    if result.history_error or result.report.input_errors:
        if result.history_error:
            from medperf_lint.reporters.safe_text import safe

            print(f"medperf-lint audit: error: {safe(result.history_error)}", file=sys.stderr)
        return EXIT_USAGE
    if fail_on == "new" and result.changes is not None:
        return EXIT_FINDINGS if result.changes.newly_broken else EXIT_OK
    return EXIT_FINDINGS if result.broken() or result.report.errors else EXIT_OK


def _render(result: AuditResult, fmt: str, out: TextIO, *, quiet: bool, show_info: bool) -> None:
    from medperf_lint.reporters.audit_format import audit_dict, render_changes_text

    if fmt == "markdown":
        from medperf_lint.reporters.markdown_format import render_markdown

        render_markdown(result, out)
    elif fmt == "json":
        from medperf_lint.reporters.json_format import render_json

        render_json(result.report, out, audit=audit_dict(result))
    elif fmt == "text":
        from medperf_lint.reporters.text_format import render_text

        render_changes_text(result, out)
        render_text(result.report, out, quiet=quiet, color=False, show_info=show_info)
    else:
        from medperf_lint.reporters import render

        render(result.report, fmt, out, quiet=quiet)


def _history_command(argv: Sequence[str]) -> int:
    from medperf_lint.audit.history import History, HistoryError, default_path
    from medperf_lint.reporters.safe_text import safe

    args = history_parser().parse_args(list(argv))
    path = Path(args.history) if args.history else default_path(args.cache_dir)
    if not path.exists():
        return _error(f"no audit history at {path}")
    try:
        with History(path) as history:
            rows = history.timeline(args.reference)
    except HistoryError as err:
        return _error(str(err))
    if args.reference is None:
        for started, server, scope, broken, total in rows:
            print(safe(f"{started}  {server}  [{scope}]  {broken or 0} broken of {total}"))
        return EXIT_OK
    if not rows:
        return _error(f"the history has no reference {args.reference!r}")
    for started, server, kind, ident, name, field, verdict, codes in rows:
        line = f'{started}  {server}  {kind} {ident} "{name}" · {field}: {verdict}'
        print(safe(line + (f" ({codes})" if codes else "")))
    return EXIT_OK
