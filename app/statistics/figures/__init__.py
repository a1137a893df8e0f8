"""Hazard statistics from rollups kept exact by triggers."""
