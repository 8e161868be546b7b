"""Journeys engine: a plain Python library that walks clients through journeys.

It knows nothing about the web UI; the Reflex app, the REST API and the CLI are faces on top.
"""
