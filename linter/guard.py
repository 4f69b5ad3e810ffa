"""``medperf-lint guard -- medperf … submit …``: read a MedPerf submit command the way MedPerf's
CLI (typer) reads it, and build the body it would send, so the references are linted first.

Written by hand because the alternative, importing MedPerf's typer app, would pull the whole
MedPerf client (and its pinned dependencies) into the linter. The flag tables below are copied
from ``cli/medperf/commands/{model,mlcube,benchmark}/*.py`` at MedPerf 5f3c4c4 plus the legacy
MLCube-era flags (``--mlcube-file``, ``--image-file``, …); unknown flags are reported, not
guessed at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from medperf_lint.findings import Finding, Span
from medperf_lint.input.safe_io import is_regular_file
from medperf_lint.refs.references import looks_like_reference
from medperf_lint.refs.urls import redact

GROUPS = ("model", "container", "mlcube", "benchmark")


@dataclass(frozen=True)
class Flag:
    """One ``medperf … submit`` option: the body field it fills, or None when it holds no
    reference (names, UIDs, local key files)."""

    target: str | None
    takes_value: bool = True


_CONTAINER_FLAGS: dict[str, Flag] = {
    "--name": Flag(None),
    "-n": Flag(None),
    "--operational": Flag(None, takes_value=False),
    "--container-config-file": Flag("container_config_file"),
    "-m": Flag("container_config_file"),
    "--parameters-file": Flag("parameters_file"),
    "-p": Flag("parameters_file"),
    "--additional-file": Flag("additional_files_tarball_url"),
    "-a": Flag("additional_files_tarball_url"),
    "--additional-hash": Flag("additional_files_tarball_hash"),
    "--image-hash": Flag("image_hash"),
    "--decryption-key": Flag(None),
    "--decryption_key": Flag(None),
    "-d": Flag(None),
    # legacy MLCube era (MedPerf before #642)
    "--mlcube-file": Flag("container_config_file"),
    "--mlcube-hash": Flag("mlcube_hash"),
    "--parameters-hash": Flag("parameters_hash"),
    "--image-file": Flag("image_tarball_url"),
    "-i": Flag("image_tarball_url"),
}
_MODEL_FLAGS: dict[str, Flag] = {
    **_CONTAINER_FLAGS,
    "--asset-path": Flag("asset_path"),
    "--asset-url": Flag("asset_url"),
}
_BENCHMARK_FLAGS: dict[str, Flag] = {
    "--name": Flag(None),
    "-n": Flag(None),
    "--description": Flag(None),
    "-d": Flag(None),
    "--docs-url": Flag("docs_url"),
    "-u": Flag("docs_url"),
    "--demo-url": Flag("demo_dataset_tarball_url"),
    "--demo-hash": Flag("demo_dataset_tarball_hash"),
    "--data-preparation-container": Flag(None),
    "-p": Flag(None),
    "--reference-model": Flag(None),
    "-m": Flag(None),
    "--evaluator-container": Flag(None),
    "-e": Flag(None),
    "--skip-demo-data-preparation": Flag(None, takes_value=False),
    "--operational": Flag(None, takes_value=False),
    "--skip-compatibility-tests": Flag(None, takes_value=False),
    # legacy MLCube era
    "--data-preparation-mlcube": Flag(None),
    "--reference-model-mlcube": Flag(None),
    "--evaluator-mlcube": Flag(None),
}
FLAGS: Mapping[str, Mapping[str, Flag]] = {
    "model": _MODEL_FLAGS,
    "container": _CONTAINER_FLAGS,
    "mlcube": _CONTAINER_FLAGS,
    "benchmark": _BENCHMARK_FLAGS,
}


class GuardUsageError(ValueError):
    """The wrapped command is not a ``medperf <group> submit`` that guard understands."""


@dataclass(frozen=True)
class SubmitCommand:
    """What a ``medperf … submit`` command line would send."""

    group: str
    body: Mapping[str, object]  # server field names, container_config inline when given
    paths: tuple[str, ...] = ()  # local files linted as files (parameters files)
    notes: tuple[str, ...] = field(default_factory=tuple)  # flags guard did not check
    flags: Mapping[str, str] = field(default_factory=dict)  # body field -> the flag that set it
    config_file: str | None = None  # the container config inlined into the body, as typed


def parse_submit(command: Sequence[str], cwd: Path | None = None) -> SubmitCommand:
    """Read ``medperf <group> submit [flags]``; raise GuardUsageError when it is anything else."""
    cwd = cwd or Path.cwd()
    words = list(command)
    if not words:
        raise GuardUsageError("give the medperf command after --")
    position = _submit_position(words)
    if position is None:
        shown = " ".join(words[:3])
        raise GuardUsageError(
            f"expected `medperf <{'|'.join(GROUPS)}> submit …` after --, got {shown!r}"
        )
    group = words[position]
    table = FLAGS[group]
    values, notes, flags = _read_flags(words[position + 2 :], table)
    return _build(group, values, notes, cwd, flags)


def long_flag(name: str, table: Mapping[str, Flag]) -> str:
    """``--additional-file`` for ``-a``: the first long flag that fills the same field."""
    flag = table.get(name)
    if name.startswith("--") or flag is None:
        return name
    return next((n for n, f in table.items() if n.startswith("--") and f == flag), name)


def _submit_position(words: list[str]) -> int | None:
    for i in range(1, len(words) - 1):
        if words[i] in GROUPS and words[i + 1] == "submit":
            return i
    return None


def _read_flags(
    args: list[str], table: Mapping[str, Flag]
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """(body field -> value, notes, body field -> the flag's long name)."""
    values: dict[str, str] = {}
    flags: dict[str, str] = {}
    notes: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--":
            break
        if not word.startswith("-") or word == "-":
            notes.append(f"argument {word!r} is not a flag; not checked")
            continue
        name, eq, inline = word.partition("=")
        flag = table.get(name)
        if flag is None and not word.startswith("--") and len(word) > 2:
            name, inline, eq = word[:2], word[2:], "="  # typer/click: -avalue
            flag = table.get(name)
        if flag is None:
            notes.append(f"flag {name} is not one guard knows; not checked")
            continue
        if not flag.takes_value:
            continue
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            raise GuardUsageError(f"flag {name} needs a value")
        if flag.target is not None:
            values[flag.target] = value
            flags[flag.target] = long_flag(name, table)
    return values, notes, flags


# A flag that names a local file, or (MLCube era) a URL to it: the body field for the URL.
_LOCAL_OR_URL = {"container_config_file": "git_mlcube_url", "parameters_file": "git_parameters_url"}


def _build(
    group: str, values: dict[str, str], notes: list[str], cwd: Path, flags: dict[str, str]
) -> SubmitCommand:
    body: dict[str, object] = {}
    paths: list[str] = []
    config_file: str | None = None
    for key, value in values.items():
        if key in _LOCAL_OR_URL:
            local = cwd / value
            if not is_regular_file(local) and not looks_like_reference(value):
                raise GuardUsageError(f"{flags[key]} {value}: the file does not exist")
            if not is_regular_file(local):  # legacy: these flags took a URL (or synapse:)
                body[_LOCAL_OR_URL[key]] = value
                flags[_LOCAL_OR_URL[key]] = flags[key]
            elif key == "container_config_file":
                body["container_config"] = _load_yaml(local)
                config_file = value
            else:
                paths.append(os.fspath(local))
        elif key == "asset_path":
            continue  # MedPerf sends asset_url "local" and uploads nothing: no reference
        else:
            body[key] = value
    if "image_tarball_url" in body and "image_hash" in body:
        body["image_tarball_hash"] = body.pop("image_hash")  # legacy --image-file + --image-hash
    return SubmitCommand(group, body, tuple(paths), tuple(notes), dict(flags), config_file)


_INLINE = "container_config."


def in_user_terms(findings: Iterable[Finding], submit: SubmitCommand, cwd: Path) -> list[Finding]:
    """Findings about the body as the user wrote the command: a value from a flag names the
    flag (``--additional-file 'URL'``), one from the container config file its
    ``path:line:col``."""
    located = _config_positions(submit, cwd)
    in_flag_words = _flag_words(submit)
    out: list[Finding] = []
    for f in findings:
        if f.path is not None:
            out.append(f)
        elif f.field is not None and f.field.startswith(_INLINE) and submit.config_file:
            span = located.get((f.field[len(_INLINE) :], f.reference))
            out.append(replace(f, path=submit.config_file, span=span, field=None))
        elif f.reference is None and f.message.startswith(_INLINE) and submit.config_file:
            message = f.message[len(_INLINE) :]
            span = located.get(("", message))
            out.append(replace(f, path=submit.config_file, span=span, message=message))
        else:
            field_name = submit.flags.get(f.field or "", f.field)
            out.append(replace(f, field=field_name, message=in_flag_words(f.message)))
    return sorted(out, key=lambda f: f.sort_key)


def _flag_words(submit: SubmitCommand) -> Callable[[str], str]:
    """Rewrite a message naming body fields (``add additional_files_tarball_hash``) to name the
    flags that fill them (``add --additional-hash``): the user of guard typed flags. Built once
    per command, used for each of its findings."""
    table = FLAGS[submit.group]
    words = {f.target: long_flag(n, table) for n, f in table.items() if f.target}
    words.update(submit.flags)  # the flag the user typed, where there is a choice
    if "image_tarball_url" in submit.body and "image_hash" in words:
        words["image_tarball_hash"] = words["image_hash"]  # legacy --image-file + --image-hash
    # a field name as a word of its own, not inside a quoted URL or path; literals: linear
    fields = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    names = re.compile(rf"(?<![\w/.=-])(?:{fields})(?![\w/.-])")
    return lambda message: names.sub(lambda m: words[m.group(0)], message)


def _config_positions(
    submit: SubmitCommand, cwd: Path
) -> dict[tuple[str, str | None], Span | None]:
    """(field, redacted value) -> span of each reference in the container config file, and
    ("", message) -> span of each of its problems."""
    from medperf_lint.input.documents import load_container_config
    from medperf_lint.input.yamlnodes import InputError

    if submit.config_file is None:
        return {}
    try:
        doc = load_container_config(cwd / submit.config_file, submit.config_file)
    except (InputError, RecursionError):
        return {}
    spans: dict[tuple[str, str | None], Span | None] = {}
    for ref in doc.references:
        spans.setdefault((ref.field or "", redact(ref.raw) if ref.raw else None), ref.span)
    for problem in doc.problems:
        spans.setdefault(("", problem.message), problem.span)
    return spans


def _load_yaml(path: Path) -> object:
    """The container config as MedPerf uploads it (``yaml.safe_load``); an unreadable one is
    a usage error, as it is for MedPerf."""
    import yaml
    from medperf_lint.input.safe_io import SafeReadError, read_regular_file
    from medperf_lint.input.yamlnodes import MAX_BYTES

    try:  # bounded and non-blocking, like every other read
        text = read_regular_file(path, MAX_BYTES).decode("utf-8")
        return yaml.safe_load(text)
    except (SafeReadError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as err:
        first = (str(err).splitlines() or [type(err).__name__])[0]
        raise GuardUsageError(f"{path}: cannot read the container config: {first}") from None
