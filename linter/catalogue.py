"""The rule catalogue: one rule's full help, its fix availability and where its documentation lives.

One place renders a rule for people, so `medperf-lint rule NAME`, the SARIF ``help`` and
``fullDescription`` and ``docs/rules.md`` say the same thing.
"""

from __future__ import annotations

import inspect
import re

from medperf_lint.rule import Rule

HOMEPAGE = "https://github.com/mlcommons/medperf-lint"
# Prose that would copy what the module states as data (FIX, EXAMPLE_*).
_COPIED_PROSE = re.compile(r"^(Fix|Fails|Passes|Reports):", re.M)


def documentation(rule: Rule) -> str:
    """The rule's docstring, dedented."""
    return inspect.cleandoc(rule.doc)


def help_uri(rule: Rule) -> str:
    """The rule's section in docs/rules.md (GitHub's heading anchor is the rule name)."""
    return f"{HOMEPAGE}/blob/main/docs/rules.md#{rule.name}"


def example(text: str) -> str:
    return inspect.cleandoc(text) if text else ""


def example_name(text: str, default: str = "example.medperf.yaml") -> str:
    """The file name an example declares in its first line (``# mlcube.yaml``), else default."""
    first = example(text).split("\n", 1)[0]
    match = re.fullmatch(r"#\s*([\w.-]+\.(?:ya?ml|json))\s*", first)
    return match.group(1) if match else default


def _mode(rule: Rule) -> str:
    needs = ", ".join(sorted(n.value for n in rule.needs))
    return f"online (needs {needs})" if needs else "offline"


def _also_emits(rule: Rule) -> list[str]:
    """``Also emits: error, info`` for a rule whose findings can carry other severities."""
    others = ", ".join(s.value for s in rule.severities[1:])
    return [f"Also emits: {others}"] if others else []


def rule_help(rule: Rule) -> str:
    """What `medperf-lint rule NAME` prints: header, documentation, examples, fix safety."""
    parts = [
        f"{rule.code} {rule.name}",
        "",
        f"Default severity: {rule.severity.value}",
        *_also_emits(rule),
        f"Mode: {_mode(rule)}",
        f"Fix: {rule.fix.value}",
        "",
        documentation(rule),
    ]
    for title, text in _examples(rule):
        parts += ["", f"{title}:", "", _indent(example(text))]
    return "\n".join(parts) + "\n"


def rule_markdown(rule: Rule) -> str:
    """One rule as a Markdown section of docs/rules.md."""
    parts = [
        f"## {rule.name}",
        "",
        f"`{rule.code}` · {rule.severity_text} · {_mode(rule)} · fix: {rule.fix.value}",
        "",
        documentation(rule),
    ]
    for title, text in _examples(rule):
        lang = "toml" if title.startswith("Config") else "yaml"
        parts += ["", f"{title}:", "", f"```{lang}", example(text), "```"]
    return "\n".join(parts) + "\n"


def catalogue_markdown(rules: tuple[Rule, ...]) -> str:
    """docs/rules.md: every rule, in registry order (generated; a test keeps it in sync)."""
    head = (
        "# medperf-lint rules\n\n"
        "Generated from the rule modules by `python tests/readme_sync.py --write`; "
        "`medperf-lint rule NAME` prints the same text.\n"
    )
    return head + "".join("\n" + rule_markdown(r) for r in rules)


def _examples(rule: Rule) -> list[tuple[str, str]]:
    found = [
        (
            "Config for the failing example"
            if rule.example_config_passing
            else "Config for both examples",
            rule.example_config,
        ),
        ("Failing example", rule.example_failing),
        ("Config for the passing example", rule.example_config_passing),
        ("Passing example", rule.example_passing),
    ]
    return [(title, text) for title, text in found if text]


def _indent(text: str) -> str:
    return "\n".join(("    " + line).rstrip() for line in text.splitlines())


def registry_problems(
    module_names: list[str], registered: list[str], rules: tuple[Rule, ...]
) -> list[str]:
    """What is wrong with a rule registry: unregistered modules, duplicates, missing pieces.

    ``module_names`` are the rule modules found on disk (names without a leading underscore),
    ``registered`` the ones the registry lists, ``rules`` what it built from them.
    """
    problems = [
        f"rules/{m}.py is not registered in rules/__init__.py"
        for m in module_names
        if m not in registered
    ]
    problems += [
        f"{m} is registered twice" for m in sorted(set(registered)) if registered.count(m) > 1
    ]
    for attr in ("code", "name"):
        values = [getattr(r, attr) for r in rules]
        problems += [f"duplicate {attr} {v}" for v in sorted(set(values)) if values.count(v) > 1]
    for r in rules:
        if not r.example_failing.strip() or not r.example_passing.strip():
            problems.append(f"{r.name} lacks EXAMPLE_FAILING or EXAMPLE_PASSING")
        if copied := _COPIED_PROSE.findall(documentation(r)):
            problems.append(
                f"{r.name}'s documentation repeats {', '.join(copied)} in prose; FIX and the "
                "EXAMPLE_* constants say it, and the catalogue renders them"
            )
    return problems
