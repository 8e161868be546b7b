"""Sign-up, login/logout (session cookie), who am I, the vendor's settings, users, API keys."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from journey_app.api.auth import (COOKIE_NAME, Caller, Owner, SignedIn, clear_session_cookie,
                                  set_session_cookie)
from journey_app.api.context import Ctx, client_address
from journey_app.api.errors import ApiError, COMMON_RESPONSES, PUBLIC_RESPONSES, ErrorResponse
from journey_app.api.pagination import Page, Paging, page_of
from journey_app.routes import API_PREFIX
from journey_app.api.schemas import (ApiKeyCreated, ApiKeyIn, ApiKeyOut, LoginIn, SessionOut,
                                     SignupIn, UserIn, UserOut, VendorOut, VendorPatch, WhoAmI)


def key_out(key) -> ApiKeyOut:
    return ApiKeyOut(id=key.id, name=key.name, prefix=f"jrn_{key.prefix}",
                     created_at=key.created_at, created_by=key.created_by,
                     last_used_at=key.last_used_at, revoked_at=key.revoked_at,
                     revoked_by=key.revoked_by, active=key.active)


def public_router() -> APIRouter:
    r = APIRouter(tags=["auth"], responses={
        **PUBLIC_RESPONSES,
        401: {"model": ErrorResponse, "description": "Wrong email or password"},
        403: {"model": ErrorResponse, "description": "Sign-up is disabled"}})

    @r.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
    def signup(body: SignupIn, request: Request, response: Response, ctx: Ctx):
        """Create a vendor and its owner, and sign the owner in (session cookie)."""
        if not ctx.settings.signup_enabled:
            raise ApiError(403, "sign-up is disabled on this installation", code="FORBIDDEN")
        ctx.limits.signup.take(f"addr:{client_address(request, ctx.settings)}")
        vendor, user, token = ctx.accounts.signup(
            vendor_name=body.vendor_name, email=body.email, password=body.password,
            name=body.name, timezone=body.timezone)
        set_session_cookie(response, token, ctx.settings)
        return SessionOut(vendor=VendorOut.model_validate(vendor),
                          user=UserOut.model_validate(user))

    @r.post("/auth/login", response_model=SessionOut)
    def login(body: LoginIn, request: Request, response: Response, ctx: Ctx):
        """Check email and password and set the session cookie (HttpOnly, SameSite=Lax).
        Rate limited per client address."""
        ctx.limits.login.take(f"addr:{client_address(request, ctx.settings)}")
        user, token = ctx.accounts.login(body.email, body.password)
        set_session_cookie(response, token, ctx.settings)
        return SessionOut(vendor=VendorOut.model_validate(ctx.engine.get_vendor(user.vendor_id)),
                          user=UserOut.model_validate(user))

    @r.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
    def logout(request: Request, ctx: Ctx) -> Response:
        """End this session (if any) and clear the cookie. Always succeeds."""
        ctx.accounts.logout(request.cookies.get(COOKIE_NAME))
        response = Response(status_code=status.HTTP_204_NO_CONTENT)
        clear_session_cookie(response, ctx.settings)
        return response

    return r


def router() -> APIRouter:
    r = APIRouter(tags=["account"], responses=COMMON_RESPONSES)

    @r.get("/account", response_model=WhoAmI)
    def whoami(caller: Caller, ctx: Ctx):
        """Who is calling: the vendor, and the user or API key."""
        vendor = VendorOut.model_validate(ctx.engine.get_vendor(caller.vendor_id))
        if caller.is_user:
            user = ctx.accounts.get_user(caller.vendor_id, caller.user_id)
            return WhoAmI(auth="session", vendor=vendor, user=UserOut.model_validate(user))
        key = ctx.accounts.get_api_key(caller.vendor_id, caller.api_key_id)
        return WhoAmI(auth="api_key", vendor=vendor, api_key=key_out(key))

    @r.patch("/account/vendor", response_model=VendorOut)
    def update_vendor(body: VendorPatch, caller: SignedIn, ctx: Ctx):
        """Change the business's name, time zone, contact details or blackout dates."""
        changes = body.model_dump(exclude_unset=True)
        for name in ("name", "timezone"):
            if name in changes and changes[name] is None:
                raise ApiError(422, f"{name} cannot be null", code="VALIDATION_ERROR",
                               details={"fields": [{"field": f"body.{name}",
                                                    "message": "cannot be null"}]})
        if "blackout_dates" in changes and changes["blackout_dates"] is None:
            changes["blackout_dates"] = []
        return VendorOut.model_validate(ctx.engine.update_vendor(caller.vendor_id, **changes))

    @r.get("/account/users", response_model=Page[UserOut])
    def list_users(caller: SignedIn, ctx: Ctx, paging: Paging):
        """The vendor's users, oldest first."""
        return page_of(ctx.accounts.list_users(caller.vendor_id), paging,
                       UserOut.model_validate)

    @r.post("/account/users", status_code=status.HTTP_201_CREATED, response_model=UserOut)
    def add_user(body: UserIn, caller: Owner, ctx: Ctx):
        """Add a user to the vendor (owners only)."""
        return UserOut.model_validate(ctx.accounts.add_user(
            caller.vendor_id, email=body.email, password=body.password, name=body.name,
            role=body.role))

    @r.get("/account/api-keys", response_model=Page[ApiKeyOut])
    def list_keys(caller: SignedIn, ctx: Ctx, paging: Paging):
        """The vendor's API keys, revoked ones included, oldest first. Never the secrets."""
        return page_of(ctx.accounts.list_api_keys(caller.vendor_id), paging, key_out)

    @r.post("/account/api-keys", status_code=status.HTTP_201_CREATED,
            response_model=ApiKeyCreated)
    def create_key(body: ApiKeyIn, caller: SignedIn, ctx: Ctx):
        """Create a named API key. The response holds the key: it is shown this once."""
        key, secret = ctx.accounts.create_api_key(caller.vendor_id, name=body.name,
                                                  actor=caller.actor)
        return ApiKeyCreated(**key_out(key).model_dump(), secret=secret)

    @r.get("/account/api-keys/{key_id}", response_model=ApiKeyOut)
    def get_key(key_id: str, caller: SignedIn, ctx: Ctx):
        return key_out(ctx.accounts.get_api_key(caller.vendor_id, key_id))

    @r.delete("/account/api-keys/{key_id}", response_model=ApiKeyOut)
    def revoke_key(key_id: str, caller: SignedIn, ctx: Ctx):
        """Revoke a key: it stops working at once. The record stays, marked revoked."""
        return key_out(ctx.accounts.revoke_api_key(caller.vendor_id, key_id,
                                                   actor=caller.actor))

    @r.post("/account/webhook-secret", status_code=status.HTTP_201_CREATED,
            response_model=WebhookSecretOut)
    def rotate_webhook_secret(caller: SignedIn, ctx: Ctx):
        """A new secret for signed hooks (inbound, and the signature on outbound webhooks),
        shown once. The previous secret keeps verifying inbound hooks until the next rotation."""
        vendor = ctx.engine.get_vendor(caller.vendor_id)
        settings = dict(vendor.settings or {})
        previous = settings.get("webhook_secret")
        settings["webhook_secret"] = secrets.token_urlsafe(32)
        if previous:
            settings["webhook_secret_previous"] = previous
        ctx.engine.update_vendor(caller.vendor_id, settings=settings)
        return WebhookSecretOut(secret=settings["webhook_secret"], previous_kept=bool(previous),
                                hook_path=f"{API_PREFIX}/hooks/{caller.vendor_id}/events")

    return r


class WebhookSecretOut(BaseModel):
    secret: str = Field(description="shown once: store it where the sender can sign with it")
    previous_kept: bool = Field(description="the previous secret still verifies inbound hooks")
    hook_path: str = Field(description="where to POST signed events")


__all__ = ["public_router", "router", "key_out"]
