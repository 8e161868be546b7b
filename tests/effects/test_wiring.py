"""Building the outbox from settings, and the dispatch loop on a ManualClock."""
import threading
from datetime import timedelta

import pytest
from pydantic import ValidationError

from engine.domain import Vendor
from engine.effects import (CaptureSender, ClockSleeper, DispatchLoop, EffectsSettings,
                            EventSleeper, WebhookSettings, build_dispatcher)
from engine.effects.signing import HEADER, verify
from engine.storage.memory import MemoryStore
from outbox_helpers import add_effects, get_effect, make_effect


def test_without_smtp_emails_are_captured_and_webhooks_signed_with_the_vendor_secret(clock,
                                                                                        receiver):
    store = MemoryStore()
    with store.transaction() as tx:
        tx.put_vendor(Vendor(id="ven_1", name="Lumen", settings={"webhook_secret": "s3"}))
    settings = EffectsSettings(webhooks=WebhookSettings(allow_private=["127.0.0.1/32"]))
    d = build_dispatcher(store, clock, settings)
    mail, form, hook, task = (make_effect("email"), make_effect("form"),
                              make_effect("webhook", url=receiver.url), make_effect("task"))
    add_effects(store, mail, form, hook, task)
    stats = d.run_once()
    assert (stats.captured, stats.sent) == (2, 2)
    assert [get_effect(store, e.id).status for e in (mail, form, hook, task)] == \
        ["captured", "captured", "sent", "sent"]
    capture = d.senders["email"]
    assert isinstance(capture, CaptureSender) and d.senders["form"] is capture
    assert [m["To"] for m in capture.messages] == [mail.payload["to"], form.payload["to"]]
    [request] = receiver.requests
    assert verify("s3", request["headers"][HEADER], request["body"], clock.now())


def test_settings_refuse_nonsense():
    with pytest.raises(ValidationError):
        WebhookSettings(allow_private=["not-a-network"])
    with pytest.raises(ValidationError):
        EffectsSettings.model_validate({"smtp": {"host": "x", "from_address": "a@b",
                                                 "security": "ssl"}})
    assert EffectsSettings().dispatcher.claim_lease == timedelta(minutes=5)


def test_the_loop_sleeps_on_the_injected_clock_when_idle(clock):
    store = MemoryStore()
    d = build_dispatcher(store, clock, EffectsSettings())
    start = clock.now()
    effect = make_effect(at=start + timedelta(seconds=5))
    add_effects(store, effect)
    loop = DispatchLoop(d, ClockSleeper(clock), batch_size=10, poll_interval=2.0)
    total = loop.run(max_steps=4)  # t=0, 2, 4: nothing due; t=6: captured
    assert total.captured == 1
    assert get_effect(store, effect.id).sent_at == start + timedelta(seconds=6)


def test_the_loop_survives_a_failing_store(clock):
    class Broken(MemoryStore):
        def transaction(self):
            raise ConnectionError("database unavailable")

    d = build_dispatcher(Broken(), clock, EffectsSettings())
    loop = DispatchLoop(d, ClockSleeper(clock), poll_interval=1.0, error_pause=30.0)
    start = clock.now()
    loop.run(max_steps=2)
    assert clock.now() - start == timedelta(seconds=60)


def test_event_sleeper_stops_the_loop_promptly(clock):
    d = build_dispatcher(MemoryStore(), clock, EffectsSettings())
    loop = DispatchLoop(d, EventSleeper(), poll_interval=3600)
    thread = threading.Thread(target=loop.run)
    thread.start()
    loop.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
