"""What the first bytes of a download really are, and which pages are traps.

Headers lie: a share link can answer ``200 application/octet-stream`` with an HTML page, an
object store can send its XML error document, and raw.githubusercontent.com serves the Git LFS
pointer instead of the file. The "not a file" signatures are checked before any file magic.
Pure functions over bytes and URLs: no network, so rules and tests can use them directly.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass

from medperf_lint.refs.urls import split_url

WINDOW = 8192  # the most the prober ever reads of a body
NOT_A_FILE = frozenset({"html", "xml-error", "json-error", "lfs-pointer"})


@dataclass(frozen=True)
class Sniffed:
    """The type the bytes show (None: nothing recognisable) and a detail worth quoting."""

    kind: str | None
    detail: str | None = None


# WHATWG MIME sniffing, "identify an unknown MIME type": tags that mark HTML.
_HTML_TAGS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<script",
    b"<iframe",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<body",
    b"<br",
    b"<p",
)
_XML_ERROR = re.compile(rb"<Error>\s*<Code>\s*([^<\s]{1,120})\s*</Code>", re.IGNORECASE)
_XHTML = re.compile(rb"^<\?xml[^>]*>\s*(<!doctype[^>]*>\s*)?<html[\s>]", re.IGNORECASE)
_LFS = b"version https://git-lfs.github.com/spec/v1"
_LFS_FIELD = re.compile(rb"^(oid sha256:[0-9a-f]{64}|size \d+)$", re.MULTILINE)
_JSON_ERROR_HINTS = frozenset({"documentation_url", "status", "code", "statuscode", "errors"})
_HDF5 = b"\x89HDF\r\n\x1a\n"

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x1f\x8b", "gzip"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"\x93NUMPY", "npy"),
    (0, b"GGUF", "gguf"),
    (0, b"PAR1", "parquet"),
    (0, b"%PDF-", "pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"CDF\x01", "netcdf"),
    (0, b"CDF\x02", "netcdf"),
    (257, b"ustar", "tar"),
    (128, b"DICM", "dicom"),
    (344, b"n+1\x00", "nifti"),
    (344, b"ni1\x00", "nifti"),
    (4, b"n+2\x00\r\n\x1a\n", "nifti"),
)


def sniff(data: bytes) -> Sniffed:
    """Classify the first bytes of a response body."""
    if not data:
        return Sniffed("empty")
    trap = _not_a_file(data)
    if trap is not None:
        return trap
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return Sniffed(kind)
    if data.startswith(b"BZh") and data[3:4].isdigit():
        return Sniffed("bzip2")
    if any(data[off : off + 8] == _HDF5 for off in (0, 512, 1024, 2048, 4096)):
        return Sniffed("hdf5")
    if _safetensors(data):
        return Sniffed("safetensors")
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return Sniffed("pickle")
    if b"\x00" not in data and _utf8(data):
        return Sniffed("text")
    return Sniffed(None)


def _not_a_file(data: bytes) -> Sniffed | None:
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(_LFS):
        fields = [m.decode() for m in _LFS_FIELD.findall(head[:400])]
        return Sniffed("lfs-pointer", ", ".join(fields) or None)
    lower = head[:512].lower()
    if lower.startswith(b"<?xml") or lower.startswith(b"<error"):
        code = _XML_ERROR.search(head)
        if code:
            return Sniffed("xml-error", code.group(1).decode("ascii", "replace"))
        if _XHTML.match(head):
            return Sniffed("html")
        return None
    if lower.startswith(b"<!--"):
        return Sniffed("html")
    for tag in _HTML_TAGS:
        if lower.startswith(tag) and lower[len(tag) : len(tag) + 1] in (
            b" ",
            b">",
            b"\t",
            b"\n",
            b"\r",
        ):
            return Sniffed("html")
    if head[:1] == b"{":
        return _json_error(head)
    return None


def _json_error(head: bytes) -> Sniffed | None:
    try:
        value = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(value, dict) or len(value) > 6:
        return None
    keys = {str(k).lower() for k in value}
    if "error" in keys or ("message" in keys and keys & _JSON_ERROR_HINTS):
        message = value.get("error", value.get("message"))
        if isinstance(message, dict):
            message = message.get("message", message.get("code"))
        text = str(message)[:200] if message is not None else None
        return Sniffed("json-error", text)
    return None


def _safetensors(data: bytes) -> bool:
    if len(data) < 10 or data[8:9] != b"{":
        return False
    (length,) = struct.unpack("<Q", data[:8])
    return 2 <= length < 100_000_000 and data[9:10] in (b'"', b"}")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(data) - 3  # a character cut by the window edge
    return True


# ---------------------------------------------------------------------------------------------
# Pages that stand in for a file


@dataclass(frozen=True)
class Page:
    """A recognised HTML page: ``drive-confirm`` or ``drive-error``, with a detail to quote."""

    kind: str
    detail: str | None = None
    drive_id: str | None = None


# Linear: a form tag is read only up to the next "<" or ">", and the error text is found with
# ``find`` (``.*?`` would rescan to the end from every marker when nothing closes it).
_DRIVE_FORM = re.compile(rb'<form[^<>]*id="download-form"', re.IGNORECASE)
_DRIVE_ERROR_MARK = b'class="uc-error-subcaption"'
_DRIVE_ERROR_ENDS = (b"</p>", b"</div>")
_HIDDEN_ID = re.compile(rb'name="id"\s+value="([\w-]{10,})"')
_TAG = re.compile(r"<[^<>]*>")


def _drive_error(data: bytes) -> bytes | None:
    """The text after the first error subcaption's tag, up to its closing ``</p>``/``</div>``."""
    lower = data.lower()
    mark = lower.find(_DRIVE_ERROR_MARK.lower())
    tag_end = lower.find(b">", mark) if mark != -1 else -1
    if tag_end == -1:
        return None
    ends = [i for i in (lower.find(e, tag_end + 1) for e in _DRIVE_ERROR_ENDS) if i != -1]
    return data[tag_end + 1 : min(ends)] if ends else None


def drive_page(data: bytes) -> Page | None:
    """The Google Drive virus-scan/confirm page or error page, recognised by its markup."""
    hidden = _HIDDEN_ID.search(data)
    drive_id = hidden.group(1).decode() if hidden else None
    if _DRIVE_FORM.search(data) or b"Virus scan warning" in data:
        return Page("drive-confirm", "Google Drive virus-scan warning page", drive_id)
    error = _drive_error(data)
    if error is not None:
        text = _TAG.sub("", error.decode("utf-8", "replace"))
        return Page("drive-error", " ".join(text.split())[:200] or None, drive_id)
    return None


_SIGN_IN_HOSTS = (
    "accounts.google.com",
    "login.microsoftonline.com",
    "login.live.com",
    "signin.aws.amazon.com",
    "auth.services.adobe.com",
)
_SIGN_IN_SEGMENT = re.compile(
    r"^(login|log-in|signin|sign-in|sign_in|servicelogin|sso|saml2?|oauth2?|authorize|"
    r"openid-connect|cas)$",
    re.IGNORECASE,
)


def sign_in_page(url: str) -> bool:
    """True when ``url`` is a sign-in page: where private links send anonymous visitors."""
    parts = split_url(url)
    if parts is None:
        return False
    if parts.host_is(*_SIGN_IN_HOSTS):
        return True
    return any(_SIGN_IN_SEGMENT.match(seg) for seg in parts.segments[:4])


_DRIVE_ID_PARAM = re.compile(r"^[\w-]{10,}$")


def drive_file_id(url: str) -> str | None:
    """The file ID in a drive.google.com / drive.usercontent.google.com / docs URL."""
    parts = split_url(url)
    if parts is None or not parts.host_is(
        "drive.google.com", "drive.usercontent.google.com", "docs.google.com"
    ):
        return None
    ident = parts.param("id", case_sensitive=True)
    if ident and _DRIVE_ID_PARAM.match(ident):
        return ident
    seg = parts.segments
    for i, s in enumerate(seg[:-1]):
        if s == "d" and _DRIVE_ID_PARAM.match(seg[i + 1]):
            return seg[i + 1]
    return None


def drive_download_url(file_id: str, resource_key: str | None = None) -> str:
    """The direct form that skips the virus-scan page (undocumented by Google)."""
    url = f"https://drive.usercontent.google.com/download?id={file_id}&export=download&confirm=t"
    return url + (f"&resourcekey={resource_key}" if resource_key else "")
