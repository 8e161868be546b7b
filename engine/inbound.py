"""Signed inbound hooks: a payment processor or a CRM drives journeys by posting events.

    hooks = InboundHooks(engine)
    vendor = hooks.authenticate(vendor_id, signature_header, raw_body)   # HookRefused if not
    answer = hooks.payment(vendor, json.loads(raw_body), key=idempotency_key)
    answer = hooks.event(vendor, json.loads(raw_body), key=idempotency_key)

Authentication is the signature alone (engine.effects.signing): `t=<unix>,v1=<hex>` where hex is
HMAC-SHA256(secret, f"{t}.{body}") over the exact bytes received, with the vendor's
`settings["webhook_secret"]` (or `webhook_secret_previous`, so a secret can be rotated without a
gap), and `t` within `tolerance` of the engine's clock (replays of old deliveries are refused).
An unknown vendor, a vendor without a secret, a missing, malformed, stale or wrong signature are
all the same HookRefused to the sender; `reason` says which, for the log.

Idempotency: the sender's key (the `Idempotency-Key` header, else the body's `id`) is the event's
key: the same key again returns the first answer and changes nothing (`replayed=True`); the
same key with a different event is refused (Conflict) rather than silently answered. A payment
needs a key: a processor's retry must never count a payment twice.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.domain import Vendor
from engine.effects.signing import DEFAULT_TOLERANCE, parse, verify
from engine.errors import AuthError, Conflict, InvalidInput

SECRET_KEYS = ("webhook_secret", "webhook_secret_previous")
CUSTOM = re.compile(r"^custom:[A-Za-z0-9_.-]{1,64}$")
CURRENCY = re.compile(r"^[A-Za-z]{3}$")
MAX_KEY = 200
MAX_REF = 200
MAX_TEXT = 500


class HookRefused(AuthError):
    """The hook is not authenticated. The message is the same whatever the reason (no vendor
    enumeration, no hints for forgers); `reason` is for the log."""

    def __init__(self, reason: str):
        super().__init__("bad or missing signature")
        self.reason = reason


class InvalidHook(InvalidInput):
    """A hook body that does not fit; details: {"fields": [{"field": "body.<name>", "message"}]}
    naming every problem."""

    code = "VALIDATION_ERROR"

    def __init__(self, fields: list[dict[str, str]]):
        names = ", ".join(f["field"] for f in fields)
        super().__init__(f"invalid hook: {names}", details={"fields": fields})
        self.fields = fields


@dataclass(frozen=True)
class HookAnswer:
    result: dict[str, Any]  # the event service's answer: event_id, client_id, started, ...
    replayed: bool = False  # the same key was seen before: this is the first answer again


class InboundHooks:
    def __init__(self, engine: Any, *, tolerance: timedelta = DEFAULT_TOLERANCE):
        self.engine = engine
        self.tolerance = tolerance

    # -- authentication --------------------------------------------------------------------------
    def authenticate(self, vendor_id: str, signature: str | None, body: bytes) -> Vendor:
        with self.engine.store.transaction() as tx:
            vendor = tx.get_vendor(vendor_id) if isinstance(vendor_id, str) else None
        if vendor is None:
            raise HookRefused("unknown vendor")
        secrets = [s for s in ((vendor.settings or {}).get(k) for k in SECRET_KEYS)
                   if isinstance(s, str) and s]
        if not secrets:
            raise HookRefused("the vendor has no webhook secret")
        if not signature:
            raise HookRefused("no signature header")
        parsed = parse(signature)
        if parsed is None:
            raise HookRefused("malformed signature header")
        now = self.engine.clock.now()
        if abs(now.timestamp() - parsed[0]) > self.tolerance.total_seconds():
            raise HookRefused("timestamp outside the replay window")
        if not verify(secrets, signature, body, now, self.tolerance):
            raise HookRefused("signature does not match")
        return vendor

    # -- payloads --------------------------------------------------------------------------------
    def payment(self, vendor: Vendor, body: Any, *, key: str | None = None) -> HookAnswer:
        """`{"id", "client" | "client_id" | "external_id", "amount", "currency",
        "description"?, "metadata"?}` -> payment_received {amount, currency, payment_id, ...}."""
        problems: list[dict[str, str]] = []
        body = _object(body, problems)
        allowed = {"id", "client", "client_id", "external_id", "amount", "currency",
                   "description", "metadata"}
        _unknown(body, allowed, problems)
        client = _client_ref(body, problems)
        data = _payment_data(body, "body", problems)
        if "description" in body:
            if isinstance(body["description"], str) and len(body["description"]) <= MAX_TEXT:
                data["description"] = body["description"]
            else:
                problems.append(_field("body.description", f"must be text of at most "
                                                           f"{MAX_TEXT} characters"))
        if "metadata" in body:
            if isinstance(body["metadata"], dict):
                data["metadata"] = body["metadata"]
            else:
                problems.append(_field("body.metadata", "must be a JSON object"))
        key = self._key(key, body, problems, required=True)
        if key is not None and isinstance(body.get("id"), str):
            data["payment_id"] = body["id"]
        if problems:
            raise InvalidHook(problems)
        return self._ingest(vendor, client, "payment_received", data, key)

    def event(self, vendor: Vendor, body: Any, *, key: str | None = None) -> HookAnswer:
        """`{"id"?, "client" | "client_id" | "external_id", "type", "data"?}` with type
        `custom:<name>` or `payment_received` (whose data needs amount and currency)."""
        problems: list[dict[str, str]] = []
        body = _object(body, problems)
        _unknown(body, {"id", "client", "client_id", "external_id", "type", "data"}, problems)
        client = _client_ref(body, problems)
        kind = body.get("type")
        if not isinstance(kind, str) or not (kind == "payment_received" or CUSTOM.match(kind)):
            problems.append(_field("body.type", "hooks take payment_received or "
                                                "custom:<name> (1-64 of A-Z a-z 0-9 _ . -)"))
        data = body.get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, dict):
            problems.append(_field("body.data", "must be a JSON object"))
            data = {}
        if kind == "payment_received":
            data = {**data, **_payment_data(data, "body.data", problems)}
        key = self._key(key, body, problems, required=kind == "payment_received")
        if problems:
            raise InvalidHook(problems)
        return self._ingest(vendor, client, kind, data, key)

    # -- idempotent ingest -----------------------------------------------------------------------
    @staticmethod
    def _key(key: str | None, body: dict[str, Any], problems: list, *,
             required: bool) -> str | None:
        if key is None and "id" in body:
            key = body["id"]
            where = "body.id"
        else:
            where = "Idempotency-Key"
        if key is None:
            if required:
                problems.append(_field("Idempotency-Key", "a payment needs an idempotency key: "
                                                          "the Idempotency-Key header or the "
                                                          "body's id"))
            return None
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
            problems.append(_field(where, f"must be 1-{MAX_KEY} characters"))
            return None
        return key

    def _ingest(self, vendor: Vendor, client: str, kind: str, data: dict[str, Any],
                key: str | None) -> HookAnswer:
        if key is not None:
            seen = self._replay(vendor, client, kind, data, key)
            if seen is not None:
                return seen
        try:
            result = self.engine.events.ingest(vendor.id, client=client, type=kind, data=data,
                                               key=key, actor="hook")
        except Conflict:
            # Two deliveries of one key at once: the other one won; answer as it did.
            seen = self._replay(vendor, client, kind, data, key) if key is not None else None
            if seen is None:
                raise
            return seen
        return HookAnswer(result=result)

    def _replay(self, vendor: Vendor, client: str, kind: str, data: dict[str, Any],
                key: str) -> HookAnswer | None:
        with self.engine.store.transaction() as tx:
            seen = tx.get_event_by_key(vendor.id, key)
            if seen is None:
                return None
            found = tx.get_client(client)
            if found is None or found.vendor_id != vendor.id:
                found = tx.find_client(vendor.id, client)
        if seen.type != kind or seen.data != data or found is None \
                or found.id != seen.client_id:
            raise Conflict(f"idempotency key {key!r} was already used for a different event",
                           details={"key": key, "event_id": seen.id})
        return HookAnswer(result=dict(seen.result), replayed=True)


def _field(name: str, message: str) -> dict[str, str]:
    return {"field": name, "message": message}


def _object(body: Any, problems: list) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    problems.append(_field("body", "must be a JSON object"))
    return {}


def _unknown(body: dict[str, Any], allowed: set[str], problems: list) -> None:
    for name in sorted(set(body) - allowed):
        problems.append(_field(f"body.{name}", "unknown field"))


def _client_ref(body: dict[str, Any], problems: list) -> str:
    given = [(k, body[k]) for k in ("client", "client_id", "external_id") if k in body]
    if len(given) != 1:
        problems.append(_field("body.client", "give exactly one of client (an id or an "
                                              "external id), client_id or external_id"))
        return ""
    name, value = given[0]
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_REF:
        problems.append(_field(f"body.{name}", f"must be 1-{MAX_REF} characters"))
        return ""
    return value


def _payment_data(body: dict[str, Any], where: str, problems: list) -> dict[str, Any]:
    data: dict[str, Any] = {}
    amount = _amount(body.get("amount"))
    if amount is None:
        problems.append(_field(f"{where}.amount", "must be a positive number (in the "
                                                  "currency's main unit, e.g. 1200.50)"))
    else:
        data["amount"] = amount
    currency = body.get("currency")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        problems.append(_field(f"{where}.currency", "must be a 3-letter ISO 4217 code, "
                                                    "e.g. EUR"))
    else:
        data["currency"] = currency.upper()
    return data


def _amount(value: Any) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        value = int(number) if number == number.to_integral_value() else float(number)
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0 \
            or value > 1e12:
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


__all__ = ["HookAnswer", "HookRefused", "InboundHooks", "InvalidHook"]
