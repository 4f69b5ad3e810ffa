"""The reference model: what a manifest points at, and how MedPerf would read it.

A :class:`Reference` is one slot in a document that MedPerf (or the user's code) will fetch:
its raw text, where it sits, which field holds it and the hash that travels with it.
:func:`parse_resource` mirrors the MedPerf client's source resolution exactly
(``cli/medperf/comms/entity_resources``): a plain URL or ``direct:`` URL accepted by
``validators.url``, or ``synapse:`` followed by ``syn`` and digits.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

from medperf_lint.findings import Span
from medperf_lint.refs.medperf_url import medperf_accepts_url

# The longest value any pattern reads. MedPerf's URL fields hold at most 256 characters; a
# longer value is reported by url-too-long (by its length alone) and no other rule sees it, so a
# hostile megabyte-long value costs nothing but its reading.
MAX_VALUE_LENGTH = 8 * 1024
DIRECT_PREFIX = "direct:"
SYNAPSE_PREFIX = "synapse:"
# MedPerf: ``re.match(r"syn\d+$", value)`` -- \d is any Unicode digit and $ admits a final "\n".
_MEDPERF_SYNAPSE = re.compile(r"syn\d+$")

MEDPERF_INVALID_MESSAGE = (
    'MedPerf rejects this: "Invalid resource input: {value}. A Resource must be a url or in '
    "the following format: '<source_prefix>:<resource_identifier>'.\""
)


class RefKind(str, enum.Enum):
    """What role a value plays, which decides the rules that apply to it."""

    RESOURCE = "resource"  # MedPerf downloads it: URL, direct:URL or synapse:synN
    IMAGE = "image"  # a container registry reference, pulled with `docker pull`
    URL = "url"  # a URL met in free-form YAML or a docs link: checked, not parsed by MedPerf


class HashKind(str, enum.Enum):
    FILE = "file"  # SHA-256 hex of the raw bytes
    IMAGE = "image"  # SHA-256 hex, or a registry digest ``sha256:<hex>``


@dataclass(frozen=True)
class HashSlot:
    """The hash field that travels with a reference, present or not."""

    field: str
    kind: HashKind = HashKind.FILE
    value: str | None = None
    span: Span | None = None


@dataclass(frozen=True)
class ParsedResource:
    """The MedPerf reading of a resource string."""

    source: str | None  # "direct", "synapse" or None when MedPerf would reject it
    url: str | None = None
    synapse_id: str | None = None


@dataclass(frozen=True)
class Reference:
    """One value that points at a hosted file, with its position and companions."""

    raw: str
    kind: RefKind
    path: str | None = None
    span: Span | None = None
    field: str | None = None
    present: bool = True  # False when only the hash field exists
    hash: HashSlot | None = None  # None: this slot carries no hash in MedPerf
    max_length: int | None = None  # server column limit, when there is one
    not_a_string: str | None = None  # YAML type name when the value is not a string

    @property
    def parsed(self) -> ParsedResource:
        return parse_resource(self.raw)

    @property
    def url(self) -> str | None:
        """The http(s)/ftp URL MedPerf would download, or a URL-looking value from free YAML."""
        if self.kind is RefKind.IMAGE or not self.present or self.not_a_string:
            return None
        parsed = self.parsed
        if parsed.url is not None:
            return parsed.url
        if self.kind is RefKind.URL and looks_like_url(self.raw):
            return strip_direct(self.raw)
        return None

    @property
    def download_url(self) -> str | None:
        """The URL MedPerf would fetch: ``url``, except for ``docs_url``, a page for people."""
        return None if self.field == "docs_url" else self.url

    @property
    def synapse_id(self) -> str | None:
        if self.kind is RefKind.IMAGE or not self.present:
            return None
        return self.parsed.synapse_id


def strip_direct(value: str) -> str:
    return value[len(DIRECT_PREFIX) :] if value.startswith(DIRECT_PREFIX) else value


@lru_cache(maxsize=4096)
def parse_resource(value: str) -> ParsedResource:
    """Resolve ``value`` the way MedPerf's ``__parse_resource`` does: direct first, then Synapse."""
    candidate = strip_direct(value)
    if medperf_accepts_url(candidate):
        return ParsedResource("direct", url=candidate)
    if value.startswith(SYNAPSE_PREFIX):
        ident = value[len(SYNAPSE_PREFIX) :]
        if _MEDPERF_SYNAPSE.match(ident):
            return ParsedResource("synapse", synapse_id=ident)
    return ParsedResource(None)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def looks_like_url(value: str) -> bool:
    """True for ``scheme://…`` strings (and ``data:``), the URLs worth checking in free YAML."""
    text = strip_direct(value.strip())
    return bool(_SCHEME.match(text)) or text.lower().startswith("data:")


def looks_like_reference(value: str) -> bool:
    """True for strings in free-form YAML that a user means as a file reference."""
    return looks_like_url(value) or value.startswith((DIRECT_PREFIX, SYNAPSE_PREFIX))


# Which reference fields hold tarballs, and which of those MedPerf extracts with extractall.
# Server field names and the `medperf … submit` flag names that fill them.
_DEMO_FIELDS = frozenset({"demo_dataset_tarball_url", "demo_url"})
_EXTRACTED_FIELDS = _DEMO_FIELDS | {"additional_files_tarball_url", "additional_file"}
_TARBALL_FIELDS = _EXTRACTED_FIELDS | {"image_tarball_url", "image_file"}


@dataclass(frozen=True)
class TarballRole:
    """What MedPerf does with the file a field names."""

    tarball: bool = False  # must be a valid tar (plain or compressed)
    extracted: bool = False  # unpacked with tarfile's extractall
    demo: bool = False  # a demo dataset: paths.yaml is read


def tarball_role(field: str | None) -> TarballRole:
    name = (field or "").rsplit(".", 1)[-1].replace("-", "_")
    return TarballRole(name in _TARBALL_FIELDS, name in _EXTRACTED_FIELDS, name in _DEMO_FIELDS)
