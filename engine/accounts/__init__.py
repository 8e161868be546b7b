"""Vendors' users, sessions and API keys, password hashing and rate limiting.

No web framework here: the REST API (journey_app.api) turns cookies and headers into calls on
AccountService and maps its errors (engine.errors.AuthError, RateLimited) to responses.
"""
from engine.accounts.domain import ApiKey, Principal, Role, Session, User
from engine.accounts.memory import MemoryAccountStore
from engine.accounts.passwords import PasswordHasher
from engine.accounts.ratelimit import TokenBucketLimiter
from engine.accounts.service import AccountService
from engine.accounts.store import AccountStore, AccountTx

__all__ = ["AccountService", "AccountStore", "AccountTx", "ApiKey", "MemoryAccountStore",
           "PasswordHasher", "Principal", "Role", "Session", "TokenBucketLimiter", "User"]
