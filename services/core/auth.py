"""Who is calling: a service API key (acts for any user) or a per-user JWT (one user only).

Foreign user ids answer 404, not 403, so that a token cannot probe which users exist.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request

from services.core.errors import APIError, NotFoundError
from services.core.settings import Settings

_TOKEN_ISSUER = "emosync"
_JWT_ALGORITHM = "HS256"
_SECRET_FILE = "jwt_secret"


@dataclass(frozen=True)
class Principal:
    kind: Literal["service", "user", "open"]
    user_id: str | None = None
    # The raw credential, forwarded as-is when one service calls another on the caller's behalf.
    credential: str | None = None

    @property
    def is_service(self) -> bool:
        return self.kind in ("service", "open")

    def require_user(self, user_id: str) -> None:
        """A user token only reaches its own user; anything else looks like a missing user."""
        if self.kind == "user" and self.user_id != user_id:
            raise NotFoundError("user")

    def require_sensitive_access(self, include_sensitive: bool) -> None:
        """Sensitive memories go only to the user's own token (or an open local server)."""
        if include_sensitive and self.kind == "service":
            raise APIError(403, "sensitive experiences are only returned to the user's own token")

    def require_service(self) -> None:
        if not self.is_service:
            raise APIError(403, "this operation needs a service API key")


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self._api_keys = [key.get_secret_value().encode() for key in settings.api_keys]
        self._secret = _load_or_create_secret(settings)
        self._ttl = settings.token_ttl_seconds

    @property
    def enabled(self) -> bool:
        return bool(self._api_keys)

    def issue_token(self, user_id: str) -> tuple[str, int]:
        now = int(time.time())
        expires = now + self._ttl
        claims = {"sub": user_id, "iss": _TOKEN_ISSUER, "iat": now, "exp": expires}
        return jwt.encode(claims, self._secret, algorithm=_JWT_ALGORITHM), expires

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            if not self.enabled:
                return Principal("open")
            raise _unauthorized("missing Authorization: Bearer credential")
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise _unauthorized("expected Authorization: Bearer <credential>")
        if any(hmac.compare_digest(credential.encode(), key) for key in self._api_keys):
            return Principal("service", credential=credential)
        try:
            claims = jwt.decode(
                credential,
                self._secret,
                algorithms=[_JWT_ALGORITHM],
                issuer=_TOKEN_ISSUER,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("token expired") from exc
        except jwt.InvalidTokenError as exc:
            if not self.enabled:
                # Open mode: a bad token is still an error, so a client notices its mistake.
                raise _unauthorized("invalid token") from exc
            raise _unauthorized("invalid credential") from exc
        return Principal("user", user_id=str(claims["sub"]), credential=credential)


def _unauthorized(message: str) -> APIError:
    return APIError(401, message, headers={"WWW-Authenticate": "Bearer"})


def _load_or_create_secret(settings: Settings) -> bytes:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    path = Path(settings.data_dir) / _SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temp file, then linked into place: link fails if the file
    # exists, so services starting together on one data dir agree on one secret.
    fd, tmp = tempfile.mkstemp(dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_urlsafe(48).encode())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_bytes().strip()


def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


async def get_principal(
    request: Request, authenticator: Annotated[Authenticator, Depends(get_authenticator)]
) -> Principal:
    return authenticator.authenticate(request.headers.get("authorization"))


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
