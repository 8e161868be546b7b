"""One router per resource; journey_app.api.create_api includes them all under /api/v1."""
