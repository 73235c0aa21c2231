"""One form, one record: duplicate-submit protection, written once.

A form that creates a record carries a `submission_key` (a UUID made when the form
is shown). A double click, a resent form or a retry after a timeout posts the same
key again; the record it already made is returned instead of a second one. The key
is unique in the database, so two submissions racing each other also end with one
record: the loser's IntegrityError is answered with the winner's row.

Use `SubmittedOnce` as a model's base (override `submission_key` where a model's
field differs, e.g. a key that is required) and `create_once` in the service.
"""

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

__all__ = ["SubmittedOnce", "create_once"]


class SubmittedOnce(models.Model):
    """A record made by a form that may be submitted twice."""

    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )

    class Meta:
        abstract = True


M = TypeVar("M", bound=SubmittedOnce)


def create_once(
    model: type[M],
    submission_key: UUID | None,
    make: Callable[[], M],
    *,
    check: Callable[[M], None] | None = None,
) -> tuple[M, bool]:
    """Run `make()` (in a savepoint) unless `model` already has a record of this
    submission, and return (record, created). `check(existing)` may refuse a
    record made by another submission that reused the key (raise ValidationError).
    Without a key every call makes a record."""
    existing = _submitted(model, submission_key)
    if existing is not None:
        if check is not None:
            check(existing)
        return existing, False
    try:
        with transaction.atomic():
            return make(), True
    except IntegrityError:
        # A simultaneous repeat of the same submission saved first: that's the one.
        existing = _submitted(model, submission_key)
        if existing is None:
            raise
        if check is not None:
            check(existing)
        return existing, False


def _submitted(model: type[M], submission_key: UUID | None) -> M | None:
    if submission_key is None:
        return None
    return model._default_manager.filter(submission_key=submission_key).first()
