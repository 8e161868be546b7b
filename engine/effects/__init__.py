"""The outbox: real senders (SMTP email, captured email, webhooks, tasks), retries with backoff,
circuit breakers per destination, and the dispatcher that delivers effects at least once."""
from engine.effects.base import Delivery, Sender
from engine.effects.breaker import Breakers, CircuitBreaker
from engine.effects.capture import CaptureSender
from engine.effects.config import (DispatcherSettings, EffectsSettings, SmtpSettings,
                                   WebhookSettings)
from engine.effects.dead_letters import DeadLetters
from engine.effects.dispatcher import Dispatcher, DispatchStats
from engine.effects.factory import build_dispatcher, build_senders
from engine.effects.message import build_email, message_id
from engine.effects.retry import DEFAULT_POLICIES, RetryPolicies, RetryPolicy
from engine.effects.signing import sign, verify
from engine.effects.smtp import SmtpSender
from engine.effects.task import TaskSender
from engine.effects.webhook import WebhookSender, vendor_setting_secrets
from engine.effects.worker import ClockSleeper, DispatchLoop, EventSleeper, Sleeper

__all__ = ["Breakers", "CaptureSender", "CircuitBreaker", "ClockSleeper", "DEFAULT_POLICIES",
           "DeadLetters", "Delivery", "DispatchLoop", "DispatchStats", "Dispatcher",
           "DispatcherSettings", "EffectsSettings", "EventSleeper", "RetryPolicies",
           "RetryPolicy", "Sender", "Sleeper", "SmtpSender", "SmtpSettings", "TaskSender",
           "WebhookSender", "WebhookSettings", "build_dispatcher", "build_email",
           "build_senders", "message_id", "sign", "vendor_setting_secrets", "verify"]
