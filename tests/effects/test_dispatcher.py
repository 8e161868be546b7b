"""The dispatcher's bookkeeping, with scripted senders: claims, outcomes, retries, breakers,
dead letters, leases. Runs on every store the `store` fixture provides."""
from datetime import timedelta

import pytest

from engine.effects import (Breakers, Delivery, Dispatcher, RetryPolicies, RetryPolicy,
                            TaskSender)
from engine.effects.audit import history
from engine.errors import Conflict, EffectError, NotFound
from outbox_helpers import T0, add_effects, get_effect, make_effect

S = timedelta(seconds=1)


class Scripted:
    """A sender that answers from a script (then "sent"), recording what it was asked."""

    def __init__(self, *script, destination="dest", on_send=None):
        self.script = list(script)
        self.sent = []
        self.dest = destination
        self.on_send = on_send
        self.closed = 0

    def destination(self, effect):
        return self.dest

    def send(self, effect):
        self.sent.append(effect.key)
        if self.on_send:
            self.on_send(effect)
        outcome = self.script.pop(0) if self.script else Delivery("sent")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self):
        self.closed += 1


def retryable(msg="down", after=None):
    return EffectError(msg, retryable=True, retry_after=after)


def permanent(msg="bad"):
    return EffectError(msg, retryable=False)


def make(store, clock, sender, *, threshold=100, policy=None, **kw):
    policies = RetryPolicies.seeded(3, email=policy or RetryPolicy(max_attempts=4, base=10 * S,
                                                                    cap=60 * S))
    return Dispatcher(store, clock, {"email": sender, "task": TaskSender()}, policies,
                      Breakers(clock, threshold=threshold, cool_down=30 * S), **kw)


def test_only_due_pending_effects_are_sent(store, clock):
    due = make_effect()
    later = make_effect(at=T0 + timedelta(hours=1))
    done = make_effect()
    done.status = "sent"
    add_effects(store, due, later, done)
    sender = Scripted()
    d = make(store, clock, sender)
    assert d.run_once().as_dict() == {"claimed": 1, "sent": 1, "captured": 0, "retried": 0,
                                      "dead": 0, "deferred": 0, "released": 0, "superseded": 0}
    assert sender.sent == [due.key] and sender.closed == 1
    clock.advance(hours=1)
    assert d.run_once().sent == 1 and sender.sent == [due.key, later.key]
    assert d.run_once().claimed == 0


def test_limit_bounds_a_batch_and_oldest_go_first(store, clock):
    effects = [make_effect(at=T0 - i * S) for i in range(5)]
    add_effects(store, *effects)
    sender = Scripted()
    d = make(store, clock, sender)
    assert d.run_once(limit=2).sent == 2
    assert sender.sent == [effects[4].key, effects[3].key]
    assert d.run_until_idle(limit=2).sent == 3


def test_retryable_failure_backs_off_then_succeeds(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    d = make(store, clock, Scripted(retryable("421 busy")))
    assert d.run_once().retried == 1
    waiting = get_effect(store, effect.id)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert waiting.last_error == "421 busy"
    assert clock.now() <= waiting.next_attempt_at <= clock.now() + 10 * S
    clock.set(waiting.next_attempt_at)
    assert d.run_once().sent == 1
    final = get_effect(store, effect.id)
    assert (final.status, final.attempts, final.last_error) == ("sent", 2, None)
    assert [(h["outcome"], h["attempt"]) for h in history(final, store)] == [("retry", 1), ("sent", 2)]
    assert history(final, store)[0]["error"] == "421 busy" and history(final, store)[0]["retryable"] is True


def test_exhausted_retries_make_a_dead_letter(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    d = make(store, clock, Scripted(*[retryable("timeout")] * 10))
    for _ in range(4):
        clock.advance(minutes=5)
        d.run_once()
    dead = get_effect(store, effect.id)
    assert dead.status == "dead" and dead.attempts == 4 and dead.next_attempt_at is None
    assert dead.last_error == "gave up after 4 attempts: timeout"
    assert [h["outcome"] for h in history(dead, store)] == ["retry"] * 3 + ["dead"]


def test_permanent_failure_is_dead_at_once_and_can_be_replayed(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    sender = Scripted(permanent("550 no such user"))
    d = make(store, clock, sender)
    assert d.run_once().dead == 1
    assert [e.id for e in d.list_dead("ven_1")] == [effect.id]
    assert d.list_dead("another_vendor") == []

    clock.advance(minutes=3)
    replayed = d.replay(effect.id, vendor_id="ven_1", actor="ana@lumen")
    assert (replayed.status, replayed.attempts, replayed.last_error) == ("pending", 0, None)
    assert d.run_once().sent == 1 and sender.sent == [effect.key, effect.key]
    final = get_effect(store, effect.id)
    assert [h["outcome"] for h in history(final, store)] == ["dead", "replayed", "sent"]
    assert history(final, store)[1]["by"] == "ana@lumen"
    assert d.list_dead("ven_1") == []


def test_discard_and_the_rules_around_it(store, clock):
    pending, dead = make_effect(at=T0 + timedelta(days=1)), make_effect()
    add_effects(store, pending, dead)
    d = make(store, clock, Scripted(permanent()))
    d.run_once()
    assert d.discard(pending.id).status == "discarded"
    assert d.discard(dead.id, actor="ben").status == "discarded"
    clock.advance(days=2)
    assert d.run_once().claimed == 0
    with pytest.raises(Conflict):
        d.discard(dead.id)
    with pytest.raises(NotFound):
        d.replay("eff_missing")
    with pytest.raises(NotFound):
        d.replay(dead.id, vendor_id="someone_else")
    assert d.replay(dead.id).status == "pending"  # a discarded effect can be brought back
    d.run_once()
    with pytest.raises(Conflict):
        d.replay(dead.id)  # sent now


def test_open_breaker_defers_without_spending_attempts(store, clock):
    effects = [make_effect() for _ in range(6)]
    add_effects(store, *effects)
    sender = Scripted(*[retryable("connection refused")] * 3)
    d = make(store, clock, sender, threshold=3)
    stats = d.run_once()
    assert (stats.retried, stats.deferred) == (3, 3)
    assert d.breaker_snapshot()[0]["state"] == "open"
    deferred = [get_effect(store, e.id) for e in effects[3:]]
    assert all(e.attempts == 0 and e.next_attempt_at == T0 + 30 * S for e in deferred)
    assert all(history(e, store) == [] for e in deferred)
    # After the cool-down one probe goes; it succeeds and the rest follow in the same batch.
    clock.advance(seconds=60)
    assert d.run_once().sent == 6
    assert d.breaker_snapshot()[0]["state"] == "closed"
    assert sorted(sender.sent[3:]) == sorted(e.key for e in effects)


def test_breakers_are_per_destination(store, clock):
    a, b = make_effect(), make_effect()
    add_effects(store, a, b)

    class Two(Scripted):
        def destination(self, effect):
            return "down" if effect.id == a.id else "up"

        def send(self, effect):
            self.sent.append(effect.key)
            if effect.id == a.id:
                raise retryable()
            return Delivery("sent")

    d = make(store, clock, Two(), threshold=1)
    stats = d.run_once()
    assert (stats.retried, stats.sent) == (1, 1)
    states = {s["destination"]: s["state"] for s in d.breaker_snapshot()}
    assert states == {"down": "open", "up": "closed"}


def test_retry_after_from_the_error_is_honoured(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    d = make(store, clock, Scripted(retryable("429", after=timedelta(minutes=10))))
    d.run_once()
    assert get_effect(store, effect.id).next_attempt_at == T0 + timedelta(minutes=10)


def test_unknown_kind_and_sender_bugs_become_dead_letters(store, clock):
    odd = make_effect("sms")
    buggy = make_effect()
    add_effects(store, odd, buggy)
    d = make(store, clock, Scripted(KeyError("oops")))
    assert d.run_once().dead == 2
    assert "no sender is configured for 'sms'" in get_effect(store, odd.id).last_error
    assert "unexpected KeyError" in get_effect(store, buggy.id).last_error


def test_tasks_are_recorded_as_sent(store, clock):
    task = make_effect("task")
    add_effects(store, task)
    assert make(store, clock, Scripted()).run_once().sent == 1
    assert get_effect(store, task.id).status == "sent"


def test_captured_is_its_own_outcome(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    assert make(store, clock, Scripted(Delivery("captured"))).run_once().captured == 1
    assert get_effect(store, effect.id).status == "captured"


def test_a_crashed_claim_comes_back_after_the_lease(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    crashed = make(store, clock, Scripted(), claim_lease=timedelta(minutes=5))
    crashed._claim(10)  # claimed, then the process died before sending
    other = make(store, clock, Scripted(), claim_lease=timedelta(minutes=5))
    assert other.run_once().claimed == 0  # hidden from other dispatchers meanwhile
    clock.advance(minutes=5)
    assert other.run_once().sent == 1


def test_a_slow_batch_hands_back_what_it_cannot_finish_within_the_lease(store, clock):
    effects = [make_effect() for _ in range(4)]
    add_effects(store, *effects)
    slow = Scripted(on_send=lambda e: clock.advance(minutes=2))
    d = make(store, clock, slow, claim_lease=timedelta(minutes=5))
    stats = d.run_once()
    assert (stats.claimed, stats.sent, stats.released) == (4, 2, 2)
    assert [get_effect(store, e.id).next_attempt_at for e in effects[2:]] == [T0, T0]
    assert d.run_once().sent == 2


def test_discarded_while_sending_a_failure_does_not_resurrect_it(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    holder = {}

    def discard_meanwhile(e):
        holder["d"].discard(e.id)

    d = make(store, clock, Scripted(retryable(), on_send=discard_meanwhile))
    holder["d"] = d
    assert d.run_once().superseded == 1
    final = get_effect(store, effect.id)
    assert final.status == "discarded" and final.next_attempt_at is None
    assert [h["outcome"] for h in history(final, store)] == ["discarded", "retry"]


def test_listeners_hear_committed_outcomes(store, clock):
    add_effects(store, make_effect(), make_effect())
    heard = []
    d = make(store, clock, Scripted(permanent()), listeners=[lambda o, e: heard.append(o)])
    d.run_once()
    assert sorted(heard) == ["dead", "sent"]


def test_the_store_object_is_never_changed_in_place(store, clock):
    effect = make_effect()
    add_effects(store, effect)
    make(store, clock, Scripted()).run_once()
    assert effect.status == "pending" and "_attempts" not in effect.payload
