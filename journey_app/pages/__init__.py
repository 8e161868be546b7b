"""One module per page; each owns its state. ``journey_app.journey_app`` registers them."""
