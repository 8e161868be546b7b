"""SmtpSender: email and form effects through an SMTP relay, with errors sorted into
retry-later and give-up.

Classification (the dispatcher acts on `EffectError.retryable`):
- cannot connect, timeouts, disconnects, TLS failures: retryable (the destination is unwell);
- a 4xx reply anywhere: retryable (temporary by definition, including greylisting at RCPT);
- a 5xx reply to MAIL FROM / RCPT TO / DATA: permanent (this message will never go);
- connection greeting, authentication or HELO refused: retryable although 5xx, because they are about the
  relay's configuration, not the message; the breaker opens and emails wait for a fix instead
  of every email becoming a dead letter.
One connection is reused within a batch (up to max_messages_per_connection) and closed by close().
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from typing import Callable

from engine.clock import Clock
from engine.domain import Effect
from engine.effects.base import Delivery
from engine.effects.config import SmtpSettings
from engine.effects.message import build_email
from engine.errors import EffectError

SmtpFactory = Callable[..., smtplib.SMTP]


class SmtpSender:
    def __init__(self, settings: SmtpSettings, clock: Clock, *,
                 ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.clock = clock
        self._ssl = ssl_context
        self._conn: smtplib.SMTP | None = None
        self._sent_on_conn = 0

    def destination(self, effect: Effect) -> str:
        return self.settings.destination

    def send(self, effect: Effect) -> Delivery:
        s = self.settings
        msg = build_email(effect, from_address=s.from_address, domain=s.message_id_domain,
                          now=self.clock.now())
        try:
            conn = self._connection()
            refused = conn.send_message(msg, from_addr=s.from_address)  # To: as parsed
            self._sent_on_conn += 1
        except BaseException as exc:
            self._drop()
            if isinstance(exc, Exception):
                raise classify(exc) from exc
            raise
        if self._sent_on_conn >= s.max_messages_per_connection:
            self.close()
        return Delivery("sent", {"message_id": msg["Message-ID"], "refused": sorted(refused)})

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()

    # -- connection ----------------------------------------------------------------------
    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            context = ssl.create_default_context(cafile=self.settings.ca_file)
            if not self.settings.verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._ssl = context
        return self._ssl

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        if s.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, local_hostname=s.local_hostname,
                                                  timeout=s.timeout, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.port, local_hostname=s.local_hostname,
                                timeout=s.timeout)
        try:
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.username:
                password = s.password.get_secret_value() if s.password else ""
                conn.login(s.username, password)
        except BaseException:
            conn.close()
            raise
        self._conn, self._sent_on_conn = conn, 0
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        self._conn, self._sent_on_conn = None, 0


def classify(exc: Exception) -> EffectError:
    """Turn an smtplib/socket error into an EffectError that says whether to retry."""
    if isinstance(exc, EffectError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _ in exc.recipients.values()}
        detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg)
                           in exc.recipients.items())
        temporary = bool(codes) and all(400 <= code < 500 for code in codes)
        return EffectError(f"recipient refused: {detail}", retryable=temporary,
                           details={"smtp_codes": sorted(codes)})
    if isinstance(exc, (smtplib.SMTPAuthenticationError, smtplib.SMTPHeloError,
                        smtplib.SMTPConnectError)):
        return EffectError(f"SMTP relay refused us ({exc.smtp_code} {_text(exc.smtp_error)}): "
                           f"check the SMTP settings", retryable=True,
                           details={"smtp_code": exc.smtp_code})
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return EffectError(f"SMTP {code} {_text(exc.smtp_error)}", retryable=not 500 <= code < 600,
                           details={"smtp_code": code})
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return EffectError(f"SMTP relay does not support what the settings ask for: {exc}",
                           retryable=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return EffectError(f"SMTP server disconnected: {exc}", retryable=True)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return EffectError(f"SMTP timed out: {exc}", retryable=True)
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):
        return EffectError(f"SMTP TLS failed: {exc}", retryable=True)
    if isinstance(exc, (OSError, smtplib.SMTPException)):
        return EffectError(f"SMTP connection failed: {exc}", retryable=True)
    return EffectError(f"SMTP send failed: {type(exc).__name__}: {exc}", retryable=False)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
