"""Reflex UI for Journeys: pages, components and the mounted REST API."""
