"""Bearer-token protection of the mutating endpoints, and the rule that keeps an open API local."""

from __future__ import annotations

import ipaddress
import secrets

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from royaley_pipeline.config import API_TOKEN as TOKEN_VARIABLE

MIN_TOKEN_LENGTH = 24  # `openssl rand -hex 12` and up; a guessable word is no protection off loopback

bearer = HTTPBearer(auto_error=False, description=f"the token in {TOKEN_VARIABLE}")


class InsecureBindError(RuntimeError):
    """Refusing to serve mutating endpoints without a token on an address others can reach."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def usable_token(token: str | None) -> str | None:
    """The configured token, or None when it is unset or blank (white space protects nothing)."""
    return token.strip() or None if token else None


def check_bind(host: str, token: str | None) -> None:
    """Off loopback, the mutating endpoints need a token long enough to resist guessing."""
    if is_loopback(host):
        return
    if not usable_token(token):
        raise InsecureBindError(
            f"refusing to serve on {host}: set {TOKEN_VARIABLE} (mutating endpoints need a bearer token "
            "off loopback), or bind to 127.0.0.1"
        )
    if len(usable_token(token)) < MIN_TOKEN_LENGTH:
        raise InsecureBindError(
            f"refusing to serve on {host}: {TOKEN_VARIABLE} is shorter than {MIN_TOKEN_LENGTH} characters "
            "(make one with `openssl rand -hex 24`)"
        )


def require_token(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> None:
    """Mutating endpoints: the configured token, compared in constant time.

    With no token configured the server only ever listens on loopback (see ``check_bind``).
    """
    expected = request.app.state.api_token
    if not expected:
        return
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send Authorization: Bearer <ROYALEY_API_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
