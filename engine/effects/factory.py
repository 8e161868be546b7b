"""Wiring: senders and a dispatcher from EffectsSettings. The bootstrap calls these once."""
from __future__ import annotations

import random

from engine.clock import Clock
from engine.effects.base import Sender
from engine.effects.breaker import Breakers
from engine.effects.capture import CaptureSender
from engine.effects.config import EffectsSettings
from engine.effects.dispatcher import Dispatcher
from engine.effects.retry import RetryPolicies
from engine.effects.smtp import SmtpSender
from engine.effects.task import TaskSender
from engine.effects.webhook import SecretLookup, WebhookSender, vendor_setting_secrets
from engine.storage.base import Store


def build_senders(settings: EffectsSettings, clock: Clock,
                  secrets: SecretLookup) -> dict[str, Sender]:
    """email and form through SMTP when it is configured, else captured; webhooks; tasks."""
    if settings.smtp is not None:
        mail: Sender = SmtpSender(settings.smtp, clock)
    else:
        mail = CaptureSender(clock)
    return {"email": mail, "form": mail,
            "webhook": WebhookSender(settings.webhooks, clock, secrets),
            "task": TaskSender()}


def build_dispatcher(store: Store, clock: Clock, settings: EffectsSettings, *,
                     secrets: SecretLookup | None = None,
                     rng: random.Random | None = None) -> Dispatcher:
    d = settings.dispatcher
    senders = build_senders(settings, clock, secrets or vendor_setting_secrets(store))
    breakers = Breakers(clock, threshold=d.breaker_threshold, cool_down=d.breaker_cool_down,
                        max_cool_down=d.breaker_max_cool_down)
    policies = RetryPolicies(rng=rng or random.Random())
    return Dispatcher(store, clock, senders, policies, breakers, claim_lease=d.claim_lease,
                      batch_size=d.batch_size)
