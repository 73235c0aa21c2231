"""Counts per answer to a concern form's own choice questions ("Which playground
area?"), for the DSLs of the form's school. Kept apart from reports.queries: it
reads the answers stored on each concern (Concern.answers), not the record's
structured fields."""
