"""The worker: webhook fan-out and delivery, and the deadline clock (``python -m app.worker``)."""
