"""What stands between the network and the routes: request size, Host names, validation echoes.

- **Request size**: a body larger than the limit is refused with 413 before it is read into memory,
  whether it announces its length or streams in chunks.
- **Host allow-list**: an API without a token trusts anyone who can reach it, and a web page can
  reach a loopback server through DNS rebinding (its own name resolving to 127.0.0.1). Checking the
  ``Host`` header against the names the server is meant to be called by closes that door;
  Starlette's ``TrustedHostMiddleware`` does the checking.
- **Content Security Policy**: the docs pages may load scripts, styles and images from this
  server only, so nothing a page renders reaches another host (ReDoc's footer logo would).
- **Validation errors** name the field and the problem, never echo the value: a 20 MB string
  sent back in a 422 is a second copy of the attack, and values may be secrets pasted by mistake.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'"
)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
DEFAULT_MAX_BODY_BYTES = 64 * 1024  # the largest legitimate body (a training request) is < 1 KB


class BodySizeLimit:
    """Pure ASGI middleware: 413 for a body over ``max_bytes``, counted as it arrives."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        refused = False

        async def counted_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer now and tell the app the client left: whatever it does next is dropped.
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send) -> None:
        body = json.dumps({"detail": f"request body larger than {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": status.HTTP_413_CONTENT_TOO_LARGE,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def allowed_hosts(configured: tuple[str, ...], token: str | None) -> list[str] | None:
    """The Host names to accept: the configured ones, else loopback names when there is no token.

    With a token and nothing configured, any Host is accepted: the token is what protects the
    mutating endpoints then, and the server may sit behind any name.
    """
    if configured:
        return list(configured)
    return None if token else list(LOOPBACK_HOSTS)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    details = [
        {key: value for key, value in item.items() if key not in ("input", "ctx", "url")}
        for item in error.errors()
    ]
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                        content={"detail": jsonable_encoder(details)})


async def _content_security_policy(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def install_guards(app: FastAPI, *, max_body_bytes: int, hosts: list[str] | None) -> None:
    """Add the size limit, the Host allow-list (when there is one), the CSP and the quiet 422 handler."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.middleware("http")(_content_security_policy)
    if hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
