"""Visit services (split by concern)."""
