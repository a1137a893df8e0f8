"""The deadline clock: periodic jobs, each idempotent (one ``clock_firing`` row per firing).

Every job reads the other domains' tables defensively: when a table is not there (a domain not
migrated yet) the job reports ``skipped`` instead of failing. Dates are China dates from
``app.core.clock.today_china()`` so tests move time with ``set_offset``."""

from app.worker.jobs import followups, hazards, housekeeping

__all__ = ["followups", "hazards", "housekeeping"]
