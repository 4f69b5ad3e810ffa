"""Documents: a linted input turned into its references, whatever shape it came in.

Kinds are told from content first and file name second: a container config has
``container_type``, a submission manifest has MedPerf server or ``submit`` flag field names,
an MLCube manifest has ``docker``/``singularity`` sections. Anything else is free-form YAML,
where every URL-looking string is checked. Template placeholders (``{{ cookiecutter.x }}``)
are skipped: the file is rendered before anyone submits it.

A model submission nests its body (``medperf model submit``): ``{"type": "CONTAINER",
"container": {…}}`` or ``{"type": "ASSET", "asset": {…}}``; both are read like the flat body,
with positions inside the nesting.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from medperf_lint.findings import Span
from medperf_lint.input.paths import is_parameters_name
from medperf_lint.input.safe_io import (
    SafeReadError,
    is_folder,
    is_regular_file,
    read_regular_file,
)
from medperf_lint.input.yamlnodes import (
    MAX_BYTES,
    InputError,
    check_as_medperf_reads,
    compose,
    decode,
    is_placeholder,
    is_string,
    mapping,
    span_of,
    type_name,
    walk_strings,
)
from medperf_lint.refs.references import (
    HashKind,
    HashSlot,
    Reference,
    RefKind,
    looks_like_reference,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:  # set by audit and by an online run's remote manifests only
    from medperf_lint.entity import EntityRef
    from medperf_lint.remote import RemoteOrigin

CONTAINER_TYPES = (
    "DockerImage",
    "DockerArchive",
    "EncryptedDockerArchive",
    "SingularityFile",
    "EncryptedSingularityFile",
)
URL_MAX_LENGTH = 256  # CharField(max_length=256) on the MedPerf server
DOCS_URL_MAX_LENGTH = 100


class DocKind(str, enum.Enum):
    MLCUBE = "mlcube"
    CONTAINER_CONFIG = "container-config"
    SUBMISSION = "submission"
    YAML = "yaml"
    REFS = "refs"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the document itself rather than with one reference."""

    message: str
    span: Span | None = None


@dataclass(frozen=True)
class Document:
    """One manifest, file or submission body, read into references and problems."""

    path: str | None
    kind: DocKind
    references: tuple[Reference, ...]
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = ()
    companions: tuple[Path, ...] = field(default=())  # files to lint because of this one
    # files it names that MedPerf would upload but that lie outside its folder and the working
    # directory: not read (the manifest is untrusted), and said so unless linted by name
    unread_companions: tuple[Path, ...] = field(default=())
    foreign: str | None = None  # what the file is when it is plainly not a MedPerf manifest
    source: str = field(default="", repr=False, compare=False)  # the text as linted, for --fix
    entity: EntityRef | None = None  # the MedPerf server entity this body was read from
    origin: RemoteOrigin | None = None  # set for a manifest downloaded from a body's field
    # a submission body's field names as written, with where each is (for misspelt-field)
    fields: tuple[tuple[str, Span], ...] = field(default=())


class _Pair(NamedTuple):
    """A submission field that names a file, and the fields that hold its hash (a row of the
    table below: a NamedTuple costs a fifth of a dataclass to define at start-up)."""

    urls: tuple[str, ...]
    hashes: tuple[str, ...]
    hash_kind: HashKind = HashKind.FILE
    local_ok: bool = False  # the field may also name a local file (current MedPerf format)


# Submission fields, by MedPerf server name and by `medperf ... submit` flag name.
_PAIRS: tuple[_Pair, ...] = (
    _Pair(("git_mlcube_url", "mlcube_file"), ("mlcube_hash",), local_ok=True),
    _Pair(("git_parameters_url", "parameters_file"), ("parameters_hash",), local_ok=True),
    _Pair(("image_tarball_url",), ("image_tarball_hash",)),
    _Pair(("image_file",), ("image_hash",), HashKind.IMAGE),
    _Pair(
        ("additional_files_tarball_url", "additional_file"),
        ("additional_files_tarball_hash", "additional_hash"),
    ),
    _Pair(("demo_dataset_tarball_url", "demo_url"), ("demo_dataset_tarball_hash", "demo_hash")),
    _Pair(("asset_url",), ("asset_hash",)),
)
_PAGE_FIELDS = ("docs_url",)
# `medperf … submit` flags that name local files: uploaded inline or never uploaded at all.
_LOCAL_FIELDS = ("container_config_file", "asset_path", "decryption_key")
# Local files whose content MedPerf uploads inline: linted along with the manifest.
_INLINE_FILES = ("container_config_file", "mlcube_file", "parameters_file")
_NESTED_BODIES = ("container", "asset")  # `medperf model submit`: {"type": …, "container": {…}}
ASSET_LOCAL = "local"  # the asset_url MedPerf stores for --asset-path: nothing is hosted
SUBMISSION_FIELDS = frozenset(
    {name for pair in _PAIRS for name in pair.urls + pair.hashes}
    | {"docs_url"}
    | set(_LOCAL_FIELDS)
)
# Every field name a submission body is read for (flag names with ``_`` for ``-``).
READ_FIELDS = SUBMISSION_FIELDS | {*_INLINE_FILES, *_NESTED_BODIES, "container_config"}


def _norm(key: str) -> str:
    return key.replace("-", "_")


# ---------------------------------------------------------------------------------------------
# Loading


def load_path(path: Path, display: str | None = None) -> Document:
    """Read and parse one file. Raises :class:`InputError` with a one-line reason."""
    try:  # bounded and non-blocking: /dev/zero, a FIFO or a huge file must not hang us
        data = read_regular_file(path, MAX_BYTES)
    except SafeReadError as err:
        raise InputError(str(err)) from None
    if not data.strip() and is_parameters_name(path.name):
        return Document(display or str(path), DocKind.YAML, ())  # MedPerf reads it as {}
    return load_text(decode(data), display or str(path), path)


STDIN = "-"
STDIN_DISPLAY = "<stdin>"


def load_stdin(stream: BinaryIO) -> Document:
    """Read a manifest from standard input (the path ``-``); its kind is told by content."""
    return load_text(decode(stream.read(MAX_BYTES + 1)), STDIN_DISPLAY)


def load_text(text: str, display: str | None, path: Path | None = None) -> Document:
    if path is not None and path.suffix.lower() == ".json":
        _check_json(text)
    nodes = compose(text)
    if not nodes:
        if path is not None and is_parameters_name(path.name):
            return Document(display, DocKind.YAML, (), lines=tuple(text.splitlines()))
        raise InputError("file holds no YAML document (only comments or blank lines)")
    lines = tuple(text.splitlines())
    out = _Out(display, path)
    companions: list[Path] = []
    unread: list[Path] = []
    kind = DocKind.YAML
    foreign: str | None = None
    for node in nodes:
        kind = detect_kind(node, path)
        _EXTRACTORS[kind](node, out)
        if kind is DocKind.YAML:
            foreign = foreign or foreign_kind(node)
        if kind is DocKind.SUBMISSION and path is not None:
            for local, inside in _inline_files(node, path):
                (companions if inside else unread).append(local)
    if kind in _READ_BY_MEDPERF or (kind is DocKind.YAML and foreign is None):
        check_as_medperf_reads(text)  # a submission manifest is ours; a compose file nobody's
    if kind is DocKind.MLCUBE and path is not None:
        params = path.parent / "workspace" / "parameters.yaml"
        if is_regular_file(params):
            companions.append(params)
    return Document(
        display,
        kind,
        tuple(out.refs),
        tuple(out.problems),
        lines,
        tuple(companions),
        tuple(unread),
        source=text,
        foreign=foreign,
        fields=tuple(out.fields),
    )


def _check_json(text: str) -> None:
    """A ``.json`` manifest is JSON: read as the YAML it is a subset of, but a trailing comma or
    YAML-only syntax would pass that reading while the file is not what it says."""
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    except RecursionError:
        raise InputError("invalid JSON: nesting is too deep") from None


# The files MedPerf reads with yaml.safe_load (parameters files are the YAML kind).
_READ_BY_MEDPERF = (DocKind.MLCUBE, DocKind.CONTAINER_CONFIG)


def load_container_config(path: Path, display: str) -> Document:
    """A file read as the container config ``medperf container submit -m`` uploads, whatever
    its content looks like (guard uses it to place findings about the inlined copy)."""
    try:
        data = read_regular_file(path, MAX_BYTES)
    except SafeReadError as err:
        raise InputError(str(err)) from None
    text = decode(data)
    nodes = compose(text)
    check_as_medperf_reads(text)  # MedPerf reads and uploads this file
    out = _Out(display, path)
    for node in nodes:
        _extract_container_config(node, out)
    return Document(display, DocKind.CONTAINER_CONFIG, tuple(out.refs), tuple(out.problems))


def load_entity(entity: Mapping[str, Any]) -> Document:
    """Build a document from a submission body (a dict keyed by MedPerf server field names)."""
    import json  # the API's path only: a file is read as YAML, JSON included

    try:
        text = json.dumps(entity, default=str)
    except (TypeError, ValueError) as err:
        raise InputError(f"submission entity is not JSON-serialisable: {err}") from None
    doc = load_text(text, None)
    # Positions in the synthetic JSON text mean nothing to the caller: drop them.
    refs = tuple(_without_position(ref) for ref in doc.references)
    problems = tuple(Problem(p.message) for p in doc.problems)
    return Document(None, DocKind.SUBMISSION, refs, problems)


def _without_position(ref: Reference) -> Reference:
    from dataclasses import replace

    slot = replace(ref.hash, span=None) if ref.hash else None
    return replace(ref, span=None, hash=slot)


def detect_kind(root: Node, path: Path | None) -> DocKind:
    top = mapping(root)
    keys = {_norm(k) for k in top}
    name = path.name.lower() if path else ""
    if "container_type" in keys:
        return DocKind.CONTAINER_CONFIG
    inline_config = "container_config" in top and isinstance(
        top["container_config"][1], MappingNode
    )
    if keys & SUBMISSION_FIELDS or ".medperf." in name or _nested_body(top) or inline_config:
        return DocKind.SUBMISSION
    if "container_config" in name:
        return DocKind.CONTAINER_CONFIG
    if {"docker", "singularity"} & keys or name in ("mlcube.yaml", "mlcube.yml"):
        return DocKind.MLCUBE
    if "image" in keys and "tasks" in keys:
        return DocKind.CONTAINER_CONFIG  # a container config that forgot container_type
    return DocKind.YAML


def _nested_body(top: Mapping[str, tuple[Node, Node]]) -> bool:
    """A `medperf model submit` body: ``type`` beside a ``container`` or ``asset`` mapping."""
    return "type" in top and any(
        isinstance(top[name][1], MappingNode) for name in _NESTED_BODIES if name in top
    )


# Files a folder walk may meet that are plainly not MedPerf manifests: (what, required keys).
_FOREIGN: tuple[tuple[str, frozenset[str]], ...] = (
    ("a GitHub Actions workflow", frozenset({"on", "jobs"})),
    ("a Docker Compose file", frozenset({"services"})),
    ("an MkDocs configuration", frozenset({"site_name"})),
    ("a Cloud Build configuration", frozenset({"steps"})),
    ("a Kubernetes object", frozenset({"apiVersion", "kind"})),
)


def foreign_kind(root: Node) -> str | None:
    """What a non-manifest file is (a workflow, a compose file, a Django fixture), or None."""
    keys = set(mapping(root))
    for what, required in _FOREIGN:
        if required <= keys:
            return what
    if isinstance(root, SequenceNode) and root.value:
        first = mapping(root.value[0])
        if {"model", "fields"} <= set(first):
            return "a Django fixture"
    return None


def _inline_files(root: Node, path: Path) -> Iterator[tuple[Path, bool]]:
    """Local files a submission manifest names that MedPerf uploads inline, each with whether
    it may be read: lint them too.

    Only files inside the manifest's folder or the working directory (links resolved) are
    read: the manifest is untrusted, and a path to ``/etc`` or ``../../`` must not make the
    linter read and quote files outside the checkout."""
    bodies = [mapping(root)]
    bodies += [mapping(bodies[0][n][1]) for n in _NESTED_BODIES if n in bodies[0]]
    for top in bodies:
        for key, (_k, node) in top.items():
            if _norm(key) not in _INLINE_FILES or not is_string(node):
                continue
            value = str(node.value)
            if not value or looks_like_reference(value) or is_placeholder(node):
                continue
            local = Path(value) if Path(value).is_absolute() else path.parent / value
            # is_regular_file never raises: a name too long or with a NUL is no file. A name
            # that is not there, or is a folder, is yielded too: reading it says so (MedPerf
            # would fail too), and reads nothing, wherever it points.
            if _missing(local):
                yield local, True
            elif is_regular_file(local) or is_folder(local):
                yield local, _inside(local, path.parent, Path.cwd())


def _missing(path: Path) -> bool:
    """No such file; a name the OS cannot hold (too long, a NUL) is no file to point at."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _inside(path: Path, *roots: Path) -> bool:
    """True when ``path``, links resolved, lies within one of ``roots``."""
    try:
        resolved = path.resolve()
        return any(resolved.is_relative_to(root.resolve()) for root in roots)
    except (OSError, RuntimeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# Extraction per kind


class _Out:
    """Where one document's extraction puts what it finds (a working list, not a value)."""

    def __init__(self, display: str | None, path: Path | None) -> None:
        self.display = display
        self.path = path
        self.refs: list[Reference] = []
        self.problems: list[Problem] = []
        self.fields: list[tuple[str, Span]] = []


# Where a URL-shaped string is a setting, not a file MedPerf or the container downloads.
# MLCube's runner schema turns `env_args` into `docker run -e` and `build_args` into
# `docker build --build-arg` (the author's build, never the participant's download); proxies
# (`http_proxy`, `NO_PROXY`…) route requests; `authors` and homepages are pages for people.
SETTING_SECTIONS = frozenset({"env_args", "build_args", "authors"})
PAGE_KEYS = frozenset(
    {"homepage", "home_page", "website", "documentation", "documentation_url", "docs"}
    | {"docs_url", "doc_url"}
)


def is_setting(dotted: str) -> bool:
    """True for a value at ``dotted`` (``docker.env_args.http_proxy``) that is a setting or a
    page for people rather than a file reference: no rule reads it, so no fix can touch it."""
    keys = [part.split("[", 1)[0].lower().replace("-", "_") for part in dotted.split(".")]
    last = keys[-1]
    return (
        any(key in SETTING_SECTIONS for key in keys) or last.endswith("proxy") or last in PAGE_KEYS
    )


def _free_refs(
    root: Node, display: str | None, skip: set[int], prefix: str = ""
) -> Iterator[Reference]:
    for dotted, node in walk_strings(root, prefix):
        if id(node) in skip or is_setting(dotted):
            continue
        value = str(node.value)
        if looks_like_reference(value):
            yield Reference(value, RefKind.URL, display, span_of(node), dotted)


def _extract_yaml(root: Node, out: _Out) -> None:
    out.refs.extend(_free_refs(root, out.display, set()))


def _extract_mlcube(root: Node, out: _Out) -> None:
    top = mapping(root)
    skip: set[int] = set()
    docker = mapping(top["docker"][1]) if "docker" in top else {}
    if "image" in docker:
        node = docker["image"][1]
        skip.add(id(node))
        if not is_placeholder(node):
            out.refs.append(_value_ref(node, RefKind.IMAGE, out.display, "docker.image"))
    singularity = mapping(top["singularity"][1]) if "singularity" in top else {}
    if "image" in singularity:
        node = singularity["image"][1]
        # Usually a local file name (the image itself came from --image-file): skip those.
        if not (is_string(node) and looks_like_reference(str(node.value))):
            skip.add(id(node))
    out.refs.extend(_free_refs(root, out.display, skip))


def _extract_container_config(root: Node, out: _Out, prefix: str = "") -> None:
    top = mapping(root)
    where = f"{prefix}." if prefix else ""
    ctype = _container_type(root, out, where)
    skip: set[int] = set()
    if "image" not in top:
        out.problems.append(
            Problem(f"{where}image is required in a container config", span_of(root))
        )
    elif is_placeholder(top["image"][1]):
        skip.add(id(top["image"][1]))
    else:
        node = top["image"][1]
        skip.add(id(node))
        kind = _image_kind(ctype, node)
        out.refs.append(_value_ref(node, kind, out.display, f"{where}image", max_length=None))
    out.refs.extend(_free_refs(root, out.display, skip, prefix))


def _container_type(root: Node, out: _Out, where: str) -> str | None:
    """The config's container_type when MedPerf knows it; a problem when missing or unknown."""
    top = mapping(root)
    valid = ", ".join(CONTAINER_TYPES)
    if "container_type" not in top:
        message = f"{where}container_type is missing; MedPerf needs one of: {valid}"
        out.problems.append(Problem(message, span_of(root)))
        return None
    node = top["container_type"][1]
    ctype = str(node.value) if isinstance(node, ScalarNode) else None
    if ctype in CONTAINER_TYPES:
        return ctype
    shown = ctype if ctype is not None else type_name(node)
    message = f"{where}container_type {shown!r} is not one MedPerf knows; use one of: {valid}"
    out.problems.append(Problem(message, span_of(node)))
    return None


def _image_kind(ctype: str | None, node: Node) -> RefKind:
    """A DockerImage names a registry image; other types a hosted file; unknown: by the value."""
    if ctype == "DockerImage":
        return RefKind.IMAGE
    if ctype is not None:
        return RefKind.RESOURCE
    text = str(node.value) if is_string(node) else ""
    return RefKind.RESOURCE if looks_like_reference(text) else RefKind.IMAGE


_Top = dict[str, tuple[Node, Node]]  # a mapping's entries by normalised key


_SHOWN = {"str": "string", "null": "null value"}  # type_name's words, for a whole document


def _extract_submission(root: Node, out: _Out) -> None:
    if not isinstance(root, MappingNode):  # MedPerf builds a body from field names: none here
        message = (
            f"a submission manifest is a mapping of MedPerf field names; this one holds a "
            f"{_SHOWN.get(type_name(root), type_name(root))}, so it names no field and nothing "
            f"in it would be submitted"
        )
        out.problems.append(Problem(message, span_of(root)))
        return
    written = mapping(root)
    out.fields.extend((name, span_of(key)) for name, (key, _v) in written.items())
    top = {_norm(k): v for k, v in written.items()}
    # Local-file flags name paths on the submitter's machine, not references.
    skip = {id(top[name][1]) for name in _LOCAL_FIELDS if name in top}
    if _nested_body(written):
        for name in _NESTED_BODIES:
            if name in top and isinstance(top[name][1], MappingNode):
                skip.add(id(top[name][1]))
                _extract_submission(top[name][1], out)
    for pair in _PAIRS:
        _extract_pair(pair, top, skip, out)
    _extract_pages(top, skip, out)
    _extract_embedded_config(top, skip, out)
    for key, (_k, node) in top.items():
        if id(node) not in skip:
            out.refs.extend(_free_refs(node, out.display, skip, key))


def _extract_pair(pair: _Pair, top: _Top, skip: set[int], out: _Out) -> None:
    """A URL field with its hash field: one reference carrying its hash, or the hash alone."""
    hash_name = next((h for h in pair.hashes if h in top), None)
    url_name = next((u for u in pair.urls if u in top), None)
    if hash_name is not None:
        skip.add(id(top[hash_name][1]))
    slot = _hash_slot(pair, top, hash_name, url_name)
    if url_name is None:
        if hash_name is not None:
            out.refs.append(_hash_only(pair, hash_name, slot, out.display))
        return
    unode = top[url_name][1]
    skip.add(id(unode))
    if _hosted(pair, url_name, unode, slot, out.path):
        ref = _value_ref(unode, RefKind.RESOURCE, out.display, url_name, slot, URL_MAX_LENGTH)
        out.refs.append(ref)


def _hash_slot(pair: _Pair, top: _Top, hash_name: str | None, url_name: str | None) -> HashSlot:
    if hash_name is None:
        # Name the missing hash field in the same style (server field or flag) as the URL.
        index = pair.urls.index(url_name) if url_name is not None else len(pair.urls) - 1
        return HashSlot(pair.hashes[min(index, len(pair.hashes) - 1)], pair.hash_kind)
    hnode = top[hash_name][1]
    hvalue = str(hnode.value) if isinstance(hnode, ScalarNode) and hnode.value is not None else ""
    return HashSlot(hash_name, pair.hash_kind, hvalue or None, span_of(hnode))


def _hash_only(pair: _Pair, hash_name: str, slot: HashSlot, display: str | None) -> Reference:
    """A hash field without its URL field."""
    if pair.hash_kind is HashKind.IMAGE:
        # image_hash alone is the digest of a registry image, not of a hosted file.
        return Reference("", RefKind.IMAGE, display, None, None, False, slot)
    return Reference("", RefKind.RESOURCE, display, slot.span, hash_name, False, slot)


def _hosted(pair: _Pair, url_name: str, unode: Node, slot: HashSlot, path: Path | None) -> bool:
    """False when a URL field names nothing hosted: a placeholder, a local file, a blank."""
    if is_placeholder(unode):
        return False
    value = str(unode.value) if is_string(unode) else ""
    if url_name == "asset_url" and value == ASSET_LOCAL:
        return False  # what --asset-path stores: the asset never leaves the submitter
    if pair.local_ok and value and not looks_like_reference(value) and path is not None:
        local = (path.parent / value) if not Path(value).is_absolute() else Path(value)
        if is_regular_file(local):
            return False  # the current format uploads this file inline; nothing is hosted
        if url_name in _INLINE_FILES and (_missing(local) or is_folder(local)):
            return False  # a flag's file that is not there: an input error says so, once
    # An empty optional field (the web UI sends these) is not a reference.
    return not (is_string(unode) and value == "" and slot.value is None)


def _extract_pages(top: _Top, skip: set[int], out: _Out) -> None:
    for name in _PAGE_FIELDS:
        if name in top:
            node = top[name][1]
            skip.add(id(node))
            if is_string(node) and node.value:
                ref = _value_ref(node, RefKind.URL, out.display, name, None, DOCS_URL_MAX_LENGTH)
                out.refs.append(ref)


def _extract_embedded_config(top: _Top, skip: set[int], out: _Out) -> None:
    """A submission's ``container_config`` mapping, read as a container config."""
    if "container_config" in top and isinstance(top["container_config"][1], MappingNode):
        node = top["container_config"][1]
        skip.add(id(node))
        start = len(out.refs)
        _extract_container_config(node, out, "container_config")
        _pair_image_hash(out.refs, start)


def _pair_image_hash(refs: list[Reference], start: int) -> None:
    """``image_hash`` travels with ``container_config.image``: MedPerf compares the pulled
    image's digest (or the archive's SHA-256) with it, so the two become one reference."""
    hash_only = next(
        (
            i
            for i, r in enumerate(refs[:start])
            if r.kind is RefKind.IMAGE and not r.present and r.hash is not None
        ),
        None,
    )
    image = next(
        (i for i in range(start, len(refs)) if refs[i].field == "container_config.image"),
        None,
    )
    if hash_only is None or image is None or not refs[image].present:
        return
    refs[image] = replace(refs[image], hash=refs[hash_only].hash)
    del refs[hash_only]


def _value_ref(
    node: Node,
    kind: RefKind,
    display: str | None,
    field_name: str,
    slot: HashSlot | None = None,
    max_length: int | None = URL_MAX_LENGTH,
) -> Reference:
    if is_string(node):
        return Reference(
            str(node.value), kind, display, span_of(node), field_name, True, slot, max_length
        )
    raw = "" if not isinstance(node, ScalarNode) or node.value is None else str(node.value)
    return Reference(
        raw, kind, display, span_of(node), field_name, True, slot, max_length, type_name(node)
    )


_EXTRACTORS = {
    DocKind.YAML: _extract_yaml,
    DocKind.MLCUBE: _extract_mlcube,
    DocKind.CONTAINER_CONFIG: _extract_container_config,
    DocKind.SUBMISSION: _extract_submission,
}


def refs_document(values: Iterable[str]) -> Document:
    """A document for ``--ref`` values: bare resource strings with no file and no position."""
    refs = tuple(
        Reference(v, RefKind.RESOURCE, None, None, "--ref", max_length=URL_MAX_LENGTH)
        for v in values
    )
    return Document(None, DocKind.REFS, refs)
