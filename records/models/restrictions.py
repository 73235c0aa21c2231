"""Access limits on a concern or a file, and break-glass access past them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .concerns import Concern
from .pupils import Pupil


class Restriction(models.Model):
    """A concern, or a child's whole file, limited to named people: an allegation
    about a member of staff, a child who is a relative of someone who works here.

    While it is in place only the people named (and anyone with a break-glass
    access to it) see what it covers, everywhere: lists, the file, its chronology,
    tasks, exports, the audit log's pages and the API. A restricted file covers every
    concern about the child. Lifting it keeps the row, with who, when and why.
    """

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.CASCADE,
        related_name="restrictions",
        null=True,
        blank=True,
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.CASCADE,
        related_name="restrictions",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("why access is restricted"))
    people = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("who may see it"),
        related_name="restrictions_open_to",
    )
    set_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("restricted at"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("access restriction")
        verbose_name_plural = _("access restrictions")
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pupil__isnull=False, concern__isnull=True)
                | models.Q(pupil__isnull=True, concern__isnull=False),
                name="restriction_covers_a_file_or_a_concern",
            ),
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_open_restriction_per_file",
            ),
            models.UniqueConstraint(
                fields=["concern"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_open_restriction_per_concern",
            ),
        ]

    def __str__(self):
        return _("Restricted: %(what)s") % {"what": self.concern or self.pupil}

    @property
    def covers(self):
        return self.concern or self.pupil


class BreakGlassAccess(models.Model):
    """Emergency read access to a record the user may not otherwise see (a system
    administrator, or a DSL not named on a restricted record). It asks a reason,
    tells the school's heads and DSLs (not the person who opened it, nor an adult
    the concern names), is logged, and ends by itself."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="break_glass"
    )
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.CASCADE,
        related_name="break_glass",
        null=True,
        blank=True,
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.CASCADE,
        related_name="break_glass",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("why you need to see it"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("ends at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Who was told when it was opened (records.restrictions.break_glass_told): the
    # notification goes to them and the banner names them, so it says who truly was.
    told = models.ManyToManyField(
        "accounts.User", verbose_name=_("told"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pupil__isnull=False, concern__isnull=True)
                | models.Q(pupil__isnull=True, concern__isnull=False),
                name="break_glass_opens_a_file_or_a_concern",
            ),
        ]

    def __str__(self):
        return _("Break-glass access by %(user)s to %(what)s") % {
            "user": self.user,
            "what": self.concern or self.pupil,
        }

    @property
    def covers(self):
        return self.concern or self.pupil

    @property
    def is_open(self):
        """Not closed early and not yet ended (records.selectors.open_break_glass
        is the same test, in the database)."""
        return self.closed_at is None and self.expires_at > timezone.now()
