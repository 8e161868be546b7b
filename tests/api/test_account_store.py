"""The accounts storage contract: one body, run on memory, SQLite and PostgreSQL (the shared
`store` fixture gives the engine store; the account store lives beside it)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from engine.accounts import ApiKey, Session, User
from engine.errors import Conflict

from .harness import account_store_for

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def accounts(store):
    from engine.domain import Vendor
    with store.transaction() as tx:  # users and keys belong to a vendor (a foreign key in SQL)
        for vid in ("v1", "v2"):
            tx.put_vendor(Vendor(id=vid, name=vid, created_at=T0))
    return account_store_for(store)


def user(uid: str, email: str, vendor: str = "v1", at: datetime = T0) -> User:
    return User(id=uid, vendor_id=vendor, email=email, name=uid, password_hash="$argon2id$x",
                role="owner", created_at=at)


def key(kid: str, prefix: str, vendor: str = "v1", at: datetime = T0) -> ApiKey:
    return ApiKey(id=kid, vendor_id=vendor, name=kid, prefix=prefix, key_hash="h" + kid,
                  created_at=at)


def session(sid: str, uid: str, expires: datetime, vendor: str = "v1") -> Session:
    return Session(id=sid, user_id=uid, vendor_id=vendor, token_hash="t" + sid, created_at=T0,
                   expires_at=expires, last_seen_at=T0)


def test_users_round_trip_and_list_in_a_stable_order(accounts):
    with accounts.transaction() as tx:
        tx.put_user(user("u2", "b@example.com", at=T0))
        tx.put_user(user("u1", "a@example.com", at=T0))
        tx.put_user(user("u0", "c@example.com", at=T0 - timedelta(days=1)))
        tx.put_user(user("u9", "d@example.com", vendor="v2"))
    with accounts.transaction() as tx:
        assert tx.get_user("u1") == user("u1", "a@example.com")
        assert tx.get_user_by_email("b@example.com").id == "u2"
        assert tx.get_user("nope") is None and tx.get_user_by_email("x@example.com") is None
        assert [u.id for u in tx.list_users("v1")] == ["u0", "u1", "u2"]
        tx.put_user(replace(tx.get_user("u1"), name="Ana", last_login_at=T0))
    with accounts.transaction() as tx:
        assert tx.get_user("u1").name == "Ana" and tx.get_user("u1").last_login_at == T0


def test_an_email_belongs_to_one_user(accounts):
    with accounts.transaction() as tx:
        tx.put_user(user("u1", "a@example.com"))
    with pytest.raises(Conflict):
        with accounts.transaction() as tx:
            tx.put_user(user("u2", "a@example.com", vendor="v2"))
    with accounts.transaction() as tx:
        assert tx.get_user("u2") is None


def test_keys_by_id_and_prefix_unique_prefixes(accounts):
    with accounts.transaction() as tx:
        tx.put_api_key(key("k2", "bbbbbbbbbbbb"))
        tx.put_api_key(key("k1", "aaaaaaaaaaaa", at=T0 - timedelta(hours=1)))
        tx.put_api_key(key("k3", "cccccccccccc", vendor="v2"))
    with accounts.transaction() as tx:
        assert tx.get_api_key_by_prefix("bbbbbbbbbbbb").id == "k2"
        assert [k.id for k in tx.list_api_keys("v1")] == ["k1", "k2"]
        tx.put_api_key(replace(tx.get_api_key("k2"), revoked_at=T0, revoked_by="user:u1"))
    with accounts.transaction() as tx:
        assert tx.get_api_key("k2").revoked_at == T0 and not tx.get_api_key("k2").active
    with pytest.raises(Conflict):
        with accounts.transaction() as tx:
            tx.put_api_key(key("k4", "aaaaaaaaaaaa"))


def test_sessions_by_token_hash_and_expiry(accounts):
    with accounts.transaction() as tx:
        tx.put_user(user("u1", "a@example.com"))
        tx.put_session(session("s1", "u1", T0 + timedelta(days=1)))
        tx.put_session(session("s2", "u1", T0 - timedelta(seconds=1)))
        tx.put_session(session("s3", "u1", T0 + timedelta(days=2)))
    with accounts.transaction() as tx:
        assert tx.get_session("ts1").id == "s1"
        assert tx.delete_expired_sessions(T0) == 1
        assert tx.get_session("ts2") is None
        tx.delete_session("s1")
        assert tx.get_session("ts1") is None
        assert tx.delete_user_sessions("u1") == 1
        assert tx.get_session("ts3") is None


def test_a_failed_transaction_leaves_nothing(accounts):
    with pytest.raises(RuntimeError):
        with accounts.transaction() as tx:
            tx.put_user(user("u1", "a@example.com"))
            tx.put_api_key(key("k1", "aaaaaaaaaaaa"))
            raise RuntimeError("boom")
    with accounts.transaction() as tx:
        assert tx.get_user("u1") is None and tx.get_api_key("k1") is None


def test_reads_are_copies(accounts):
    with accounts.transaction() as tx:
        tx.put_user(user("u1", "a@example.com"))
    with accounts.transaction() as tx:
        got = tx.get_user("u1")
        got.name = "changed without put"
    with accounts.transaction() as tx:
        assert tx.get_user("u1").name == "u1"
