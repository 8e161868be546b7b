"""How a request reaches the engine: `app.state.engine` (set by the bootstrap or by
create_api(engine=...)), and the accounts and rate limiters built around it once."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from engine.accounts import AccountService, MemoryAccountStore, TokenBucketLimiter
from engine.service import Engine
from journey_app.api.errors import ApiError
from journey_app.api.settings import ApiSettings


@dataclass
class Limiters:
    login: TokenBucketLimiter
    signup: TokenBucketLimiter
    ingest_key: TokenBucketLimiter
    ingest_address: TokenBucketLimiter


@dataclass
class ApiContext:
    engine: Engine
    accounts: AccountService
    settings: ApiSettings
    limits: Limiters
    analytics: Any = None  # engine.analytics.Analytics, built on first use (SQL stores only)


_lock = threading.Lock()


def default_accounts(engine: Engine, settings: ApiSettings) -> AccountService:
    """Accounts next to the engine's data: the same SQL database when the store is SQL
    (its tables come with the Alembic head), else memory."""
    sa_engine = getattr(engine.store, "engine", None)
    if sa_engine is not None and hasattr(sa_engine, "dialect"):
        from engine.accounts.sql import SqlAccountStore
        store: Any = SqlAccountStore(sa_engine)
    else:
        store = MemoryAccountStore()
    return AccountService(store, engine, session_ttl=settings.session_ttl)


def build_context(engine: Engine, accounts: AccountService | None,
                  settings: ApiSettings) -> ApiContext:
    clock = engine.clock
    limits = Limiters(
        login=TokenBucketLimiter(clock, capacity=settings.login_burst,
                                 rate=settings.login_per_second),
        signup=TokenBucketLimiter(clock, capacity=settings.signup_burst,
                                  rate=settings.signup_per_second),
        ingest_key=TokenBucketLimiter(clock, capacity=settings.ingest_burst,
                                      rate=settings.ingest_per_second),
        ingest_address=TokenBucketLimiter(clock, capacity=settings.ingest_address_burst,
                                          rate=settings.ingest_address_per_second))
    return ApiContext(engine=engine, accounts=accounts or default_accounts(engine, settings),
                      settings=settings, limits=limits)


def get_context(request: Request) -> ApiContext:
    state = request.app.state
    engine = getattr(state, "engine", None)
    if engine is None:
        raise ApiError(503, "the engine is not configured (app.state.engine is not set)",
                       code="ENGINE_UNAVAILABLE")
    ctx: ApiContext | None = getattr(state, "api_context", None)
    if ctx is None or ctx.engine is not engine or (
            getattr(state, "accounts", None) not in (None, ctx.accounts)):
        with _lock:
            ctx = getattr(state, "api_context", None)
            if ctx is None or ctx.engine is not engine or (
                    getattr(state, "accounts", None) not in (None, ctx.accounts)):
                ctx = build_context(engine, getattr(state, "accounts", None),
                                    state.api_settings)
                state.api_context = ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_context)]


def client_address(request: Request, settings: ApiSettings) -> str:
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"
