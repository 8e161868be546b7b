from datetime import datetime, timezone

import pytest

from engine.simulation import Behaviour, CouplesProfile, predict_funnel, wilson_interval

START = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
DOC = {
    "format": "journeys/v1", "name": "Deposit chase",
    "settings": {"goal": {"event": "payment_received"}},
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "ask", "type": "email", "config": {"subject": "Deposit?", "body": "Please"}},
        {"id": "wait", "type": "wait_for",
         "config": {"event": "payment_received", "timeout": {"days": 10}}},
        {"id": "thanks", "type": "email", "config": {"subject": "Thanks", "body": "Thanks"}},
        {"id": "chase", "type": "email", "config": {"subject": "Reminder", "body": "Again"}},
        {"id": "ab", "type": "split", "config": {"branches": [{"label": "x", "weight": 1},
                                                             {"label": "y", "weight": 3}]}},
        {"id": "x", "type": "exit"}, {"id": "y", "type": "exit"},
    ],
    "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "to": "wait"},
              {"from": "wait", "to": "thanks", "when": "event"},
              {"from": "wait", "to": "chase", "when": "timeout"},
              {"from": "thanks", "to": "ab"}, {"from": "chase", "to": "ab"},
              {"from": "ab", "to": "x", "when": "x"}, {"from": "ab", "to": "y", "when": "y"}],
}
# Every couple pays, 70% of them within the 10-day wait (2 to 5 days), the rest after 30 days.
PROFILE = CouplesProfile(behaviours=(
    Behaviour("quick", "payment_received", 0.7, (48, 120)),
    Behaviour("slow", "custom:unused", 0.0),
))


def test_funnel_counts_follow_the_profile():
    f = predict_funnel(DOC, couples=800, seed=4, start=START, profile=PROFILE)
    assert f.enrolled == 800 and f.node("start").reached == 800
    assert f.node("ask").reached == 800 and f.node("ask").outcomes == {"sent": 800}
    thanks, chase = f.node("thanks").reached, f.node("chase").reached
    assert thanks + chase == 800
    assert 0.65 < thanks / 800 < 0.75
    assert f.node("wait").outcomes == {"event": thanks, "timeout": chase}
    assert f.converted == thanks  # the goal: paid (the slow ones never do here)
    x, y = f.node("x").share, f.node("y").share
    assert x + y == pytest.approx(1.0) and 0.2 < x < 0.3
    assert f.node("thanks").low < thanks / 800 < f.node("thanks").high
    assert f.statuses == {"completed": 800}


def test_same_seed_same_forecast_and_trials():
    a = predict_funnel(DOC, couples=200, seed="z", start=START, profile=PROFILE)
    b = predict_funnel(DOC, couples=200, seed="z", start=START, profile=PROFILE)
    assert a == b
    c = predict_funnel(DOC, couples=200, seed="z", start=START, profile=PROFILE, trials=3)
    assert c.trials == 3 and c.enrolled == 600
    assert len(c.node("thanks").trial_shares) == 3
    assert sum(c.node("thanks").trial_shares) * 200 == c.node("thanks").reached


def test_wilson_interval():
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
