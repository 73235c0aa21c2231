from .services import concern_process_start


def start_concern_process(sender, *, concern, **kwargs):
    """Every submitted concern starts its process in the same transaction."""
    concern_process_start(concern=concern)
