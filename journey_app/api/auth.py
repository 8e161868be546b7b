"""Who is calling: an API key (`Authorization: Bearer jrn_...`) or the session cookie.

Every route depends on `Caller` except health, sign-up/login, the public form pages and the
signed inbound hooks. Cookie-authenticated writes must come from our own origin (SameSite=Lax
already keeps cross-site form posts from carrying the cookie; the Origin check covers
same-site neighbours).
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from engine.accounts import Principal, Role
from engine.errors import AuthError
from journey_app.api.context import Ctx
from journey_app.api.errors import ApiError

COOKIE_NAME = "journeys_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                           description="An API key: `Authorization: Bearer jrn_...`")
cookie_scheme = APIKeyCookie(name=COOKIE_NAME, auto_error=False, scheme_name="Session",
                             description="The session cookie set by POST /auth/login")


def require_principal(
    request: Request, ctx: Ctx,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Principal:
    if bearer is not None:
        principal = ctx.accounts.authenticate_api_key(bearer.credentials)
    elif request.headers.get("authorization"):
        raise AuthError("use `Authorization: Bearer <API key>`")
    elif cookie:
        principal = ctx.accounts.authenticate_session(cookie)
        if request.method not in SAFE_METHODS and not _same_origin(request):
            raise ApiError(403, "cross-origin request refused for a cookie session",
                           code="CSRF_REFUSED")
    else:
        raise AuthError("authentication required: an API key or a session")
    request.state.principal = principal
    return principal


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not a browser cross-origin request (or an old browser: SameSite holds)
        return True
    host = request.headers.get("host", "")
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # a malformed Origin ("http://[") is not our origin
        return False
    return netloc.lower() == host.lower()


Caller = Annotated[Principal, Depends(require_principal)]


def require_user(principal: Caller) -> Principal:
    """Account management needs a person signed in: an API key cannot mint keys or users."""
    if not principal.is_user:
        raise ApiError(403, "this needs a signed-in user, not an API key", code="FORBIDDEN")
    return principal


def require_owner(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    if principal.role != Role.OWNER:
        raise ApiError(403, "only the account owner can do this", code="FORBIDDEN")
    return principal


SignedIn = Annotated[Principal, Depends(require_user)]
Owner = Annotated[Principal, Depends(require_owner)]


def set_session_cookie(response: Response, token: str, ctx_settings) -> None:
    response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="lax",
                        secure=ctx_settings.cookie_secure, path="/",
                        max_age=int(ctx_settings.session_ttl.total_seconds()))


def clear_session_cookie(response: Response, ctx_settings) -> None:
    response.delete_cookie(COOKIE_NAME, httponly=True, samesite="lax",
                           secure=ctx_settings.cookie_secure, path="/")
