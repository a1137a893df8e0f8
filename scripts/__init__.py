"""Developer and delivery scripts (``python -m scripts.<name>``); not part of the service."""
