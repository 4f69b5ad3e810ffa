"""The request handler the test servers share: HTTP/1.1, quiet, GET and HEAD answered alike."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


class GetHeadHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD with one ``_answer(head)``; logs nothing."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        raise NotImplementedError
