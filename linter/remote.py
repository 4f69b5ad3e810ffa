"""Manifests a body names by URL, read as MedPerf's MLCube-era client ran them.

``git_mlcube_url`` and ``git_parameters_url`` (and the ``--mlcube-file``/``--parameters-file``
flags when they hold a URL) name small YAML files that MedPerf downloaded and then used: the
MLCube manifest's docker image was pulled, and the parameters' URLs were fetched by the
container. An online run downloads each such file once (through the run's transport, size
capped: :mod:`medperf_lint.providers.remote_manifest`, asked by the engine through the
gatherer) and lints its contents as another document; its findings are reported at the body field
that names it, with the line inside the file (see ``engine._at_origin``). One level only: a
remote file's own URLs are checked, never followed to further manifests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from medperf_lint.facts.manifest import REMOTE_FIELDS, RemoteText
from medperf_lint.input.documents import (
    DocKind,
    Document,
    Problem,
    load_text,
)
from medperf_lint.input.yamlnodes import InputError

if TYPE_CHECKING:
    from medperf_lint.entity import EntityRef
    from medperf_lint.findings import Span
    from medperf_lint.refs.references import Reference


@dataclass(frozen=True)
class RemoteOrigin:
    """Where a remote manifest was named: the body field (``git_mlcube_url``) holding its URL.

    Findings inside the remote file are reported there, with the line inside the file."""

    url: str
    field: str
    path: str | None  # the submission file, None for a body or a server entity
    span: Span | None
    entity: EntityRef | None = None


def named_references(documents: Sequence[Document]) -> list[tuple[int, Reference]]:
    """(index of the body, the reference) for every remote manifest the bodies name by an
    http(s) URL (the remote manifests themselves name none that are followed)."""
    return [(i, ref) for i, doc in enumerate(documents) for ref in _named(doc)]


def _named(doc: Document) -> list[Reference]:
    if doc.kind is not DocKind.SUBMISSION or doc.origin is not None:
        return []
    return [
        r
        for r in doc.references
        if r.field in REMOTE_FIELDS and (u := r.url) is not None and u.startswith("http")
    ]


def remote_documents(
    documents: Sequence[Document],
    named: Sequence[tuple[int, Reference]],
    texts: Mapping[str, RemoteText],
) -> list[tuple[int, Document]]:
    """(index of the naming document, the remote manifest) for every named manifest that was
    downloaded (``texts``: the manifest provider's facts, by URL)."""
    out: list[tuple[int, Document]] = []
    for index, ref in named:
        found = texts.get(str(ref.url))
        if found is None or (found.text is None and found.problem is None):
            continue  # not downloaded: the HTTP rules say why about the URL itself
        parent = documents[index]
        origin = RemoteOrigin(str(ref.url), str(ref.field), parent.path, ref.span, parent.entity)
        out.append((index, remote_document(found, origin)))
    return out


def remote_document(found: RemoteText, origin: RemoteOrigin) -> Document:
    """The downloaded text as a document: kind told by content, no path, no lines (so no inline
    suppressions), or a document whose one problem says why it cannot be read."""
    if found.text is not None:
        try:
            doc = load_text(found.text, found.url)
        except InputError as err:
            problem = f"MedPerf could not read it either: {err}"
        else:
            return replace(doc, path=None, lines=(), source="", companions=(), origin=origin)
    else:
        problem = found.problem or "unreadable"
    return Document(None, DocKind.YAML, (), (Problem(problem),), origin=origin)
