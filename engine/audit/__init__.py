"""The audit trail: who did what, when, to which client or journey.

- records.py      EffectAttempt, JourneyChange (the trail's own rows)
- tables.py       their SQL tables (effect_attempt, journey_change)
- repository.py   `audit_records(tx)`: write and read them inside the caller's transaction
- changes.py      `record_journey_change(...)`, called by JourneyService
- service.py      `AuditService(engine)`: a client's timeline, a journey's history, sorted by time

Effect attempts are written by the outbox (engine.effects.audit.record) in the transaction that
records the outcome; run steps, manual controls and events are read from the step log and the
event table, where the engine already keeps them.
"""
from engine.audit.records import EffectAttempt, JourneyChange
from engine.audit.repository import audit_records

__all__ = ["AuditService", "EffectAttempt", "JourneyChange", "JourneyHistoryEntry",
           "TimelineEntry", "audit_records"]


def __getattr__(name: str):
    if name in ("AuditService", "JourneyHistoryEntry", "TimelineEntry"):
        from engine.audit import service

        return getattr(service, name)
    raise AttributeError(name)
