"""Notifications for people and unit inboxes (also emitted as events)."""
