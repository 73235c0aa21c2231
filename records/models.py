from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import get_private_storage

upn_validator = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$",
    _(
        "A UPN is 13 characters: a capital letter, eleven digits, then a digit or a "
        "capital letter (for example A123456789012)."
    ),
)


class YearGroup(models.TextChoices):
    NURSERY = "N", _("Nursery")
    RECEPTION = "R", _("Reception")
    Y1 = "1", _("Year 1")
    Y2 = "2", _("Year 2")
    Y3 = "3", _("Year 3")
    Y4 = "4", _("Year 4")
    Y5 = "5", _("Year 5")
    Y6 = "6", _("Year 6")
    Y7 = "7", _("Year 7")
    Y8 = "8", _("Year 8")
    Y9 = "9", _("Year 9")
    Y10 = "10", _("Year 10")
    Y11 = "11", _("Year 11")
    Y12 = "12", _("Year 12")
    Y13 = "13", _("Year 13")


class Sex(models.TextChoices):
    """As recorded in the school's MIS census return."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Not recorded")


class Pupil(models.Model):
    """A child on a school's roll. One file per child, never a family file.

    Profile flags, key contacts and links to related children hang off the pupil in
    their own models (later migrations); the chronology is built from the records
    that name this pupil.
    """

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="pupils",
    )
    upn = models.CharField(
        _("UPN"),
        max_length=13,
        validators=[upn_validator],
        help_text=_("Unique pupil number, as in the MIS."),
    )
    first_name = models.CharField(_("legal first name"), max_length=100)
    last_name = models.CharField(_("legal last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    year_group = models.CharField(
        _("year group"), max_length=2, choices=YearGroup.choices
    )
    sex = models.CharField(
        _("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN
    )
    date_joined = models.DateField(_("date joined"), null=True, blank=True)
    date_left = models.DateField(
        _("date left"),
        null=True,
        blank=True,
        help_text=_("Leavers are marked, never deleted: their file is kept."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"], name="unique_pupil_upn_per_school"
            )
        ]
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def on_roll(self):
        return self.date_left is None


class InvolvementRole(models.TextChoices):
    SUBJECT = "subject", _("Child the concern is about")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("Alleged to have caused harm")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Otherwise involved")


class Concern(models.Model):
    """One incident or worry, as reported: the record staff submit.

    Names of terms and of the form's questions are copied onto the record when it is
    made, so renaming or retiring a category, or editing the form later, never changes
    how this record reads. The linked terms stay for reports (they follow merges).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        CLOSED = "closed", _("Closed")

    class Route(models.TextChoices):
        DSL_TEAM = "dsl_team", _("Safeguarding team (DSLs)")
        HEAD = "head", _("Headteacher / manager (concerns about adults)")

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    submission_key = models.UUIDField(
        _("submission key"),
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    route = models.CharField(_("goes to"), max_length=20, choices=Route.choices)
    form_title = models.CharField(_("form"), max_length=255)
    form_page_id = models.PositiveIntegerField(_("form page id"), null=True, blank=True)
    reported_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_reported",
        help_text=_("Empty when someone without an account reported it on paper."),
    )
    reported_by_name = models.CharField(
        _("reported by (paper report)"),
        max_length=200,
        blank=True,
        help_text=_("Name and role of a reporter who has no account."),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="concerns_recorded",
    )
    occurred_on = models.DateField(_("date of the incident"))
    occurred_at = models.TimeField(_("time of the incident"), null=True, blank=True)
    location = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    location_name = models.CharField(_("where (as recorded)"), max_length=120)
    location_detail = models.CharField(_("where exactly"), max_length=255, blank=True)
    what_happened = models.TextField(_("what happened"))
    child_voice = models.TextField(_("the child's voice"), blank=True)
    child_voice_not_known = models.TextField(
        _("why the child's voice is not recorded"), blank=True
    )
    primary_category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    primary_category_name = models.CharField(
        _("category (as recorded)"), max_length=255
    )
    tags = models.ManyToManyField(
        "taxonomy.Term", verbose_name=_("also about"), blank=True, related_name="+"
    )
    tag_names = models.JSONField(
        _("also about (as recorded)"), default=list, blank=True
    )
    immediate_risk = models.BooleanField(_("child at immediate risk"))
    actions_taken = models.TextField(_("actions already taken"), blank=True)
    answers = models.JSONField(
        _("answers to the form's own questions"),
        default=list,
        blank=True,
        help_text=_("Each answer with the question's label and choices as they were."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["reported_by", "-submitted_at"]),
            models.Index(fields=["recorded_by", "-submitted_at"]),
            models.Index(fields=["school", "status", "-submitted_at"]),
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        if not self.reported_by_id and not self.reported_by_name.strip():
            raise ValidationError(
                {"reported_by_name": _("Say who reported the concern.")}
            )

    @property
    def reference(self):
        return f"C{self.pk:06d}" if self.pk else "C(new)"


class ConcernPupil(models.Model):
    """A child named in a concern, and how they are involved: linking several children
    never gives all of them the same role."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="involvements"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(
        _("involvement"), max_length=30, choices=InvolvementRole.choices
    )

    class Meta:
        verbose_name = _("child involved")
        verbose_name_plural = _("children involved")
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "pupil"], name="unique_pupil_per_concern"
            )
        ]

    def __str__(self):
        return f"{self.pupil} ({self.get_role_display()})"


def attachment_path(instance, filename):
    return f"concerns/{instance.concern.school_id}/{instance.concern_id}/{filename}"


class ScanStatus(models.TextChoices):
    """A stored file's malware scan (records.scanning)."""

    CLEAN = "clean", _("checked for viruses")
    NOT_SCANNED = "not_scanned", _("not checked for viruses")
    # Stored while clamd was not answering (MALWARE_SCAN=hold): not served until
    # manage.py scan_held_files has checked it.
    HELD = "held", _("waiting for its virus check")
    REFUSED = "refused", _("removed: the virus check found harmful content")


class StoredDocument(models.Model):
    """A file kept for a record: in private storage, served only through a
    permission-checked, audited view; the original name is kept for display, never
    used as the stored name. Subclasses add the record it belongs to and `file`."""

    scan_status = models.CharField(
        _("virus check"),
        max_length=20,
        choices=ScanStatus.choices,
        default=ScanStatus.NOT_SCANNED,
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ConcernAttachment(StoredDocument):
    """A file attached to a concern (a photo of a note, the scan of a paper form)."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=attachment_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


# The DSL's work on a concern. Each step is its own record, linked to the concern and
# to the cycle of work it belongs to (a concern reopened at review starts cycle 2).
# They are written once, by the step that makes them; later information is added as
# new records, so the chronology shows what was known and decided when.


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    IMMEDIATE = "immediate", _("Immediate risk of harm")


class Triage(models.Model):
    """The DSL's first reading of a concern: category confirmed, risk and why."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="triages"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    primary_category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    primary_category_name = models.CharField(_("category (as triaged)"), max_length=255)
    tags = models.ManyToManyField(
        "taxonomy.Term", verbose_name=_("also about"), blank=True, related_name="+"
    )
    tag_names = models.JSONField(_("also about (as triaged)"), default=list, blank=True)
    risk_level = models.CharField(_("risk"), max_length=20, choices=RiskLevel.choices)
    risk_reason = models.TextField(_("why this level of risk"))
    actions_needed = models.TextField(_("actions already needed"), blank=True)
    triaged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        ordering = ["triaged_at", "pk"]

    def __str__(self):
        return f"{self.concern} triage ({self.get_risk_level_display()})"


class DecisionOutcome(models.TextChoices):
    """The structured decision. Referrals are chosen per agency (Referral rows)."""

    NFA = "nfa", _("No further action")
    MONITOR = "monitor", _("Monitor in school")
    INTERNAL_SUPPORT = "internal_support", _("Support in school")
    EARLY_HELP = "early_help", _("Early help")
    REFERRAL = "referral", _("Refer to other agencies")


class Decision(models.Model):
    """What the DSL decided and why. No decision, 'no further action' included, is
    saved without a substantive rationale (records.validators)."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="decisions"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    outcome = models.CharField(
        _("decision"), max_length=30, choices=DecisionOutcome.choices
    )
    rationale = models.TextField(_("rationale"))
    consulted = models.TextField(
        _("who was consulted"),
        blank=True,
        help_text=_("People and agencies you spoke to before deciding."),
    )
    review_on = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_(
            "Carried to the closure: the concern reopens for review on this date."
        ),
    )
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.concern}: {self.get_outcome_display()}"

    def clean(self):
        from .validators import validate_rationale

        try:
            validate_rationale(self.rationale)
        except ValidationError as error:
            raise ValidationError({"rationale": error.messages}) from error


class Referral(models.Model):
    """A referral to one agency, followed until the agency's response and — when the
    agency takes no action — their reason ("ascertain the rationale of others")."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        PORTAL = "portal", _("Online referral form / portal")
        EMAIL = "email", _("Secure email")
        MEETING = "meeting", _("In person / meeting")
        LETTER = "letter", _("Letter")

    class AgencyOutcome(models.TextChoices):
        ASSESSMENT = "assessment", _("Accepted: assessment or investigation")
        STRATEGY = "strategy", _("Strategy discussion / section 47 enquiry")
        SUPPORT = "support", _("Accepted: support or service offered")
        STEP_DOWN = "step_down", _("Stepped down to early help / school")
        ADVICE = "advice", _("Advice given / signposted")
        NFA = "nfa", _("No further action by the agency")

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="referrals"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="referrals"
    )
    agency = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_name = models.CharField(_("agency (as recorded)"), max_length=255)
    response_due = models.DateField(_("response due"))
    contacted_on = models.DateField(_("referral made on"), null=True, blank=True)
    method = models.CharField(
        _("how"), max_length=20, choices=Method.choices, blank=True
    )
    contact_name = models.CharField(_("spoke to / sent to"), max_length=200, blank=True)
    reference = models.CharField(_("agency reference"), max_length=100, blank=True)
    responded_on = models.DateField(_("response received on"), null=True, blank=True)
    agency_outcome = models.CharField(
        _("agency's outcome"), max_length=20, choices=AgencyOutcome.choices, blank=True
    )
    response = models.TextField(_("what the agency said"), blank=True)
    agency_rationale = models.TextField(_("the agency's reason"), blank=True)
    disagreement = models.TextField(
        _("where the school disagrees, and what it did"),
        blank=True,
        help_text=_("Escalation under the local resolution procedure, if used."),
    )
    completed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.concern} → {self.agency_name}"

    @property
    def is_complete(self):
        return self.completed_at is not None


class Action(models.Model):
    """Something a named person must do by a date ("pastoral check-in Friday"), or a
    chase raised when an agency has not replied."""

    class Kind(models.TextChoices):
        ACTION = "action", _("Action")
        CHASE = "chase", _("Chase an agency")

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTION
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        related_name="chases",
        null=True,
        blank=True,
    )
    description = models.CharField(_("what needs doing"), max_length=300)
    assigned_to = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="actions_assigned",
    )
    due_on = models.DateField(_("by"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_note = models.TextField(_("what was done"), blank=True)
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one action."),
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description


class Closure(models.Model):
    """The end of a cycle of work: what happened and why it can close. A review date
    reopens the concern as a new cycle; closed concerns stay in the chronology."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="closures"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    outcome_summary = models.TextField(_("outcome"))
    rationale = models.TextField(_("why it can close"))
    review_on = models.DateField(
        _("review on"),
        null=True,
        blank=True,
        help_text=_("The concern reopens for a new decision on this date."),
    )
    needs_sign_off = models.BooleanField(_("second DSL to sign off"), default=False)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    signed_off_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_off_note = models.TextField(_("sign-off note"), blank=True)
    sent_back_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sent_back_at = models.DateTimeField(
        _("sent back at"),
        null=True,
        blank=True,
        help_text=_("The second DSL did not agree it could close: why is the note."),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("why it was reopened"), blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["closed_at", "pk"]

    def __str__(self):
        return f"{self.concern} closed"

    def clean(self):
        from .validators import validate_rationale

        try:
            validate_rationale(self.rationale)
        except ValidationError as error:
            raise ValidationError({"rationale": error.messages}) from error


# The child's file beyond concerns: who is around the child, what is known about
# them, what the DSL adds, corrections, and the checks on the file's quality.


class PupilFlag(models.Model):
    """A profile flag with its dates (CIN, CP plan, looked-after…): the front sheet
    shows the current ones and the file keeps the history."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="flags")
    flag = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("flag"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    flag_name = models.CharField(_("flag (as recorded)"), max_length=255)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )

    class Meta:
        verbose_name = _("profile flag")
        verbose_name_plural = _("profile flags")
        ordering = ["-starts_on", "pk"]

    def __str__(self):
        return f"{self.pupil}: {self.flag_name}"

    def clean(self):
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end is before the start.")})

    @property
    def is_current(self):
        from django.utils import timezone

        return self.ends_on is None or self.ends_on >= timezone.localdate()


class KeyPerson(models.Model):
    """A professional around the child: social worker, lead professional…"""

    class Role(models.TextChoices):
        SOCIAL_WORKER = "social_worker", _("Social worker")
        LEAD_PROFESSIONAL = "lead_professional", _("Lead professional")
        EARLY_HELP = "early_help", _("Early help worker")
        VIRTUAL_SCHOOL = "virtual_school", _("Virtual school contact")
        HEALTH = "health", _("Health professional")
        POLICE = "police", _("Police contact")
        OTHER = "other", _("Other")

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="key_people"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    from_date = models.DateField(_("from"), null=True, blank=True)
    to_date = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key people")
        ordering = ["role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class PupilLink(models.Model):
    """Two children's files one click apart (siblings, same household). Each file
    stays separate and separately permissioned: a link is never a family file."""

    class Kind(models.TextChoices):
        SIBLING = "sibling", _("Sibling")
        HOUSEHOLD = "household", _("Same household")
        OTHER = "other", _("Other link")

    from_pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="links_from"
    )
    to_pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="links_to"
    )
    kind = models.CharField(_("link"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("link between files")
        verbose_name_plural = _("links between files")
        constraints = [
            models.UniqueConstraint(
                fields=["from_pupil", "to_pupil"], name="unique_pupil_link"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_pupil=models.F("to_pupil")),
                name="pupil_link_not_to_itself",
            ),
        ]

    def __str__(self):
        return f"{self.from_pupil} — {self.to_pupil} ({self.get_kind_display()})"


class FileNote(models.Model):
    """Something the DSL adds to the file so nothing is held elsewhere: a discussion
    or meeting note, a logged phone call or email, supervision notes, a document."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        MEETING = "meeting", _("Meeting notes")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        SUPERVISION = "supervision", _("Supervision notes")
        DOCUMENT = "document", _("Document")
        OTHER = "other", _("Other")

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="notes")
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("about concern"),
        on_delete=models.PROTECT,
        related_name="notes",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("when"))
    body = models.TextField(_("what was said, decided or received"))
    people = models.CharField(_("who was involved"), max_length=300, blank=True)
    child_voice = models.TextField(_("the child's voice"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )

    class Meta:
        verbose_name = _("file note")
        verbose_name_plural = _("file notes")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-occurred_at"])]

    def __str__(self):
        return self.title


def note_attachment_path(instance, filename):
    return f"files/{instance.note.pupil.school_id}/{instance.note.pupil_id}/{filename}"


class NoteAttachment(StoredDocument):
    """A document on a file note (minutes, an email saved as PDF)."""

    note = models.ForeignKey(
        FileNote, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=note_attachment_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class Addendum(models.Model):
    """A correction or late information added to a record, which is never edited:
    shown in place, with who, when and why."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="addenda")
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    reason = models.CharField(_("why this is added"), max_length=300)
    text = models.TextField(_("addendum"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"Addendum to {self.target_type.model} {self.target_id}"


class SignificantMark(models.Model):
    """A chronology entry the DSL marks as significant for this child."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="significant_marks"
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    marked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("significant event")
        verbose_name_plural = _("significant events")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "target_type", "target_id"],
                name="unique_significant_mark",
            )
        ]

    def __str__(self):
        return f"Significant: {self.target_type.model} {self.target_id}"


# File audits: a manager or DSL reviews sampled files against a checklist and records
# findings and actions. The questions are copied onto each audit with its answers, so
# rewording a question later never changes how an old audit reads.

FILE_AUDIT_CHECKLIST = [
    ("whole_story", _("Does the file tell the whole story?")),
    ("child_voice", _("Is the child's voice recorded?")),
    ("rationale", _("Does every decision have its rationale?")),
    ("outcomes", _("Are outcomes (ours and other agencies') recorded?")),
    ("up_to_date", _("Is it up to date (no overdue review or action)?")),
]


class FileAuditSample(models.Model):
    """A random draw of files with at least one concern, audited together."""

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="file_audit_samples",
    )
    size = models.PositiveSmallIntegerField(_("files asked for"))
    drawn_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file audit sample")
        verbose_name_plural = _("file audit samples")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self):
        return f"{self.school}: sample of {self.size}"


class FileAudit(models.Model):
    """One file reviewed against the checklist. Answers are saved as the auditor
    goes; once completed, the audit is not changed (actions follow it up)."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    pupil = models.ForeignKey(
        Pupil, verbose_name=_("file"), on_delete=models.PROTECT, related_name="audits"
    )
    sample = models.ForeignKey(
        FileAuditSample,
        verbose_name=_("sample"),
        on_delete=models.PROTECT,
        related_name="audits",
        null=True,
        blank=True,
    )
    auditor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="file_audits",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    answers = models.JSONField(
        _("checklist"),
        default=list,
        blank=True,
        help_text=_("Each question as it was asked, with the answer and a comment."),
    )
    finding = models.TextField(_("overall finding"), blank=True)

    class Meta:
        verbose_name = _("file audit")
        verbose_name_plural = _("file audits")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(completed_at__isnull=True),
                name="one_open_audit_per_file",
            )
        ]

    def __str__(self):
        return f"Audit of {self.pupil} ({timezone.localtime(self.started_at):%d %b %Y})"

    @property
    def is_complete(self):
        return self.completed_at is not None

    def answer_for(self, key):
        return next((item for item in self.answers if item.get("key") == key), {})

    def clean(self):
        """A completed audit answers every question, explains every answer short
        of "yes", and states its finding."""
        allowed = set(self.Answer.values)
        problems = []
        for item in self.answers:
            question = {"question": item.get("question") or item.get("key")}
            answer = item.get("answer")
            if answer and answer not in allowed:
                problems.append(
                    _("“%(question)s”: choose yes, partly or no.") % question
                )
            elif (
                answer in (self.Answer.NO, self.Answer.PARTLY)
                and not (item.get("comment") or "").strip()
            ):
                problems.append(_("“%(question)s”: say what is missing.") % question)
        errors = {}
        if self.completed_at is not None:
            answered = {item.get("key") for item in self.answers if item.get("answer")}
            problems += [
                _("“%(question)s”: answer this question.") % {"question": question}
                for key, question in FILE_AUDIT_CHECKLIST
                if key not in answered
            ]
            if not self.finding.strip():
                errors["finding"] = _("Write the overall finding.")
        if problems:
            errors["answers"] = problems
        if errors:
            raise ValidationError(errors)


class FileAuditAction(models.Model):
    """Something the audit asks a named person at the school to do by a date. Not a
    workflow task: it shows in the person's "My audit actions" and on the audit."""

    audit = models.ForeignKey(
        FileAudit, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.CharField(_("what needs doing"), max_length=300)
    assigned_to = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="file_audit_actions",
    )
    due_on = models.DateField(_("by"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("file audit action")
        verbose_name_plural = _("file audit actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["assigned_to", "done_at", "due_on"])]

    def __str__(self):
        return self.description

    @property
    def is_done(self):
        return self.done_at is not None


# Case handover: a child protection file leaving the school or arriving at it. The
# process is in workflows.transfers; the bundle format in records.transfer_format.


class Transfer(models.Model):
    """One file moving between schools, out (we send) or in (we receive).

    Out: the DSL records where the child is going and when they start there; the
    file must reach the new school within five school days of that date. A bundle
    (PDF + JSON, hashed, in an AES-encrypted archive) goes by a one-time link or by a
    recorded alternative; the receiving DSL's receipt is kept with the bundle's
    manifest hash, and the handover conversation is recorded or its absence
    explained. In: a bundle (or a paper/PDF file) is checked, imported into the
    child's chronology as "from previous school", and gaps are recorded.
    """

    class Direction(models.TextChoices):
        OUT = "out", _("Transfer out")
        IN = "in", _("Transfer in")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        SENT = "sent", _("Sent, waiting for receipt")
        RECEIVED = "received", _("Receipt recorded")
        EXPECTED = "expected", _("File expected")
        IMPORTED = "imported", _("File received and checked")
        COMPLETE = "complete", _("Complete")
        NOT_EXPECTED = "not_expected", _("No file expected")

    class Delivery(models.TextChoices):
        LINK = "link", _("One-time download link")
        SECURE_EMAIL = "secure_email", _("Secure email")
        COURIER = "courier", _("Courier or recorded post")
        HAND = "hand", _("Hand delivery")

    class ReceiptVia(models.TextChoices):
        LINK = "link", _("Confirmed through the link")
        RECORDED = "recorded", _("Recorded by the sending DSL (paper or email)")
        CHRONICLE = "chronicle", _("Imported by the receiving school in Chronicle")

    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="transfers")
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="transfers"
    )
    other_school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school in this Chronicle"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    other_school_name = models.CharField(_("school"), max_length=200, blank=True)
    other_contact = models.CharField(
        _("DSL there (name and email or phone)"), max_length=300, blank=True
    )
    starts_on = models.DateField(
        _("starts there on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the child starts at the new school, or the first day of the "
            "next term if that is not known."
        ),
    )
    deadline = models.DateField(_("due by"), null=True, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )
    # What goes: the kinds of chronology entry; empty means the whole file.
    kinds = models.JSONField(_("what goes"), default=list, blank=True)
    manifest_hash = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    bundle_built_at = models.DateTimeField(_("bundle built at"), null=True, blank=True)
    # Delivery.
    delivery = models.CharField(
        _("sent by"), max_length=20, choices=Delivery.choices, blank=True
    )
    delivery_note = models.TextField(_("how it was sent"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    link_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    link_used_at = models.DateTimeField(_("link used at"), null=True, blank=True)
    # Receipt.
    receipt_via = models.CharField(
        _("receipt"), max_length=20, choices=ReceiptVia.choices, blank=True
    )
    received_by_name = models.CharField(_("received by"), max_length=200, blank=True)
    received_by_role = models.CharField(_("their role"), max_length=200, blank=True)
    received_school_name = models.CharField(
        _("receiving school"), max_length=200, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    receipt_manifest_hash = models.CharField(
        _("manifest SHA-256 receipted"), max_length=64, blank=True
    )
    receipt_evidence = models.TextField(_("evidence of receipt"), blank=True)
    receipt_recorded_at = models.DateTimeField(null=True, blank=True)
    # The handover conversation.
    conversation_with = models.CharField(_("spoke to"), max_length=300, blank=True)
    conversation_on = models.DateField(_("on"), null=True, blank=True)
    conversation_summary = models.TextField(_("what was shared"), blank=True)
    conversation_not_needed = models.TextField(
        _("why no conversation was needed"), blank=True
    )
    conversation_recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Transfer in.
    source = models.ForeignKey(
        "self",
        verbose_name=_("sent as"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sender = models.JSONField(_("sender"), default=dict, blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    gaps = models.TextField(_("what is missing"), blank=True)
    not_expected_reason = models.TextField(_("why no file is expected"), blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["school", "direction", "status"])]
        constraints = [
            # A bundle (by its manifest hash) comes into a school once: a second
            # import would double every entry, document and key person.
            models.UniqueConstraint(
                fields=["school", "manifest_hash"],
                condition=models.Q(direction="in") & ~models.Q(manifest_hash=""),
                name="transfer_in_bundle_once_per_school",
            )
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"T{self.pk:06d}" if self.pk else "T—"

    @property
    def has_receipt(self):
        return bool(self.receipt_via)

    @property
    def conversation_done(self):
        return bool(self.conversation_summary or self.conversation_not_needed)


def transfer_document_path(instance, filename):
    return f"transfers/{instance.transfer.school_id}/{instance.transfer_id}/{filename}"


class TransferDocument(StoredDocument):
    """A file of a transfer: the encrypted bundle we send, evidence of receipt, or a
    file (PDF, scan, attachment) that came from the previous school."""

    class Purpose(models.TextChoices):
        BUNDLE = "bundle", _("Transfer bundle (encrypted)")
        EVIDENCE = "evidence", _("Evidence of receipt")
        RECEIVED = "received", _("From the previous school")

    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="documents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=transfer_document_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("transfer document")
        verbose_name_plural = _("transfer documents")


class PreviousSchoolEntry(models.Model):
    """One entry of the chronology a child's previous school sent, kept as they
    wrote it: shown in the child's chronology marked "from previous school"."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="previous_entries"
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="entries"
    )
    occurred_at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=30)
    kind_label = models.CharField(_("kind (as sent)"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("as recorded"))
    by = models.CharField(_("recorded by"), max_length=200, blank=True)
    school_name = models.CharField(_("school"), max_length=200)

    class Meta:
        verbose_name = _("entry from a previous school")
        verbose_name_plural = _("entries from previous schools")
        ordering = ["occurred_at", "pk"]

    def __str__(self):
        return self.title


class LegalHold(models.Model):
    """A reason the file must not be destroyed (an inquiry, litigation, a police
    investigation): while one is in place, the retention review cannot destroy it."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="holds")
    reason = models.TextField(_("why the file must be kept"))
    placed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
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
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]

    def __str__(self):
        return self.reason[:60]


class DestructionCertificate(models.Model):
    """What is left of a destroyed file: what it was (initials, UPN, year of birth,
    how many records), when, who and why. Nothing else can delete a file."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    upn = models.CharField(_("UPN"), max_length=13)
    initials = models.CharField(_("initials"), max_length=10)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    records = models.JSONField(_("records destroyed"), default=dict)
    reason = models.TextField(_("why"))
    destroyed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("destruction certificate")
        verbose_name_plural = _("destruction certificates")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self):
        destroyed = timezone.localtime(self.destroyed_at)
        return f"{self.initials} {self.upn} ({destroyed:%d %b %Y})"


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
    tells the school's DSLs, is logged, and ends by itself."""

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
