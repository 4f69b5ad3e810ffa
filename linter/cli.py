"""Command line: ``medperf-lint [PATHS…] [--ref REF …]``, ``medperf-lint rules``, ``rule NAME``,
``medperf-lint guard [OPTIONS] -- medperf … submit …``.

Kept to argparse and lazy imports so an offline run starts as fast as yamllint.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from medperf_lint._version import __version__
from medperf_lint.cli_options import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    add_deadline_option,
    add_network_options,
    add_show_info_option,
    csv_list,
    ignored_option,
    overrides,
    unknown_rule_names,
)

if TYPE_CHECKING:
    from medperf_lint.guard import SubmitCommand
    from medperf_lint.report import Report


def _add_fix_options(p: argparse.ArgumentParser) -> None:
    """--fix, --unsafe-fixes, --diff and --statistics: a lint run's, not guard's."""
    p.add_argument(
        "--fix",
        action="store_true",
        help="rewrite values that have a fix, in place, then report what remains",
    )
    p.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, also apply fixes that could serve other bytes or rest on a "
        "guess (each rule's documentation says which kind its fix is); with --statistics, "
        "count them as fixable",
    )
    p.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff instead of writing them (exit 1 if there are any)",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of each finding",
    )


def build_parser(*, guard: bool = False) -> argparse.ArgumentParser:
    """The lint run's options; ``guard`` leaves out what only a lint run does (fixes, stats)."""
    p = argparse.ArgumentParser(
        prog="medperf-lint",
        description=(
            "Check every file reference in MedPerf manifests (mlcube.yaml, container_config.yaml, "
            "parameters.yaml, *.medperf.yaml|json submission manifests) or given with --ref, "
            "before you submit. `medperf-lint rules` lists the rules; `medperf-lint rule NAME` "
            "explains one; `medperf-lint guard [OPTIONS] -- medperf ... submit ...` lints a "
            "MedPerf submit command and runs it only when clean; `medperf-lint audit --server URL` "
            "checks what a MedPerf server already holds (`medperf-lint audit --help`)."
        ),
        epilog="Exit status: 0 no errors, 1 errors found (or warnings with --strict), "
        "2 usage, config or unreadable input.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders to lint with the command"
        if guard
        else "files or folders to lint (- reads standard input; default: . when no --ref)",
    )
    p.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="REF",
        help="a bare reference, as passed to `medperf ... submit` (repeatable)",
    )
    p.add_argument("--offline", action="store_true", help="run only the rules that need no network")
    p.add_argument(
        "--select",
        type=csv_list,
        action="extend",
        metavar="RULES",
        help="only these rules (names, codes, code prefixes or ALL; comma-separated)",
    )
    p.add_argument(
        "--ignore",
        type=csv_list,
        action="extend",
        metavar="RULES",
        help="skip these rules (names or codes; comma-separated)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        help="output format (default: github when GITHUB_ACTIONS=true, else text); sarif is "
        "SARIF 2.1.0 for GitHub code scanning",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="config file (.medperf-lint.toml or pyproject.toml); default: nearest one",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_deadline_option(p)
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    add_show_info_option(p)
    p.add_argument("--version", action="version", version=f"medperf-lint {__version__}")
    if not guard:
        _add_fix_options(p)
    add_network_options(p.add_argument_group("network (ignored with --offline)"))
    return p


GUARD_USAGE = (
    "medperf-lint guard [OPTIONS] -- medperf <model|container|mlcube|benchmark> submit [FLAGS]"
)


def build_guard_parser() -> argparse.ArgumentParser:
    """``medperf-lint guard``: the lint options, with guard's own usage, purpose and exits."""
    p = build_parser(guard=True)
    p.prog = "medperf-lint guard"
    p.usage = GUARD_USAGE
    p.description = (
        "Lint what a `medperf … submit` command would send, then run the command only when "
        "nothing is an error (nor a warning, with --strict). Give the medperf command after --. "
        "Its flags are read as MedPerf reads them: a local -m/--container-config-file is "
        "linted as the container config it uploads (findings show its path:line:col), a local "
        "-p/--parameters-file as a file, and a value from a flag such as -a/--additional-file "
        "is shown with that flag. The report goes to standard error; standard output belongs to "
        "the command. OPTIONS are the lint options below; a PATH is linted along with it."
    )
    p.epilog = (
        "Exit status: the command's own status when it ran; otherwise 1 (findings, the command "
        "was not run), 2 (usage: no command after --, a command guard cannot read, a file a "
        "flag names that does not exist), 127 (the command cannot be started)."
    )
    return p


def _rules_command(argv: Sequence[str]) -> int:
    from medperf_lint.rules import RULES, lookup

    if argv[0] == "rules":
        rows = [
            (
                r.code,
                r.name,
                ",".join(s.value for s in r.severities),  # the default first
                "online" if r.online else "offline",
                r.summary,
            )
            for r in sorted(RULES, key=lambda r: r.code)
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            print("  ".join([*cells, row[4]]))
        return EXIT_OK
    if len(argv) != 2:
        print("usage: medperf-lint rule NAME-OR-CODE", file=sys.stderr)
        return EXIT_USAGE
    rule = lookup(argv[1])
    if rule is None:
        print(
            f"medperf-lint: error: unknown rule {argv[1]!r}; `medperf-lint rules` lists them",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from medperf_lint.catalogue import rule_help

    sys.stdout.write(rule_help(rule))
    return EXIT_OK


def _lint(
    args: argparse.Namespace, progress: Any, entities: Sequence[dict[str, object]] = ()
) -> Report:
    """One lint run with the command line's inputs and settings."""
    from medperf_lint.api import lint

    return lint(
        args.paths,
        args.ref,
        online=not args.offline,
        config=args.config,
        overrides=overrides(args),
        progress=progress,
        entities=entities,
    )


MAX_FIX_PASSES = 10  # a fix can reveal another (SYNAPSE:syn01 -> synapse:syn01 -> synapse:syn1)


def _output_format(args: argparse.Namespace) -> str:
    """``--format``, else github annotations under GitHub Actions, else text."""
    return str(args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"))


def _use_color(fmt: str, stream: TextIO) -> bool:
    return fmt == "text" and stream.isatty() and "NO_COLOR" not in os.environ


def _guard_command(argv: Sequence[str]) -> int:
    """Lint what a ``medperf … submit`` command would send; run it only when that is clean."""
    import subprocess

    from medperf_lint.guard import GuardUsageError, parse_submit

    parser = build_guard_parser()
    if "--" not in argv:
        if {"-h", "--help"} & set(argv):
            parser.print_help()
            return EXIT_OK
        parser.print_usage(sys.stderr)
        print("medperf-lint guard: error: give the medperf command after --", file=sys.stderr)
        return EXIT_USAGE
    split = list(argv).index("--")
    args = parser.parse_args(list(argv[:split]))
    problem = ignored_option(args) or unknown_rule_names(args)
    if problem is not None:
        print(f"medperf-lint guard: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        submit = parse_submit(argv[split + 1 :])
    except GuardUsageError as err:
        print(f"medperf-lint guard: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    for note in submit.notes:  # before the report, so its summary line ends the report
        print(f"medperf-lint guard: {note}", file=sys.stderr)
    report = _report(args, submit)
    if report is None:
        return EXIT_USAGE
    code = report.exit_code(args.strict)
    if code != EXIT_OK:
        print(
            "medperf-lint guard: not running the command: fix the findings above first",
            file=sys.stderr,
        )
        return code
    try:
        return subprocess.run(list(argv[split + 1 :]), check=False).returncode
    except OSError as err:
        print(
            f"medperf-lint guard: cannot run {argv[split + 1]!r}: {err.strerror}", file=sys.stderr
        )
        return 127
    except KeyboardInterrupt:
        return 130


def _report(args: argparse.Namespace, submit: SubmitCommand) -> Report | None:
    """Lint for guard and print the report on stderr (stdout belongs to the wrapped command),
    each finding told by the flag or file it came from; None after a usage error was printed."""
    from dataclasses import replace
    from pathlib import Path

    from medperf_lint.guard import in_user_terms
    from medperf_lint.input.config import ConfigError
    from medperf_lint.progress import terminal_progress
    from medperf_lint.reporters import render

    args.paths = [*args.paths, *submit.paths]
    fmt = _output_format(args)
    with terminal_progress(enabled=not args.offline) as progress:
        try:
            report = _lint(args, progress, [dict(submit.body)])
        except ConfigError as err:
            print(f"medperf-lint: error: {err}", file=sys.stderr)
            return None
    report = replace(report, findings=tuple(in_user_terms(report.findings, submit, Path.cwd())))
    color = _use_color(fmt, sys.stderr)
    render(report, fmt, sys.stderr, quiet=args.quiet, color=color, show_info=args.show_info)
    return report


def _fix_and_relint(report: Report, args: argparse.Namespace, progress: Any) -> Report:
    """Apply fixes and lint again until nothing is left to fix, so a second --fix finds none."""
    from medperf_lint.fixer import apply_fixes, linted_roots
    from medperf_lint.reporters.safe_text import safe

    applied, files = 0, set()
    said: set[tuple[str, str]] = set()  # each file's reason once, however many passes
    roots = linted_roots(args.paths)
    for _ in range(MAX_FIX_PASSES):
        outcomes = apply_fixes(
            report.findings, unsafe=args.unsafe_fixes, sources=report.sources, roots=roots
        )
        for outcome in outcomes:
            if outcome.error and (outcome.path, outcome.error) not in said:
                said.add((outcome.path, outcome.error))
                print(
                    f"medperf-lint: {safe(outcome.path)}: not fixed: {safe(outcome.error)}",
                    file=sys.stderr,
                )
        done = sum(o.applied for o in outcomes)
        if not done:
            break
        applied += done
        files |= {o.path for o in outcomes if o.applied}
        report = _lint(args, progress)
    print(f"medperf-lint: fixed {applied} value(s) in {len(files)} file(s)", file=sys.stderr)
    _hint_unsafe(report, args)
    return report


def _hint_unsafe(report: Report, args: argparse.Namespace) -> None:
    """Say how many fixes were held back because they are unsafe."""
    from medperf_lint.fixer import fixable

    if args.unsafe_fixes:
        return
    held = sum(fixable(f, unsafe=True) and not fixable(f) for f in report.findings)
    if held:
        print(
            f"medperf-lint: {held} unsafe fix(es) not applied; review them and add "
            "--unsafe-fixes to apply them too",
            file=sys.stderr,
        )


def _write_patch(patch: str) -> None:
    """The patch in the files' own encoding (UTF-8), whatever the terminal's: it is applied to
    those bytes (a BOM, an accented comment), and a Latin-1 stdout must not fail on them."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (a caller's StringIO)
        sys.stdout.write(patch)
        return
    sys.stdout.flush()
    binary.write(patch.encode("utf-8"))
    binary.flush()


def _print_diff(report: Report, args: argparse.Namespace) -> int:
    """``--diff``: the fixes ``--fix`` would write, as a unified diff on stdout; nothing written."""
    from medperf_lint.fixer import apply_fixes, linted_roots
    from medperf_lint.reporters.safe_text import safe
    from medperf_lint.reporters.text_format import input_error_line

    for problem in report.input_errors:  # why the exit is 2: nothing else would say it
        print(input_error_line(problem), file=sys.stderr)
    diffs: list[str] = []
    outcomes = apply_fixes(
        report.findings, unsafe=args.unsafe_fixes, preview=diffs, roots=linted_roots(args.paths)
    )
    for outcome in outcomes:
        if outcome.error:
            print(
                f"medperf-lint: {safe(outcome.path)}: not fixable: {safe(outcome.error)}",
                file=sys.stderr,
            )
    _write_patch("".join(diffs))
    would = sum(o.applied for o in outcomes)
    files = sum(1 for o in outcomes if o.applied)
    print(f"medperf-lint: would fix {would} value(s) in {files} file(s)", file=sys.stderr)
    _hint_unsafe(report, args)
    if report.input_errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if would else EXIT_OK


EXIT_CLOSED_PIPE = 128 + 13  # what a shell reports for a Unix tool ended by SIGPIPE


def _closed_pipe() -> int:
    """Python's documented recipe for a closed pipe: point stdout at devnull, so the flush at
    exit cannot raise again, and end without a message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file descriptor (an embedding caller)
        pass
    verify = sys.modules.get("medperf_lint.providers.verify")
    if verify is not None:
        verify.remove_partial_files()
    return EXIT_CLOSED_PIPE


def _load_for_this_process() -> None:
    """Import the engine, rules and readers with the garbage collector off, then freeze them.

    They are some 11,000 objects the collector tracks, all as long-lived as the process, and no
    garbage: a collection while they load would only walk them, and so would every collection
    after (and the ones at exit) unless ``gc.freeze`` sets them aside. About 5% of an offline
    run. Only for a process of its own: a library caller's objects are never frozen.
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        import medperf_lint.api  # noqa: F401 - every command but --help and --version uses it
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; an unexpected error is one redacted line, never a traceback.

    Without ``argv`` this is the ``medperf-lint`` process itself (the console script, ``python
    -m medperf_lint``), which first loads what a lint needs (:func:`_load_for_this_process`).
    """
    if argv is None:
        _load_for_this_process()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # `medperf-lint … | head -1`: the reader left; end quietly
        return _closed_pipe()
    except KeyboardInterrupt:
        verify = sys.modules.get("medperf_lint.providers.verify")
        if verify is not None:  # downloads run on another thread: leave no partial file
            verify.remove_partial_files()
        print("medperf-lint: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: say so in one line that cannot leak a token
        from medperf_lint.input.config import DEBUG_VAR

        if os.environ.get(DEBUG_VAR):
            raise
        verify = sys.modules.get("medperf_lint.providers.verify")
        if verify is not None:
            verify.remove_partial_files()
        from medperf_lint.reporters.safe_text import safe

        print(
            f"medperf-lint: internal error: {type(err).__name__}: {safe(str(err))} "
            f"({DEBUG_VAR}=1 shows the traceback; please report it)",
            file=sys.stderr,
        )
        return EXIT_USAGE


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What makes the command line unusable before anything is read, or None."""
    if "-" in args.paths and args.fix:
        return "--fix cannot rewrite standard input (-)"
    if "-" in args.paths and args.diff:  # a diff is against a file the fixes could be applied to
        return "--diff cannot diff standard input (-); save it to a file and diff that"
    return _ignored_fix_option(args) or ignored_option(args) or unknown_rule_names(args)


def _ignored_fix_option(args: argparse.Namespace) -> str | None:
    """--fix, --diff and --statistics each decide what is printed: one of them at a time, and
    --unsafe-fixes only with one of them (alone it would change nothing)."""
    chosen = [flag for flag in ("fix", "diff", "statistics") if getattr(args, flag)]
    if len(chosen) > 1:
        return f"--{chosen[0]} and --{chosen[1]} cannot be combined; run them one after the other"
    if args.unsafe_fixes and not chosen:
        return "--unsafe-fixes changes what --fix, --diff or --statistics do; add one of them"
    if args.statistics and args.format not in (None, "text"):
        return f"--statistics prints a table, not --format {args.format}; drop one"
    return None


def _main(argv: list[str]) -> int:
    if argv and argv[0] in ("rules", "rule"):  # lint a folder of that name as ./rules
        return _rules_command(argv)
    if argv and argv[0] == "guard":  # a folder named guard: `medperf-lint ./guard`
        return _guard_command(argv[1:])
    if argv and argv[0] == "audit":  # a folder named audit: `medperf-lint ./audit`
        from medperf_lint.audit.command import audit_command

        return audit_command(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.paths and not args.ref:
        args.paths = ["."]  # as `ruff check`: the working directory
    problem = _usage_problem(args)
    if problem is not None:
        print(f"medperf-lint: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    fmt = _output_format(args)
    if not args.offline:  # only network libraries log; offline start-up stays lean
        from medperf_lint.refs.redact import install_log_redaction

        install_log_redaction()  # library log lines go to stderr redacted, one line each

    from medperf_lint.input.config import ConfigError
    from medperf_lint.progress import terminal_progress
    from medperf_lint.reporters import render

    with terminal_progress(enabled=not args.offline) as progress:  # a bar only on a TTY
        try:
            report = _lint(args, progress)
        except ConfigError as err:
            from medperf_lint.reporters.safe_text import safe

            print(f"medperf-lint: error: {safe(str(err))}", file=sys.stderr)
            return EXIT_USAGE
        if args.diff:
            return _print_diff(report, args)
        if args.fix:
            report = _fix_and_relint(report, args, progress)
    if args.statistics:
        from medperf_lint.reporters.statistics import render_statistics

        render_statistics(report, sys.stdout, unsafe=args.unsafe_fixes)
        return report.exit_code(args.strict)
    color = _use_color(fmt, sys.stdout)
    render(report, fmt, sys.stdout, quiet=args.quiet, color=color, show_info=args.show_info)
    return report.exit_code(args.strict)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
