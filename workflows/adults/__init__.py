"""Concerns about adults (KCSIE Part 4, Working Together 2023): the case manager's
process for an allegation, the review of a low-level concern, the pattern check
over low-level concerns about the same adult, and retention by outcome.

One feature package in the shape of workflows.patterns and workflows.transfers:
`models` (the case and one record per step; app label "workflows"), `flows` (the
Viewflow processes), `services` (writes), `selectors` (reads), `forms`, `views`,
`file_panels` (what a child's file shows of it).

This module imports nothing: workflows.models imports `adults.models` so Django
sees the models, and that must not pull in the flows and services (they import
workflows.models). The flows pin their stored path, `workflows.adults.flows`.
"""
