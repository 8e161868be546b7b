"""The SMTP relay goes away for a while: the breaker opens, nothing is lost, and when the relay
is back on the same port every email arrives exactly once."""
from datetime import timedelta

from engine.effects import Breakers, Dispatcher, RetryPolicies, SmtpSender, SmtpSettings
from engine.effects.audit import history
from engine.effects.message import message_id
from outbox_helpers import SmtpServer, add_effects, make_effect

STEP = timedelta(seconds=15)


def test_relay_down_then_back_every_email_exactly_once(store, clock, smtp_server):
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="none",
                            from_address="hello@journeys.example", timeout=5)
    sender = SmtpSender(settings, clock)
    breakers = Breakers(clock, threshold=5, cool_down=timedelta(seconds=30),
                        max_cool_down=timedelta(minutes=4))
    d = Dispatcher(store, clock, {"email": sender}, RetryPolicies.seeded(11), breakers)
    destination = settings.destination

    before = add_effects(store, *[make_effect() for _ in range(10)])
    assert d.run_once().sent == 10

    smtp_server.stop()
    during = add_effects(store, *[make_effect(at=clock.now()) for _ in range(40)])
    timeline, attempts_while_down, deferred = [], 0, 0
    down_for = timedelta(minutes=12)
    end_of_outage = clock.now() + down_for
    while clock.now() < end_of_outage:
        stats = d.run_once()
        attempts_while_down += stats.retried + stats.dead + stats.sent
        deferred += stats.deferred
        timeline.append((clock.now(), breakers.get(destination).state))
        clock.advance(STEP)
    assert all(state != "closed" for _, state in timeline[1:]), "the breaker should stay open"
    opened_at = next(t for t, s in timeline if s != "closed")

    restarted = SmtpServer(port=smtp_server.port).start()  # same port, new empty inbox
    try:
        closed_at = None
        for _ in range(200):
            stats = d.run_once()
            if closed_at is None and breakers.get(destination).state == "closed":
                closed_at = clock.now()
            with store.transaction() as tx:
                if not tx.list_effects(status="pending", limit=1):
                    break
            clock.advance(STEP)
        received = restarted.inbox.ids()
    finally:
        restarted.stop()

    expected = {message_id(e.key, settings.message_id_domain) for e in during}
    assert set(received) == expected, "every email queued during the outage arrived"
    assert max(received.values()) == 1, "and none twice"
    assert set(smtp_server.inbox.ids()) == {message_id(e.key, settings.message_id_domain)
                                            for e in before}
    with store.transaction() as tx:
        effects = tx.list_effects(limit=1000)
    assert {e.status for e in effects} == {"sent"}
    spent = sorted(e.attempts for e in effects if e.id in {x.id for x in during})
    # Only the first `threshold` failures and the half-open probes cost attempts: most emails
    # were never tried while the relay was down.
    assert attempts_while_down <= 5 + 10
    assert spent.count(1) >= 30
    probes = attempts_while_down - 5
    print(f"\n[smtp outage] relay down {down_for}; breaker opened at +{opened_at - timeline[0][0]}, "
          f"closed {closed_at - end_of_outage} after the relay came back "
          f"(open {closed_at - opened_at} in all); {attempts_while_down} attempts while down "
          f"(5 to open + {probes} probes), {deferred} deferrals without an attempt; "
          f"attempts per email: max {max(spent)}, {spent.count(1)}/40 needed a single attempt; "
          f"duplicates: 0")
    assert max(len(history(e, store)) for e in effects) <= 1 + probes
