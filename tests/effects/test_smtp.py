"""SmtpSender against a real SMTP server (aiosmtpd on 127.0.0.1)."""
import hashlib
import smtplib
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult

from engine.effects import Dispatcher, RetryPolicies, SmtpSender, SmtpSettings
from engine.effects.audit import history
from engine.effects.message import message_id
from engine.effects.smtp import classify
from engine.errors import EffectError
from engine.storage.memory import MemoryStore
from outbox_helpers import SmtpServer, add_effects, get_effect, make_effect


@pytest.fixture
def store():
    """These tests are about the sender: memory is enough (test_dispatcher and the outage test
    run on every store)."""
    return MemoryStore()


def settings(server: SmtpServer, **kw) -> SmtpSettings:
    kw.setdefault("security", "none")
    return SmtpSettings(host="127.0.0.1", port=server.port, from_address="hello@journeys.example",
                        message_id_domain="mail.journeys.example", timeout=5, **kw)


def dispatcher(store, clock, server, **kw) -> Dispatcher:
    sender = SmtpSender(settings(server, **kw), clock)
    return Dispatcher(store, clock, {"email": sender, "form": sender}, RetryPolicies.seeded(1))


def test_email_arrives_with_the_headers_a_mail_client_needs(store, clock, smtp_server):
    effect = make_effect(key="run_abc:welcome:1", to="ana.ben@example.com",
                         subject="Welcome, Ana & Ben!", text="Hi Ana,\nSee you soon.",
                         html="<p>Hi Ana,</p><p>See you soon.</p>",
                         from_name="Lumen Photography", reply_to="studio@lumen.example")
    add_effects(store, effect)
    stats = dispatcher(store, clock, smtp_server).run_once()
    assert stats.sent == 1

    [(mail_from, rcpts, msg)] = smtp_server.inbox.messages
    assert mail_from == "hello@journeys.example" and rcpts == ["ana.ben@example.com"]
    assert msg["From"] == "Lumen Photography <hello@journeys.example>"
    assert msg["To"] == "ana.ben@example.com"
    assert msg["Reply-To"] == "studio@lumen.example"
    assert msg["Subject"] == "Welcome, Ana & Ben!"
    assert msg["Date"] == "Tue, 01 Jun 2027 09:00:00 +0000"  # the injected clock
    digest = hashlib.sha256(b"run_abc:welcome:1").hexdigest()[:32]
    assert msg["Message-ID"] == f"<{digest}@mail.journeys.example>"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain" and "See you soon." in text.get_content()
    assert html.get_content_type() == "text/html" and "<p>Hi Ana,</p>" in html.get_content()

    stored = get_effect(store, effect.id)
    assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, clock.now())
    [attempt] = history(stored, store)
    assert attempt["outcome"] == "sent" and attempt["detail"]["message_id"] == msg["Message-ID"]
    assert attempt["destination"] == f"smtp://127.0.0.1:{smtp_server.port}"


def test_message_id_is_a_function_of_the_key_only():
    assert message_id("r:n:1", "d") == message_id("r:n:1", "d") != message_id("r:n:2", "d")


def test_non_ascii_names_and_subjects_survive(store, clock, smtp_server):
    add_effects(store, make_effect(from_name="Atelier Zoë & Łukasz", subject="Réservation ✔",
                                   text="Merci, à bientôt", html=None))
    dispatcher(store, clock, smtp_server).run_once()
    [(_, _, msg)] = smtp_server.inbox.messages
    assert msg["From"].addresses[0].display_name == "Atelier Zoë & Łukasz"
    assert msg["Subject"] == "Réservation ✔"
    assert msg.get_content_type() == "text/plain" and "à bientôt" in msg.get_content()


def test_a_form_email_goes_the_same_way(store, clock, smtp_server):
    add_effects(store, make_effect("form", form="questionnaire", token="tok1",
                                   form_url="https://app.example/f/tok1",
                                   text="Please fill https://app.example/f/tok1"))
    assert dispatcher(store, clock, smtp_server).run_once().sent == 1
    assert "https://app.example/f/tok1" in smtp_server.inbox.messages[0][2].get_body(
        ("plain",)).get_content()


def test_refused_recipient_5xx_is_a_dead_letter_4xx_is_retried(store, clock, smtp_server):
    smtp_server.inbox.refuse = {"gone@example.com": "550 5.1.1 No such user",
                                "busy@example.com": "450 4.2.1 Greylisted, try later"}
    gone = make_effect(to="gone@example.com")
    busy = make_effect(to="busy@example.com")
    fine = make_effect()
    add_effects(store, gone, busy, fine)
    stats = dispatcher(store, clock, smtp_server).run_once()
    assert (stats.sent, stats.dead, stats.retried) == (1, 1, 1)
    assert get_effect(store, gone.id).status == "dead"
    assert "550" in get_effect(store, gone.id).last_error
    busy_now = get_effect(store, busy.id)
    assert busy_now.status == "pending" and busy_now.attempts == 1
    assert busy_now.next_attempt_at > clock.now()


def test_one_connection_per_batch_up_to_the_per_connection_limit(store, clock, smtp_server):
    add_effects(store, *[make_effect() for _ in range(5)])
    assert dispatcher(store, clock, smtp_server, max_messages_per_connection=2).run_once().sent == 5
    assert smtp_server.inbox.sessions == 3  # 2 + 2 + 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_username_and_password(store, clock):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((mechanism, auth_data.login, auth_data.password))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False,
                        auth_required=True).start()
    try:
        add_effects(store, make_effect())
        assert dispatcher(store, clock, server, username="lumen",
                          password="s3cret").run_once().sent == 1
        assert seen[0][1:] == (b"lumen", b"s3cret")

        wrong = make_effect()
        add_effects(store, wrong)
        stats = dispatcher(store, clock, server, username="lumen", password="nope").run_once()
        # Wrong credentials are about the relay, not the email: retried (the breaker will open),
        # not a dead letter for every email while someone fixes the settings.
        assert stats.retried == 1
        assert "check the SMTP settings" in get_effect(store, wrong.id).last_error
    finally:
        server.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_starttls_verify_the_relay_certificate(store, clock, certificate, security):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options = ({"tls_context": context, "require_starttls": True} if security == "starttls"
               else {"ssl_context": context})
    server = SmtpServer(**options).start()
    try:
        add_effects(store, make_effect())
        assert dispatcher(store, clock, server, security=security,
                          ca_file=str(cert)).run_once().sent == 1
        assert len(server.inbox.messages) == 1

        # Without the CA the certificate is not trusted: retried, never sent in clear.
        untrusted = make_effect()
        add_effects(store, untrusted)
        assert dispatcher(store, clock, server, security=security).run_once().retried == 1
        assert "TLS" in get_effect(store, untrusted.id).last_error
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


@pytest.mark.parametrize("exc, retryable", [
    (ConnectionRefusedError(111, "refused"), True),
    (socket.timeout("timed out"), True),
    (smtplib.SMTPServerDisconnected("gone"), True),
    (smtplib.SMTPConnectError(554, b"no service"), True),
    (smtplib.SMTPSenderRefused(451, b"try later", "a@b"), True),
    (smtplib.SMTPSenderRefused(553, b"not allowed", "a@b"), False),
    (smtplib.SMTPDataError(421, b"shutting down"), True),
    (smtplib.SMTPDataError(552, b"too big"), False),
    (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")}), False),
    (smtplib.SMTPRecipientsRefused({"a@b": (451, b"later")}), True),
    (smtplib.SMTPAuthenticationError(535, b"bad creds"), True),
    (UnicodeEncodeError("ascii", "é", 0, 1, "no"), False),
])
def test_classification(exc, retryable):
    error = classify(exc)
    assert isinstance(error, EffectError) and error.retryable is retryable


def test_an_email_without_a_recipient_is_dead_at_once(store, clock, smtp_server):
    bad = make_effect(to="")
    add_effects(store, bad)
    assert dispatcher(store, clock, smtp_server).run_once().dead == 1
    assert smtp_server.inbox.messages == []
    assert get_effect(store, bad.id).attempts == 1


def test_several_recipients_one_line_subjects_and_no_header_injection(store, clock, smtp_server):
    two = make_effect(to="ana@example.com, ben@example.com", subject="Your gallery\nis ready")
    injected = make_effect(to="ana@example.com\r\nBcc: everyone@example.com")
    add_effects(store, two, injected)
    stats = dispatcher(store, clock, smtp_server).run_once()
    assert (stats.sent, stats.dead) == (1, 1)
    [(_, rcpts, msg)] = smtp_server.inbox.messages
    assert rcpts == ["ana@example.com", "ben@example.com"]
    assert msg["Subject"] == "Your gallery is ready"
    assert "bad header" in get_effect(store, injected.id).last_error
