"""Resolve container images to their manifest digests with the registry's HTTP API v2
(the OCI distribution spec) and its anonymous bearer-token flow, without Docker.

For an image ``[registry/]repository[:tag|@digest]``: ``HEAD /v2/<repository>/manifests/<ref>``
with every manifest media type accepted (an index for multi-platform images, as
``docker buildx imagetools inspect`` reports it, which is what MedPerf compares with
``image_hash``). A 401 carries ``WWW-Authenticate: Bearer realm=…,service=…,scope=…``; the
anonymous token from the realm is then sent to the registry's own origin only. The digest is
the ``Docker-Content-Digest`` header, or the SHA-256 of the manifest when a registry omits it.
Every request goes through the run's transport (address policy, proxies, ``--resolve``, limits)
and its one retry and redirect policy.

Written here because the registry libraries on PyPI either shell out to Docker, pull whole
images, or bring their own HTTP stack that would bypass the transport's policy; the protocol
part is two requests and one header parser.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from medperf_lint.facts import NetworkResults
from medperf_lint.facts.plan import Provider, Run, deadline_reason
from medperf_lint.facts.registry import ImageLookup, unanswered
from medperf_lint.refs.images import ImageName, parse_image

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings
    from medperf_lint.net.transport import Answer, Response, Timeouts, Transport
    from medperf_lint.refs.references import Reference

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
ACCEPT = ", ".join(MANIFEST_TYPES)
MAX_MANIFEST = 4 * 1024 * 1024
MAX_SMALL = 64 * 1024  # token answers and error bodies
CONCURRENCY = 8

_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]*))')


def parse_challenge(value: str) -> dict[str, str] | None:
    """The parameters of a ``Bearer`` challenge, or None when it is not one."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _PARAM.finditer(rest)
    }


async def lookup_images(
    transport: Transport, images: Iterable[str], timeouts: Timeouts, retries: int = 0
) -> dict[str, ImageLookup]:
    """Look up each unique image reference once, a few at a time."""
    unique = list(dict.fromkeys(images))
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(value: str) -> tuple[str, ImageLookup]:
        async with gate:
            return value, await lookup_image(transport, value, timeouts, retries)

    return dict(await asyncio.gather(*(one(v) for v in unique)))


async def lookup_image(
    transport: Transport, value: str, timeouts: Timeouts, retries: int = 0
) -> ImageLookup:
    """One image's digest; every request under the transport's policy: redirects followed
    and retries as :mod:`medperf_lint.net.policy` says (``retries`` after the first try)."""
    from medperf_lint.net.transport import TransportError

    image = parse_image(value)
    if image is None:
        return unanswered(value, "not a valid image reference")
    client = _Client(transport, image, value, timeouts, retries)
    try:
        return await client.run()
    except TransportError as err:
        return client.result(
            inconclusive=f"cannot reach the registry {image.api_host}: {err.detail}"
        )


class _Client:
    def __init__(
        self, transport: Transport, image: ImageName, value: str, timeouts: Timeouts, retries: int
    ):
        self.transport, self.image, self.value, self.timeouts = transport, image, value, timeouts
        self.retries = retries
        self.url = f"https://{image.api_host}/v2/{image.repository}/manifests/{image.reference}"
        self.token: str | None = None
        self.requests = 0

    def result(
        self,
        *,
        digest: str | None = None,
        not_found: str | None = None,
        inconclusive: str | None = None,
    ) -> ImageLookup:
        image = self.image
        return ImageLookup(
            self.value,
            image.registry,
            image.repository,
            image.reference,
            digest=digest,
            not_found=not_found,
            inconclusive=inconclusive,
            requests=self.requests,
        )

    async def send(
        self, method: str, url: str, limit: int, *, accept: str = ACCEPT, token: bool = True
    ) -> Response:
        """One exchange under the transport's policy (every try and hop counted)."""
        from medperf_lint.net.transport import origin, wait_within_policy

        bearer = (origin(self.url), self.token) if self.token and token else None

        def count(_status: int, _target: str) -> None:
            self.requests += 1

        async def wait(delay: float, answer: Answer | None) -> None:
            self.requests += 1
            await wait_within_policy(delay, answer)

        self.requests += 1
        answer, _final = await self.transport.fetch(
            method,
            url,
            headers={"Accept": accept},
            limit=limit,
            timeouts=self.timeouts,
            token=bearer,
            retries=self.retries,
            pause=wait,
            on_hop=count,
        )
        return answer

    async def run(self) -> ImageLookup:
        answer = await self.send("HEAD", self.url, 0)
        if answer.status == 401 and await self._authenticate(answer):
            answer = await self.send("HEAD", self.url, 0)
        if answer.status == 200:
            digest = answer.headers.get("docker-content-digest", "").strip()
            if not digest.startswith("sha256:"):
                full = await self.send("GET", self.url, MAX_MANIFEST)
                if full.status != 200 or full.truncated:
                    return self.result(inconclusive=f"HTTP {full.status} reading the manifest")
                digest = "sha256:" + hashlib.sha256(full.body).hexdigest()
            if self.image.digest and digest != self.image.digest:
                # Asked by digest and served another: the registry is not content-addressed.
                return self.result(inconclusive=f"asked for {self.image.digest}, got {digest}")
            return self.result(digest=digest)
        return await self._failure(answer)

    async def _authenticate(self, answer: Response) -> bool:
        """Fetch an anonymous token for the challenge in ``answer``; False when there is none."""
        challenge = parse_challenge(answer.headers.get("www-authenticate", ""))
        if challenge is None or not challenge.get("realm", "").startswith(("https://", "http://")):
            return False
        query = {k: challenge[k] for k in ("service", "scope") if challenge.get(k)}
        if "scope" not in query:
            query["scope"] = f"repository:{self.image.repository}:pull"
        url = challenge["realm"] + ("&" if "?" in challenge["realm"] else "?") + urlencode(query)
        reply = await self.send("GET", url, MAX_SMALL, accept="application/json", token=False)
        if reply.status != 200:
            return False
        try:
            data = json.loads(reply.body)
        except ValueError:
            return False
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            return False
        self.token = token
        return True

    async def _failure(self, answer: Response) -> ImageLookup:
        status = answer.status
        shown = f"{self.image.registry}/{self.image.repository}"
        if status == 404:
            code = await self._error_code()
            if code == "MANIFEST_UNKNOWN" or (code is None and self.image.tag):
                what = f"no {'digest' if self.image.digest else 'tag'} {self.image.reference}"
                return self.result(not_found=f"{shown} has {what}")
            return self.result(not_found=f"the registry has no image {shown}")
        if status in (401, 403):
            return self.result(
                not_found=f"{shown} is not public or does not exist: the registry refuses an "
                f"anonymous pull (HTTP {status})"
            )
        return self.result(inconclusive=f"the registry answered HTTP {status}")

    async def _error_code(self) -> str | None:
        """The OCI error code of a 404 (HEAD has no body, so GET it)."""
        reply = await self.send("GET", self.url, MAX_SMALL)
        try:
            data = json.loads(reply.body)
            errors = data.get("errors") if isinstance(data, Mapping) else None
            code = errors[0].get("code") if isinstance(errors, list) and errors else None
        except (ValueError, AttributeError):
            return None
        return code if isinstance(code, str) else None


def look_up(
    images: Sequence[str], settings: Settings, until: float | None
) -> dict[str, ImageLookup]:
    """The provider's entry point: every image on the run's transport, cut off at ``until``.
    A digest-pinned image the registry has served before comes from the cache (its answer
    cannot change), and such an answer is stored for the next run."""
    from medperf_lint.net.cache import ImageCache
    from medperf_lint.net.transport import Timeouts, call_until

    cache = ImageCache.from_settings(settings)
    found: dict[str, ImageLookup] = {}
    for value in images:
        hit = cache.lookup(value) if cache is not None else None
        if hit is not None:
            found[value] = hit
    todo = [v for v in images if v not in found]
    if todo:
        timeouts = Timeouts(settings.connect_timeout, settings.read_timeout)
        retries = settings.retries
        asked = call_until(settings, lambda t: lookup_images(t, todo, timeouts, retries), until)
        found.update(asked or {})
        if cache is not None:
            for value in todo:
                if value in found:
                    cache.store(found[value])
    return {v: found.get(v) or unanswered(v, "deadline reached") for v in images}


# ---------------------------------------------------------------------------------------------
# The provider: every well-formed image reference


def _images(refs: Sequence[Reference], _settings: Settings) -> tuple[str, ...]:
    from medperf_lint.refs.references import RefKind

    images = {r.raw for r in refs if r.kind is RefKind.IMAGE and r.present and r.raw}
    return tuple(sorted(i for i in images if parse_image(i) is not None))


def _check(images: tuple[str, ...], run: Run) -> NetworkResults:
    return NetworkResults(images=look_up(images, run.settings, run.until))


def _unfinished(images: tuple[str, ...], settings: Settings) -> NetworkResults:
    reason = deadline_reason(settings)
    return NetworkResults(images={value: unanswered(value, reason) for value in images})


PROVIDER: Provider[str] = Provider(_images, _check, _unfinished)
