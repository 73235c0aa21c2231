"""Checks that a written reason is a reason.

KCSIE asks for every decision *and the reasons for it*. A one-word "NFA", "see
above" or "no concerns" tells the next reader nothing, so reasons must be
substantive: long enough, more than a handful of words, and not a stock phrase. The
limits are deliberately modest: they stop boilerplate, not short honest reasoning.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BOILERPLATE = {
    "nfa",
    "no further action",
    "no further action needed",
    "no further action required",
    "n a",
    "na",
    "none",
    "nil",
    "see above",
    "as above",
    "see notes",
    "not needed",
    "not required",
    "no concerns",
    "no concern",
    "no action",
    "no action needed",
    "no action required",
    "ok",
    "fine",
    "done",
    "test",
    "dealt with",
    "sorted",
    "resolved",
    "closed",
}

MIN_CHARACTERS = 40
MIN_WORDS = 6


def _words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def validate_rationale(text, *, min_characters=MIN_CHARACTERS, min_words=MIN_WORDS):
    """Raise ValidationError unless the text gives a reason others could follow."""
    words = _words(text or "")
    normalised = " ".join(words)
    if not normalised:
        raise ValidationError(_("Give the reason: it cannot be left empty."))
    if normalised in BOILERPLATE or _only_stock_phrases(words):
        raise ValidationError(
            _(
                "“%(text)s” is not a reason. Say why: what you considered, what the "
                "child said, what you weighed up."
            ),
            params={"text": text.strip()[:60]},
        )
    if len(text.strip()) < min_characters or len(words) < min_words:
        raise ValidationError(
            _(
                "Say more: a reason needs at least %(words)d words and %(chars)d "
                "characters so that someone reading the file later can follow it."
            ),
            params={"words": min_words, "chars": min_characters},
        )
    if len(set(words)) < max(3, min_words // 2):
        raise ValidationError(_("Write the reason in words, not a repeated phrase."))


def _only_stock_phrases(words):
    """'NFA. NFA. No concerns.' is still boilerplate."""
    text = " ".join(words)
    for phrase in sorted(BOILERPLATE, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    return not text.strip()
