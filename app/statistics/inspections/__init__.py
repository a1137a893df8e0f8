"""Inspection statistics (检查统计)."""
