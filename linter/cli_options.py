"""Command-line pieces shared by ``medperf-lint`` and ``medperf-lint audit``: exit codes, the
network options and how parsed options become setting overrides."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def csv_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_deadline_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="bound the whole run: network checks, and rule evaluation offline too (rules not "
        "run by then are an input error, exit 2)",
    )


def add_show_info_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--show-info",
        action="store_true",
        help="text output: list info findings (advice) too; by default they are only counted",
    )


def unknown_rule_names(args: argparse.Namespace) -> str | None:
    """The usage error for a ``--select``/``--ignore`` name no rule has (a typo must never
    shrink the selection silently), naming the closest rule as ruff does; None when all known."""
    from medperf_lint.rules import closest, known_selector

    for flag, names in (("--select", args.select), ("--ignore", args.ignore)):
        for name in names or ():
            if known_selector(name):
                continue
            near = closest(name)
            hint = f"; did you mean {near!r}?" if near else ""
            return (
                f"{flag}: unknown rule {name!r}{hint} (`medperf-lint rules` lists the names "
                "and codes)"
            )
    return None


def ignored_option(args: argparse.Namespace) -> str | None:
    """The usage error for an option this command line would ignore, or None: an option the
    run does not act on must not look as if it had run (a silent green)."""
    if getattr(args, "offline", False) and args.verify_hashes:
        return "--verify-hashes downloads every hashed file, which --offline forbids; drop one"
    return None


def add_network_options(net: argparse._ArgumentGroup) -> None:
    """The network settings, shared by lint runs and ``medperf-lint audit``."""
    net.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR",
        help="connect to ADDR for HOST:PORT, keeping Host, SNI and certificate checks (like "
        "curl); a loopback or private ADDR also needs --allow-private-hosts",
    )
    net.add_argument(
        "--allow-private-hosts",
        action="store_true",
        default=None,
        help="allow connections to loopback, private and link-local addresses",
    )
    net.add_argument(
        "--cache-dir", metavar="DIR", help="probe cache folder (default: XDG cache dir)"
    )
    net.add_argument(
        "--no-cache",
        action="store_true",
        default=None,
        help="neither read nor write the probe cache",
    )
    net.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="per-URL total time (default 60)"
    )
    net.add_argument("--connect-timeout", type=float, metavar="SECONDS", help="default 5")
    net.add_argument("--read-timeout", type=float, metavar="SECONDS", help="default 20")
    net.add_argument("--max-connections-per-host", type=int, metavar="N", help="default 8")
    net.add_argument(
        "--retries", type=int, metavar="N", help="retries for 408, 429, 5xx and resets (default 2)"
    )
    net.add_argument(
        "--github-api-url", metavar="URL", help="GitHub REST API (default https://api.github.com)"
    )
    net.add_argument(
        "--synapse-endpoint", metavar="URL", help="Synapse repo endpoint (default production)"
    )
    net.add_argument(
        "--synapse-concurrency", type=int, metavar="N", help="Synapse requests at once (default 3)"
    )
    net.add_argument(
        "--verify-hashes",
        action="store_true",
        default=None,
        help="download every hashed file in full and check its SHA-256, archive and demo dataset "
        "(not with --offline)",
    )
    net.add_argument(
        "--max-download-size",
        metavar="SIZE",
        help="with --verify-hashes: larger files are inconclusive (default 20GiB)",
    )
    net.add_argument(
        "--keep", metavar="DIR", help="with --verify-hashes: keep downloads in DIR, named by hash"
    )


_OVERRIDES = (
    "select",
    "ignore",
    "cache_dir",
    "no_cache",
    "deadline",
    "timeout",
    "connect_timeout",
    "read_timeout",
    "max_connections_per_host",
    "retries",
    "github_api_url",
    "synapse_endpoint",
    "synapse_concurrency",
    "allow_private_hosts",
    "verify_hashes",
    "max_download_size",
)


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: getattr(args, k) for k in _OVERRIDES if getattr(args, k) is not None
    }
    for key in ("select", "ignore"):
        if key in values:
            values[key] = tuple(values[key])
    if args.resolve:
        values["resolve"] = tuple(args.resolve)
    if args.keep:
        values["keep_dir"] = args.keep
    return values
