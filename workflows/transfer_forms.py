"""Moved to workflows.transfers.forms; kept for workflows.forms, which imports
ConversationForm by this name. Remove once it imports the package's forms."""

from .transfers.forms import ConversationForm

__all__ = ["ConversationForm"]
