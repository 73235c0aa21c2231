from typing import Any

from django.utils.dateformat import format as format_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chronicle.forms import VersionedForm

from ..transfers import conversation_version
from ..transfers.forms import ConversationForm
from .base import changed_by


class ConversationEditForm(VersionedForm, ConversationForm):
    """The handover conversation (transfers.forms.ConversationForm), filled from
    what is stored and carrying which record that was (`loaded`), so that a DSL
    whose colleague recorded it meanwhile is told, not left to overwrite it
    (transfers.conversation_record checks it, under a lock)."""

    def __init__(self, *args, transfer, **kwargs):
        initial = {
            "with_whom": transfer.conversation_with,
            "on": transfer.conversation_on,
            "summary": transfer.conversation_summary,
            "not_needed": transfer.conversation_not_needed,
            "loaded": conversation_version(transfer),
        }
        super().__init__(*args, initial=initial, **kwargs)

    def refuse(self, conflict: Any) -> None:
        """Nothing was saved (services.EditConflict): keep what was typed, say who
        recorded the conversation, when, and what is recorded now."""
        stored = conflict.stored
        if stored.conversation_summary:
            recorded = gettext("spoke to %(whom)s on %(on)s: “%(summary)s”") % {
                "whom": stored.conversation_with,
                "on": format_date(stored.conversation_on, "j F Y"),
                "summary": stored.conversation_summary,
            }
        else:
            recorded = gettext("no conversation needed: “%(why)s”") % {
                "why": stored.conversation_not_needed
            }
        if conflict.missing:
            message = CONVERSATION_UNKNOWN % {"stored": recorded}
        else:
            message = CONVERSATION_STALE % {
                "stored": recorded,
                "by": changed_by(conflict),
            }
        self.refuse_stale(conflict.version, message)


CONVERSATION_STALE = _(
    "This conversation was recorded by %(by)s, after you opened the page. What is "
    "recorded now: %(stored)s. What you typed is still in the form below: bring in "
    "anything of theirs you want to keep, then save again to replace it with yours."
)
CONVERSATION_UNKNOWN = _(
    "This page didn't say which record of the conversation you started from, so a "
    "colleague's could have been lost. What is recorded now: %(stored)s. What you "
    "typed is still in the form below: check it, then save again."
)
