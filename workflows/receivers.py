from .services import concern_process_start, due_dates_recompute


def start_concern_process(sender, *, concern, **kwargs):
    """Every submitted concern starts its process in the same transaction."""
    concern_process_start(concern=concern)


def recompute_due_dates(sender, *, school, **kwargs):
    """Due dates follow the school calendar the DSL edits."""
    due_dates_recompute(school=school)
