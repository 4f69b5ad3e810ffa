"""What a rule is, what it receives and what it returns.

A rule is one module in ``medperf_lint.rules`` (the ``rules/`` folder) with ``CODE``, ``NAME``,
``SEVERITY``, ``FIX`` (the :class:`FixAvailability` every fix it emits is held to), optional
``ALSO_EMITS`` (other severities some of its findings carry), ``NEEDS`` (network data it cannot
run without; skipped offline) and ``WANTS`` (network data it uses when present, e.g. for a better
fix), a module docstring that is its documentation, ``EXAMPLE_FAILING`` and ``EXAMPLE_PASSING``
(small manifests the tests run and the documentation shows; optional ``EXAMPLE_CONFIG``), and
``check(ref, ctx)`` and/or ``check_document(doc, ctx)`` generators.
Rules never print and never open sockets: network facts arrive in ``ctx`` after the engine
has gathered them for every reference at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import ModuleType
from typing import TYPE_CHECKING, Any

from medperf_lint.findings import Fix, FixAvailability, Severity, Span

if TYPE_CHECKING:
    from medperf_lint.facts import NetworkResults
    from medperf_lint.input.config import Settings
    from medperf_lint.input.documents import Document
    from medperf_lint.refs.references import Reference


class Need(str, enum.Enum):
    """Network facts a rule reads. Rules with needs are skipped by ``--offline``."""

    HTTP = "http"
    GITHUB = "github"
    SYNAPSE = "synapse"
    REGISTRY = "registry"  # container registries (image digests)
    DOWNLOAD = "download"  # whole files, gathered only with --verify-hashes
    FORGES = "forges"  # GitLab, Bitbucket, Gitea/Codeberg and Hugging Face APIs
    # Remote manifests a body names (git_mlcube_url…): no rule declares it; the engine asks for
    # them when the HTTP rules run and lints each as another document.
    MANIFEST = "manifest"


class RuleContractError(AssertionError):
    """A rule broke what its module declares (a fix of a kind its ``FIX`` rules out): a bug."""


@dataclass(frozen=True)
class Diagnostic:
    """What a rule says about one reference; the engine adds path, position, code and name."""

    message: str
    fix: Fix | None = None
    severity: Severity | None = None  # overrides the rule's default for this one finding
    span: Span | None = None  # overrides the reference's span (e.g. point at the hash field)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may read besides the reference: settings, network facts, the time."""

    settings: Settings
    network: NetworkResults | None = None  # None when offline
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


RefCheck = Callable[["Reference", RuleContext], Iterable[Diagnostic]]
DocCheck = Callable[["Document", RuleContext], Iterable[Diagnostic]]

_CODE = re.compile(r"^MPL\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    """A rule module's declarations, checked and read once."""

    code: str
    name: str
    severity: Severity
    doc: str
    fix: FixAvailability = FixAvailability.NONE
    needs: frozenset[Need] = frozenset()
    wants: frozenset[Need] = frozenset()
    check: RefCheck | None = None
    check_document: DocCheck | None = None
    also_emits: tuple[Severity, ...] = ()  # severities some findings carry besides the default

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity the rule can emit, the default first."""
        return (self.severity, *(s for s in self.also_emits if s is not self.severity))

    @property
    def severity_text(self) -> str:
        """``warning``, or ``warning (also error, info)`` for a rule that emits several."""
        others = ", ".join(s.value for s in self.severities[1:])
        return f"{self.severity.value} (also {others})" if others else self.severity.value

    example_failing: str = ""  # a small manifest the rule must report (EXAMPLE_FAILING)
    example_passing: str = ""  # a small manifest the rule must not report (EXAMPLE_PASSING)
    example_config: str = ""  # the .medperf-lint.toml both examples run with (EXAMPLE_CONFIG)
    # the passing example's own config when it differs (EXAMPLE_CONFIG_PASSING), for rules
    # about the config itself (ignored-setting)
    example_config_passing: str = ""

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    @property
    def online(self) -> bool:
        return bool(self.needs)

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        attrs: dict[str, Any] = vars(module)
        code, name = attrs["CODE"], attrs["NAME"]
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"rule module {module.__name__}: bad CODE {code!r} or NAME {name!r}")
        if not module.__doc__:
            raise ValueError(f"rule module {module.__name__} has no docstring")
        if not isinstance(attrs.get("FIX"), FixAvailability):
            raise ValueError(f"rule module {module.__name__}: FIX is not a FixAvailability")
        return cls(
            code=code,
            name=name,
            severity=attrs["SEVERITY"],
            doc=module.__doc__,
            fix=attrs["FIX"],
            needs=frozenset(attrs.get("NEEDS", ())),
            wants=frozenset(attrs.get("WANTS", ())),
            check=attrs.get("check"),
            check_document=attrs.get("check_document"),
            also_emits=tuple(attrs.get("ALSO_EMITS", ())),
            example_failing=attrs.get("EXAMPLE_FAILING", ""),
            example_passing=attrs.get("EXAMPLE_PASSING", ""),
            example_config=attrs.get("EXAMPLE_CONFIG", ""),
            example_config_passing=attrs.get("EXAMPLE_CONFIG_PASSING", ""),
        )
