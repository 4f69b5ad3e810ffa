"""The engine: documents in, findings out. It knows rules only through the registry.

Order of work: load every document, gather network facts for all references at once
(online only), run each enabled rule on each reference, then apply per-file ignores and
inline suppressions, and report what remains.
"""

from __future__ import annotations

import contextlib
import fnmatch
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, NamedTuple

from medperf_lint.findings import Finding, Fix, Severity
from medperf_lint.input.config import ConfigResolver, Settings, where_to_set
from medperf_lint.input.documents import (
    STDIN,
    STDIN_DISPLAY,
    Document,
    load_path,
    load_stdin,
)
from medperf_lint.input.paths import expand_one
from medperf_lint.input.safe_io import is_folder, safe_resolve
from medperf_lint.input.suppressions import Suppression, matches, matching_names, parse
from medperf_lint.input.yamlnodes import InputError
from medperf_lint.refs.redact import tokens_held
from medperf_lint.refs.references import MAX_VALUE_LENGTH, Reference
from medperf_lint.refs.urls import redact
from medperf_lint.report import InputProblem, Report
from medperf_lint.rule import Diagnostic, Need, Rule, RuleContext, RuleContractError
from medperf_lint.rules import (
    RULES,
    closest,
    ignored_setting,
    known_selector,
    lookup,
    unknown_rule,
    unused_suppression,
    url_too_long,
)

if TYPE_CHECKING:  # loaded only by an online run (facts, remote) or by audit (entity)
    from medperf_lint.entity import EntityRef
    from medperf_lint.facts import NetworkResults, Progress
    from medperf_lint.remote import RemoteOrigin

# Online, rules run once the network phase is over, which may be at the deadline itself: they
# get this long past it to report what was found. Offline the deadline is the deadline.
RULES_GRACE = 0.5
DEADLINE_CUT = (
    "the run's deadline ({deadline:g} s) ran out before {left} of {total} rule(s) ran on this "
    "file; nothing it holds is known to pass"
)
UNREAD_VALUE = (
    "a value of {length} characters at line {line} is longer than the {cap} characters "
    "medperf-lint reads, and url-too-long, the rule that reports it, is not enabled"
)
NO_RULE_SELECTED = (
    "no rule is selected: `select` and `ignore` (command line and config) leave nothing to "
    "check, so nothing was checked"
)
ONLY_ONLINE_RULES = (
    "every selected rule needs the network ({names}), so nothing was checked offline: run "
    "without --offline or select an offline rule"
)
NO_MANIFESTS = (
    "folder holds no MedPerf manifest (*mlcube*.yaml, *container_config*.yaml, "
    "*parameters*.yaml, *.medperf.yaml|yml|json); name other files explicitly to lint them"
)


@dataclass(frozen=True)
class Job:
    """A document and the settings that apply to it."""

    document: Document
    settings: Settings


def select_rules(settings: Settings) -> list[Rule]:
    """Rules enabled by ``select``/``ignore``: names, codes, code prefixes or ``ALL``."""
    return list(_rules_for(settings.select, settings.ignore))


@lru_cache(maxsize=64)
def _rules_for(select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Rule, ...]:
    """Worked out once per selection: a run of many documents shares one or a few."""
    chosen = [r for r in RULES if not select or _selected(r, select)]
    return tuple(r for r in chosen if not _selected(r, ignore))


def _selected(rule: Rule, selectors: Iterable[str]) -> bool:
    for sel in selectors:
        key = sel.strip()
        if (
            key.upper() == "ALL"
            or key == rule.name
            or (key.upper().startswith("MPL") and rule.code.startswith(key.upper()))
        ):
            return True
    return False


def load_jobs(
    paths: Sequence[str], resolver: ConfigResolver
) -> tuple[list[Job], list[InputProblem]]:
    jobs: list[Job] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()
    # (path, found by a folder walk, the manifest that names it when it is a companion)
    queue: deque[tuple[Path, bool, str | None]] = deque()
    unread: list[tuple[Path, str]] = []  # (companion, its manifest): read only if named too
    for raw in paths:
        if raw == STDIN:
            _load_stdin(jobs, problems, resolver)
            continue
        expansion = expand_one(raw)
        problems.extend(InputProblem(where, why) for where, why in expansion.unreadable)
        found = [(i.path, i.walked, None) for i in expansion.files]
        if not found and not expansion.unreadable and is_folder(Path(raw)):
            problems.append(InputProblem(raw, NO_MANIFESTS))  # say so rather than pass silently
        queue.extend(found)
    while queue:
        path, walked, named_in = queue.popleft()
        key = safe_resolve(path)  # a symlink loop is reported when read, not raised here
        if key in seen:
            continue
        seen.add(key)
        try:
            doc = load_path(path, str(path))
        except InputError as err:
            why = _named_in(str(err), named_in) if named_in else str(err)
            problems.append(InputProblem(str(path), why))
            continue
        if walked and doc.foreign is not None:
            continue  # a workflow or compose file that happens to match a manifest name
        jobs.append(Job(doc, resolver.for_path(path)))
        queue.extend((companion, False, str(path)) for companion in doc.companions)
        unread.extend((companion, str(path)) for companion in doc.unread_companions)
    problems.extend(_unread(unread, seen))
    return jobs, problems


def _named_in(error: str, manifest: str) -> str:
    """An unreadable file a manifest names: which manifest, and for a missing one, what the
    field wants (a path MedPerf uploads from, relative to the manifest)."""
    if error.startswith("No such file"):
        return (
            f"{error} (named in {manifest}: a path relative to it, of a file MedPerf uploads "
            "from your machine; a URL needs its https://)"
        )
    return f"{error} (named in {manifest})"


def _unread(unread: Iterable[tuple[Path, str]], seen: set[Path]) -> Iterator[InputProblem]:
    """A file a manifest names but the run may not read, unless it was linted by name."""
    for path, named_in in unread:
        key = safe_resolve(path)
        if key not in seen:
            seen.add(key)
            yield InputProblem(str(path), f"{UNREAD_COMPANION} (named in {named_in})")


UNREAD_COMPANION = (
    "not read: outside the folder of the manifest that names it and the working directory, "
    "which a linted repository may not make medperf-lint read; lint it by name or run from a "
    "folder that holds it"
)


def _load_stdin(jobs: list[Job], problems: list[InputProblem], resolver: ConfigResolver) -> None:
    """``-`` reads one manifest from standard input, once per run; config from the cwd."""
    if any(j.document.path == STDIN_DISPLAY for j in jobs):
        return
    try:
        doc = load_stdin(sys.stdin.buffer)
    except InputError as err:
        problems.append(InputProblem(STDIN_DISPLAY, str(err)))
        return
    jobs.append(Job(doc, resolver.for_path(None)))


def run(
    jobs: Sequence[Job],
    *,
    online: bool,
    network_settings: Settings,
    input_problems: Sequence[InputProblem] = (),
    progress: Progress | None = None,
) -> Report:
    started = time.monotonic()
    rules_per_job = [select_rules(job.settings) for job in jobs]
    needs = frozenset(n for rules in rules_per_job for r in rules for n in r.needs | r.wants)
    skipped = sorted({r.name for rules in rules_per_job for r in rules if r.online})
    network: NetworkResults | None = None
    if online and needs:
        from medperf_lint.gather import gather

        deadline = network_settings.deadline
        until = None if deadline is None else time.monotonic() + deadline  # both passes'
        if Need.HTTP in needs:  # only where the URLs are probed anyway: no other host is asked
            remote = _remote_jobs(jobs, network_settings, progress, until)
            jobs = [*jobs, *remote]
            rules_per_job += [select_rules(job.settings) for job in remote]
        refs = [ref for job in jobs for ref in job.document.references if not _too_long(ref)]
        network = gather(refs, needs, network_settings, progress, until=until)
    clock = _Clock.start(network_settings.deadline, started, network is not None)
    findings: list[Finding] = []
    problems = list(input_problems) + _nothing_runs(jobs, rules_per_job, online)
    with tokens_held():  # every finding's texts are redacted: the tokens are read once
        for job, rules in zip(jobs, rules_per_job, strict=False):
            found, job_problems = _lint_job(job, rules, network, online, clock)
            findings.extend(found)
            problems.extend(job_problems)
    findings.extend(_config_findings(jobs, network_settings))
    findings.sort(key=lambda f: f.sort_key)
    return Report(
        findings=tuple(_dedupe(findings)),
        input_errors=tuple(problems),
        files=sum(1 for j in jobs if j.document.path is not None),
        references=sum(len(j.document.references) for j in jobs),
        online=online,
        network=network,
        skipped_online_rules=() if online else tuple(skipped),
        sources={j.document.path: j.document.source for j in jobs if j.document.path},
    )


def _nothing_runs(
    jobs: Sequence[Job], rules_per_job: Sequence[Sequence[Rule]], online: bool
) -> list[InputProblem]:
    """A run with documents whose selection leaves no rule that can run checked nothing: said
    as an error in the settings (exit 2), never a clean pass. A selection naming an unknown
    rule is already an ``unknown-rule`` error, which says what to fix."""
    selectors = {s for job in jobs for s in (*job.settings.select, *job.settings.ignore)}
    if not rules_per_job or not all(known_selector(s) for s in selectors):
        return []
    chosen = {r.name: r for rules in rules_per_job for r in rules}
    if not chosen:
        return [InputProblem(None, NO_RULE_SELECTED)]
    if not online and all(r.online for r in chosen.values()):
        names = ", ".join(sorted(chosen))
        return [InputProblem(None, ONLY_ONLINE_RULES.format(names=names))]
    return []


def _remote_jobs(
    jobs: Sequence[Job], settings: Settings, progress: Progress | None, until: float | None
) -> list[Job]:
    """The remote manifests the bodies name (downloaded through the gatherer first, since their
    own references join the run), each linted with the settings of the body naming it."""
    from medperf_lint.gather import gather
    from medperf_lint.remote import named_references, remote_documents

    documents = [j.document for j in jobs]
    named = named_references(documents)
    if not named:
        return []
    facts = gather(
        [ref for _i, ref in named], frozenset({Need.MANIFEST}), settings, progress, until=until
    )
    found = remote_documents(documents, named, facts.manifests)
    return [Job(doc, jobs[i].settings) for i, doc in found]


class _Clock(NamedTuple):
    """When rule evaluation must stop (``until`` on ``time.monotonic()``), if ever (private,
    so a NamedTuple: a dataclass costs five times as much to define at start-up)."""

    deadline: float | None = None
    until: float | None = None

    @staticmethod
    def start(deadline: float | None, started: float, networked: bool) -> _Clock:
        if deadline is None:
            return _Clock()
        until = started + deadline
        if networked:
            until = max(until, time.monotonic()) + RULES_GRACE
        return _Clock(deadline, until)

    def passed(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until


def _too_long(ref: Reference) -> bool:
    """A value no pattern reads: only url-too-long looks at it (by its length)."""
    return ref.present and not ref.not_a_string and len(ref.raw) > MAX_VALUE_LENGTH


def _lint_job(
    job: Job, rules: list[Rule], network: NetworkResults | None, online: bool, clock: _Clock
) -> tuple[list[Finding], list[InputProblem]]:
    doc, settings = job.document, job.settings
    ctx = RuleContext(settings=settings, network=network)
    runnable = [r for r in rules if not r.online or (online and network is not None)]
    raw: list[Finding] = []
    problems = _unread_values(doc, rules)
    for done, rule in enumerate(runnable):
        if clock.passed():
            message = DEADLINE_CUT.format(
                deadline=clock.deadline, left=len(runnable) - done, total=len(runnable)
            )
            problems.append(InputProblem(doc.path, message))
            break
        raw.extend(_placed(found, doc) for found in _rule_findings(rule, doc, ctx, settings))
    kept = [f for f in raw if not _file_ignored(f, doc.path, settings)]
    return _apply_suppressions(kept, doc, settings, rules, online), problems


def _rule_findings(
    rule: Rule, doc: Document, ctx: RuleContext, settings: Settings
) -> Iterable[Finding]:
    """One rule over one document: each reference it may read, then the document."""
    if rule.check is not None:
        for ref in doc.references:
            if rule.name != url_too_long.NAME and _too_long(ref):
                continue
            for diag in rule.check(ref, ctx):
                yield _finding(rule, diag, doc.path, ref.span, ref.raw or None, settings, ref.field)
    if rule.check_document is not None:
        for diag in rule.check_document(doc, ctx):
            yield _finding(rule, diag, doc.path, None, None, settings)


def _unread_values(doc: Document, rules: list[Rule]) -> list[InputProblem]:
    """Over-long values said loudly when url-too-long, which would report them, is off."""
    if any(r.name == url_too_long.NAME for r in rules):
        return []
    return [
        InputProblem(
            doc.path,
            UNREAD_VALUE.format(
                length=len(ref.raw), line=ref.span.line if ref.span else "?", cap=MAX_VALUE_LENGTH
            ),
        )
        for ref in doc.references
        if _too_long(ref)
    ]


def _placed(finding: Finding, doc: Document) -> Finding:
    """A finding on a server entity's body names the entity and the field; one inside a
    downloaded manifest goes to the body field that named the file."""
    if doc.origin is not None:
        return _at_origin(finding, doc.origin, finding.field)
    if doc.entity is None:
        return finding
    return replace(finding, entity=replace(doc.entity, field=finding.field))


def _at_origin(finding: Finding, origin: RemoteOrigin, inner: str | None) -> Finding:
    """Reported at the body field that names the remote file, with the line inside it and no
    fix (the file is not ours to rewrite). Its inline suppressions are not read either: the
    remote manifest is not part of what the user lints."""
    line = f"line {finding.span.line} of " if finding.span else ""
    entity: EntityRef | None = None
    if origin.entity is not None:
        entity = replace(origin.entity, field=origin.field, remote=origin.url, inner=inner)
    return replace(
        finding,
        path=origin.path,
        span=origin.span,
        field=origin.field,
        message=f"{origin.field}: {line}{redact(origin.url)}: {finding.message}",
        fix=None,
        entity=entity,
    )


def _finding(
    rule: Rule,
    diag: Diagnostic,
    path: str | None,
    span: object,
    reference: str | None,
    settings: Settings,
    field: str | None = None,
) -> Finding:
    severity = settings.severity_for(rule.code, rule.name) or diag.severity or rule.severity
    fix = diag.fix
    if fix is not None and not rule.fix.allows(fix):
        kind = "safe" if fix.safe else "unsafe"
        raise RuleContractError(f"{rule.name} declares FIX = {rule.fix.name} but made a {kind} fix")
    if fix is not None:  # secrets never leave the process, not even inside a fix
        fix = Fix(redact(fix.replacement), redact(fix.description), safe=fix.safe, adds=fix.adds)
    return Finding(
        path=path,
        span=diag.span or span,  # type: ignore[arg-type]
        code=rule.code,
        rule=rule.name,
        severity=severity,
        message=redact(diag.message),
        reference=redact(reference) if reference is not None else None,
        fix=fix,
        field=field,
    )


def _file_ignored(finding: Finding, path: str | None, settings: Settings) -> bool:
    if path is None or not settings.per_file_ignores:
        return False
    candidates = {PurePath(path).as_posix(), PurePath(path).name}
    base = settings.config_dir
    if base is not None:
        with contextlib.suppress(ValueError):
            candidates.add(safe_resolve(Path(path)).relative_to(safe_resolve(base)).as_posix())
    for pattern, names in settings.per_file_ignores:
        if any(fnmatch.fnmatch(c, pattern) for c in candidates) and any(
            n in (finding.rule, finding.code) or (n.upper() == "ALL") for n in names
        ):
            return True
    return False


def _apply_suppressions(
    findings: list[Finding], doc: Document, settings: Settings, rules: list[Rule], online: bool
) -> list[Finding]:
    suppressions = parse(doc.lines)
    if not suppressions:
        return findings
    used: dict[int, set[str]] = {}  # suppression index -> names that silenced something
    kept: list[Finding] = []
    for finding in findings:
        hit = next((i for i, s in enumerate(suppressions) if matches(s, finding)), None)
        if hit is None:
            kept.append(finding)
        else:
            used.setdefault(hit, set()).update(matching_names(suppressions[hit], finding))
    ran = {r.name for r in rules if online or not r.online}
    meta = {r.name: r for r in rules}
    for index, sup in enumerate(suppressions):
        kept.extend(
            _suppression_findings(used.get(index, set()), sup, doc.path, ran, meta, settings)
        )
    return kept


def _suppression_findings(
    used_names: set[str],
    sup: Suppression,
    path: str | None,
    ran: set[str],
    meta: dict[str, Rule],
    settings: Settings,
) -> Iterable[Finding]:
    unused_meta = meta.get(unused_suppression.NAME)
    unknown_meta = meta.get(unknown_rule.NAME)
    if sup.malformed:
        if unused_meta:
            yield _finding(
                unused_meta,
                Diagnostic(
                    "malformed suppression; write `# medperf-lint: ignore[rule-name, …] reason`"
                ),
                path,
                sup.span,
                None,
                settings,
            )
        return
    unknown = [n for n in sup.names if lookup(n) is None]
    if unknown and unknown_meta:
        yield _finding(
            unknown_meta,
            Diagnostic(
                f"suppression names unknown rule(s): {', '.join(unknown)}; `medperf-lint rules` lists them"
            ),
            path,
            sup.span,
            None,
            settings,
        )
    # Names of rules that ran here and silenced nothing on this line (unknown ones are above).
    idle = [
        n
        for n in sup.names
        if n not in used_names and (rule := lookup(n)) is not None and rule.name in ran
    ]
    if not idle or unused_meta is None:
        return
    if not used_names:
        message = f"suppression ignore[{', '.join(sup.names)}] matches no finding; remove it"
    else:
        message = (
            f"suppression ignore[{', '.join(sup.names)}]: {', '.join(idle)} "
            f"{'matches' if len(idle) == 1 else 'match'} no finding on this line; remove "
            f"{'it' if len(idle) == 1 else 'them'} from the list"
        )
    yield _finding(unused_meta, Diagnostic(message), path, sup.span, None, settings)


def _ignored_setting_findings(settings: Iterable[Settings]) -> Iterable[Finding]:
    """ignored-setting warnings: a trusted key in a project config, once per file and key."""
    seen: set[tuple[str | None, str]] = set()
    for s in settings:
        rule = next((r for r in select_rules(s) if r.name == ignored_setting.NAME), None)
        for key in s.ignored_settings:
            if rule is None or (s.config_path, key) in seen:
                continue
            seen.add((s.config_path, key))
            message = (
                f"{key!r} is ignored in a project config: a file in the linted tree may not "
                f"choose where requests and tokens go, what the address guard allows or which "
                f"cached results count; set it with {where_to_set(key)}"
            )
            yield _finding(rule, Diagnostic(message), s.config_path, None, None, s)


def _config_findings(jobs: Sequence[Job], run_settings: Settings) -> Iterable[Finding]:
    """unknown-rule errors for config entries that name no rule, once per config file.

    Always reported and always errors, whatever the selection and severity settings say: a
    typo in ``select`` could otherwise deselect every rule, this one included, and pass."""
    yield from _ignored_setting_findings([run_settings, *(job.settings for job in jobs)])
    unknown_meta = lookup(unknown_rule.NAME)
    assert unknown_meta is not None  # registered in rules/__init__.py
    seen: set[tuple[str | None, str]] = set()
    for job in jobs:
        s = job.settings
        names = [*s.select, *s.ignore, *(k for k, _ in s.severity)]
        names += [n for _, group in s.per_file_ignores for n in group]
        for name in names:
            if known_selector(name) or (s.config_path, name) in seen:
                continue
            seen.add((s.config_path, name))
            where = s.config_path or "the settings"
            near = closest(name)
            hint = f"did you mean {near!r}? " if near else ""
            message = (
                f"{where} names unknown rule {name!r}; {hint}a misspelt name changes what is "
                "checked, so the run fails; `medperf-lint rules` lists the names"
            )
            finding = _finding(unknown_meta, Diagnostic(message), s.config_path, None, None, s)
            yield replace(finding, severity=Severity.ERROR)  # not re-graded by that config


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


__all__ = ["Job", "Need", "load_jobs", "run", "select_rules"]
