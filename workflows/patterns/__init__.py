"""Pattern alerts: the link between past and current concerns.

A DSL sets her school's thresholds (PatternRule: N concerns about the same child
within M days, optionally of one main category). When a concern is submitted, each
child named in it is checked against each active rule; crossing one raises a
"Review the pattern" task for the DSL team (PatternFlow) with the concerns that make
the pattern (PatternReview), unless a review of that child and rule is still open.

Only the DSL team's concerns count (route dsl_team): a concern about an adult goes
to the head and never shows in a pattern the DSLs see. Children are counted whatever
their role in a concern: a child named again and again as witness or as the one
causing harm is a pattern too.

flows (the process), selectors (reads), services (writes). PatternFlow must stay
importable here: Viewflow stores "workflows/patterns.PatternFlow" in the database.
"""

from .flows import REVIEW_SCHOOL_DAYS, PatternFlow
from .selectors import concerns_in_pattern, review_context, review_of
from .services import pattern_alerts_raise

__all__ = [
    "REVIEW_SCHOOL_DAYS",
    "PatternFlow",
    "concerns_in_pattern",
    "pattern_alerts_raise",
    "review_context",
    "review_of",
]
