"""Container image references as Docker reads them: the grammar, and where ``docker pull`` goes.

The grammar is github.com/distribution/reference's (``regexp.go``, with Go's ASCII ``\\w``);
the normalisation is Docker's: a first component with a dot, a colon or ``localhost`` names the
registry, anything else is Docker Hub, whose one-component names live under ``library/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128}"
_REFERENCE = rf"(?P<name>{_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
NAME_MAX = 255
GRAMMAR = "[registry[:port]/]name[:tag][@sha256:<64 hex>]"

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"  # where Docker Hub's v2 API answers


@dataclass(frozen=True)
class ImageName:
    """A parsed reference: ``registry/repository[:tag][@digest]``."""

    registry: str  # as written (docker.io for Hub), with its port
    repository: str  # library/ubuntu for the Hub's official images
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest when pinned, else the tag (or latest)."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        """Host (and port) of the registry's v2 API."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def key(self) -> str:
        """One key per image a registry is asked about (digest-pinned or tag)."""
        return f"{self.registry}/{self.repository}:{self.tag or ''}@{self.digest or ''}"

    def pinned(self, digest: str) -> str:
        """This image written with ``digest`` (keeping the tag for people to read)."""
        shown = self.repository
        if self.registry == DOCKER_HUB and shown.startswith("library/"):
            shown = shown[len("library/") :]
        prefix = "" if self.registry == DOCKER_HUB else f"{self.registry}/"
        tag = f":{self.tag}" if self.tag else ""
        return f"{prefix}{shown}{tag}@{digest}"


@cache
def reference() -> re.Pattern[str]:
    """The grammar, compiled on first use: only manifests that name an image need it."""
    return re.compile(_REFERENCE, re.ASCII)


def parse_image(value: str) -> ImageName | None:
    """Docker's reading of ``value``, or None when ``docker pull`` would reject it."""
    match = reference().fullmatch(value)
    if match is None or len(match.group("name")) > NAME_MAX:
        return None
    name = match.group("name")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, name
    if registry in (DOCKER_HUB, "index.docker.io"):
        registry = DOCKER_HUB
        if "/" not in repository:
            repository = f"library/{repository}"
    return ImageName(registry, repository, match.group("tag"), match.group("digest"))
