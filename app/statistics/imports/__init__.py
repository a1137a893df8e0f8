"""Imports of enterprises and hazards from XLSX or CSV (dry run, batches, background jobs)."""
