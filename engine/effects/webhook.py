"""WebhookSender: an HTTP request per webhook effect, signed, idempotency-keyed and fenced off
from private networks.

Classification: 2xx sent; 5xx, 408, 425, 429, timeouts and connection errors retryable (with the
server's Retry-After, seconds or HTTP date, when it sends one); 3xx (redirects are not followed:
they could lead anywhere) and every other 4xx permanent.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Callable

import httpx

from engine.clock import Clock
from engine.domain import Effect
from engine.effects.addresses import Resolver, resolve_target, split_url, system_resolver
from engine.effects.base import Delivery, payload_fields
from engine.effects.config import WebhookSettings
from engine.effects.signing import HEADER, IDEMPOTENCY_HEADER, sign
from engine.errors import EffectError
from engine.storage.base import Store

SecretLookup = Callable[[str], "str | None"]  # vendor id -> that vendor's webhook secret

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
RETRYABLE_STATUS = frozenset({408, 425, 429})
_RESERVED = frozenset({"host", "content-length", "transfer-encoding", "connection",
                       HEADER.lower(), IDEMPOTENCY_HEADER.lower()})
PREVIEW_BYTES = 300


def vendor_setting_secrets(store: Store) -> SecretLookup:
    """Secrets from `Vendor.settings["webhook_secret"]` (until vendors have a secrets table)."""
    def lookup(vendor_id: str) -> str | None:
        with store.transaction() as tx:
            vendor = tx.get_vendor(vendor_id)
        return (vendor.settings or {}).get("webhook_secret") if vendor else None
    return lookup


class WebhookSender:
    def __init__(self, settings: WebhookSettings, clock: Clock, secrets: SecretLookup, *,
                 resolver: Resolver = system_resolver, client: httpx.Client | None = None):
        self.settings = settings
        self.clock = clock
        self.secrets = secrets
        self.resolver = resolver
        self._allowed = settings.allowed_networks()
        self._client, self._owns_client = client, client is None

    def destination(self, effect: Effect) -> str:
        try:
            scheme, host, port = split_url(str(effect.payload.get("url") or ""))
        except EffectError:
            return "webhook:invalid"
        return f"{scheme}://{host}:{port}"

    def send(self, effect: Effect) -> Delivery:
        p = payload_fields(effect)
        method = str(p.get("method") or "POST").upper()
        if method not in METHODS:
            raise EffectError(f"webhook method {method!r} is not supported", retryable=False)
        target = resolve_target(str(p.get("url") or ""), allowed=self._allowed,
                                resolver=self.resolver)
        secret = self.secrets(effect.vendor_id)
        if not secret:
            raise EffectError("the vendor has no webhook secret to sign with", retryable=False)
        body = p.get("body") or ""
        if not isinstance(body, str):
            body = json.dumps(body, separators=(",", ":"), sort_keys=True)
        content = body.encode("utf-8")
        headers = self._headers(p.get("headers") or {}, body)
        headers.update({"Host": target.host_header, "User-Agent": self.settings.user_agent,
                        HEADER: sign(secret, content, self.clock.now()),
                        IDEMPOTENCY_HEADER: effect.key})
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            with self._http().stream(method, target.url, content=content, headers=headers,
                                     extensions=extensions) as response:
                return self._outcome(response, target.origin)
        except httpx.TimeoutException as exc:
            raise EffectError(f"webhook to {target.origin} timed out ({type(exc).__name__})",
                              retryable=True) from None
        except httpx.TransportError as exc:
            raise EffectError(f"webhook to {target.origin} failed: {type(exc).__name__}: {exc}",
                              retryable=True) from None

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None

    # -- helpers ---------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        if self._client is None:
            s = self.settings
            self._client = httpx.Client(timeout=httpx.Timeout(s.timeout, connect=s.connect_timeout),
                                        follow_redirects=False, verify=s.verify_tls,
                                        trust_env=False)
        return self._client

    @staticmethod
    def _headers(given: dict, body: str) -> dict[str, str]:
        headers = {str(k): str(v) for k, v in given.items() if str(k).lower() not in _RESERVED}
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = ("application/json" if _is_json(body)
                                       else "text/plain; charset=utf-8")
        return headers

    def _outcome(self, response: httpx.Response, origin: str) -> Delivery:
        code = response.status_code
        if 200 <= code < 300:  # accepted: the body is not read, a slow one cannot undo that
            return Delivery("sent", {"status": code})
        preview = _preview(response)
        message = f"webhook to {origin} answered {code}" + (f": {preview}" if preview else "")
        details = {"status": code}
        if code >= 500 or code in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
            raise EffectError(message, retryable=True, retry_after=retry_after, details=details)
        if 300 <= code < 400:
            message += " (redirects are not followed; use the final URL)"
        raise EffectError(message, retryable=False, details=details)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def _preview(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= PREVIEW_BYTES:
            break
    return data[:PREVIEW_BYTES].decode("utf-8", "replace").strip()


def _is_json(body: str) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return bool(body)
