"""Simulation beyond `journeys simulate`: synthetic couples, predicted funnels, client futures.

All of it runs the live runtime (engine.simulate.Simulation, or a private memory-store Engine on
a ManualClock); there is no second interpreter.

- couples: `generate_couples(n, start=..., seed=...)` -> clients and events in the simulate input
  format, from a `CouplesProfile` (wedding season, time zones, booking lead times, behaviours).
- funnel: `predict_funnel(document, couples=..., seed=..., start=...)` -> a `FunnelForecast`.
- predict: `what_happens_next(engine, vendor_id, run_id)` -> a `Prediction` (the run's future
  steps with their instants, if nothing else happens); `client_future` for all of a client's runs.
"""
from engine.simulation.couples import (Behaviour, Couples, CouplesProfile, DEFAULT_BEHAVIOURS,
                                       generate_couples)
from engine.simulation.funnel import (FunnelForecast, NodeForecast, predict_funnel,
                                      wilson_interval)
from engine.simulation.predict import (PredictedStep, Prediction, client_future,
                                       what_happens_next)

__all__ = ["Behaviour", "Couples", "CouplesProfile", "DEFAULT_BEHAVIOURS", "FunnelForecast",
           "NodeForecast", "PredictedStep", "Prediction", "client_future", "generate_couples",
           "predict_funnel", "wilson_interval", "what_happens_next"]
