"""Responsibility statistics: required visits done versus due (责任落实统计)."""
