"""Reusable UI pieces: the app shell and the React Flow canvas wrapper."""
