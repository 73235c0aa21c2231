"""Casework reads for a trust's data team: tasks, a concern and its steps, a
child's chronology, report aggregates. Each reads through the web's selectors
(need to know, restrictions, conflicts of interest, school scope), and each read
of case content is audited as the web's page is (endpoints.py)."""
