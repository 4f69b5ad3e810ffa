"""The URL a reference names as written, whatever its scheme: shared by the URL syntax rules.

``Reference.url`` is only what MedPerf would download (http, https, ftp). Scheme, credential
and host rules must also see ``s3://``, ``gs://`` or ``file://`` values, which MedPerf rejects.
"""

from __future__ import annotations

from medperf_lint.refs.references import DIRECT_PREFIX, Reference, RefKind, looks_like_url
from medperf_lint.refs.urls import UrlParts, split_url


def url_text(ref: Reference) -> str | None:
    """The URL in a resource or free-YAML reference, without ``direct:``; None for the rest."""
    if not ref.present or ref.not_a_string or ref.kind is RefKind.IMAGE:
        return None
    text = ref.raw.strip()
    text = text[len(DIRECT_PREFIX) :].strip() if text.startswith(DIRECT_PREFIX) else text
    return text if looks_like_url(text) else None


def url_parts(ref: Reference) -> tuple[str, UrlParts] | None:
    """``url_text`` and its parts, or None when there is no URL to look at."""
    text = url_text(ref)
    if text is None:
        return None
    parts = split_url(text)
    return (text, parts) if parts is not None else None


def with_prefix(ref: Reference, url: str) -> str:
    """``url`` written the way the reference was: keep a ``direct:`` prefix the user wrote."""
    return DIRECT_PREFIX + url if ref.raw.strip().startswith(DIRECT_PREFIX) else url


def download_parts(ref: Reference) -> tuple[str, UrlParts] | None:
    """The http(s) URL MedPerf would download for ``ref`` and its parts; None otherwise."""
    url = ref.download_url
    parts = split_url(url) if url is not None else None
    if url is None or parts is None or parts.scheme not in ("http", "https"):
        return None
    return url, parts
