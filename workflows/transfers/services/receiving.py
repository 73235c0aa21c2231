"""Writes for a file coming to the school: ask whether one is expected, keep the
documents that came another way, and close the check with its checklist."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, School, User
from records.models import (
    FileNote,
    PreviousSchoolEntry,
    Pupil,
    Transfer,
    TransferDocument,
)
from records.uploads import display_name

from ...models import CaseProcess, CaseTask
from ..flows import CHECKLIST, TransferInFlow
from .common import access_record, complete, documents_keep, run_in_step


def transfer_in_start(*, pupil: Pupil, user: User | None = None) -> Transfer:
    """Ask the DSL team whether a file should follow this child."""
    if Transfer.objects.filter(
        pupil=pupil,
        direction=Transfer.Direction.IN,
        status__in=[Transfer.Status.EXPECTED, Transfer.Status.IMPORTED],
        completed_at__isnull=True,
    ).exists():
        raise ValidationError(_("A file is already expected for this child."))
    transfer = Transfer(
        direction=Transfer.Direction.IN,
        status=Transfer.Status.EXPECTED,
        pupil=pupil,
        school=pupil.school,
        started_by=user or _system_user(pupil.school),
    )
    transfer.save()
    TransferInFlow.start.run(transfer=transfer)
    return transfer


def _system_user(school: School) -> User:
    """A new pupil from an import has no one who asked: the school's first DSL is
    recorded as starting it (the import itself is in the audit log)."""
    user = (
        User.objects.filter(memberships__school=school, memberships__role=Role.DSL)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise ValidationError(_("The school has no DSL to ask about the file."))
    return user


def expected_answer(
    *,
    task: CaseTask,
    user: User,
    expected: bool,
    other_school_name: str = "",
    other_contact: str = "",
    reason: str = "",
) -> Transfer:
    """Whether a file should follow the child, and from which school; if not, why."""

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if expected:
            if not other_school_name.strip():
                raise ValidationError(
                    {"other_school_name": _("Which school should send it?")}
                )
            transfer.other_school_name = other_school_name
            transfer.other_contact = other_contact
            transfer.status = Transfer.Status.EXPECTED
        else:
            if not reason.strip():
                raise ValidationError({"reason": _("Say why no file is expected.")})
            transfer.not_expected_reason = reason
            transfer.status = Transfer.Status.NOT_EXPECTED
            transfer.completed_at = timezone.now()
        transfer.save()
        return transfer

    return complete(task, user, write)


def documents_add(
    *,
    task: CaseTask,
    user: User,
    uploads: Iterable[UploadedFile],
    sender_school: str,
    sender_name: str,
    received_on: date,
    summary: str,
    sent_on: date | None = None,
) -> Transfer:
    """A file from a school without Chronicle (a PDF, scans, another system's
    documents): each document checked as an attachment is and kept on the
    transfer; the file entered in the child's chronology as an entry from that
    school, with the DSL's summary; who sent it and when it arrived recorded."""
    uploads = list(uploads)
    problems = {}
    if not uploads:
        problems["documents"] = _("Choose the file the previous school sent.")
    if not sender_school.strip():
        problems["sender_school"] = _("Which school sent it?")
    if not sender_name.strip():
        problems["sender_name"] = _("Who sent it?")
    if not summary.strip():
        problems["summary"] = _("Summarise what the file says.")
    if received_on > timezone.localdate():
        problems["received_on"] = _("This date is in the future.")
    if sent_on is not None and sent_on > received_on:
        problems["sent_on"] = _("It can't have been sent after it was received.")
    if problems:
        raise ValidationError(problems)

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if transfer.status != Transfer.Status.EXPECTED:
            raise ValidationError(_("A file has already been received here."))
        documents_keep(transfer, uploads, TransferDocument.Purpose.RECEIVED, user)
        names = ", ".join(display_name(upload) for upload in uploads)
        sent = (
            _("sent on %(date)s") % {"date": date_format(sent_on, "j F Y")}
            if sent_on
            else _("date sent not known")
        )
        entry = PreviousSchoolEntry(
            pupil=transfer.pupil,
            transfer=transfer,
            occurred_at=timezone.make_aware(datetime.combine(received_on, time(12))),
            kind="received_file",
            kind_label=_("File from the previous school"),
            title=(
                _("Child protection file received from %(school)s")
                % {"school": sender_school.strip()}
            )[:300],
            text=_(
                "Sent by %(name)s, %(school)s (%(sent)s); received on %(received)s "
                "and summarised by %(dsl)s.\n\n%(summary)s\n\nDocuments kept "
                "with transfer %(reference)s: %(names)s"
            )
            % {
                "name": sender_name.strip(),
                "school": sender_school.strip(),
                "sent": sent,
                "received": date_format(received_on, "j F Y"),
                "dsl": user.get_full_name() or user.username,
                "summary": summary.strip(),
                "reference": transfer.reference,
                "names": names,
            },
            by=sender_name.strip()[:200],
            school_name=sender_school.strip()[:200],
        )
        entry.full_clean()
        entry.save()
        transfer.other_school_name = sender_school.strip()[:200]
        transfer.sender = {
            "school": sender_school.strip(),
            "dsl": sender_name.strip(),
            "sent_on": sent_on.isoformat() if sent_on else "",
            "without_chronicle": True,
        }
        transfer.received_on = received_on
        transfer.received_by_name = (user.get_full_name() or user.username)[:200]
        transfer.received_school_name = transfer.school.name[:200]
        transfer.receipt_recorded_at = timezone.now()
        transfer.status = Transfer.Status.IMPORTED
        transfer.imported_at = timezone.now()
        transfer.save()
        access_record(
            transfer.pupil,
            "file from a school without Chronicle recorded",
            transfer,
            documents=len(uploads),
        )
        return transfer

    return run_in_step(task, user, write)


def transfer_in_complete(
    *,
    task: CaseTask,
    user: User,
    checklist: Mapping[str, bool],
    gaps: str,
    sw_spoke_to: str = "",
    sw_on: date | None = None,
    sw_summary: str = "",
    sw_not_yet: str = "",
) -> Transfer:
    """The file is in and checked: the checklist and any gaps are recorded, and the
    first conversation with the child's social worker is added to the file."""

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if transfer.status != Transfer.Status.IMPORTED:
            raise ValidationError(
                _("Import the bundle or add the file's documents first.")
            )
        missing = [key for key, _label in CHECKLIST if not checklist.get(key)]
        if missing and not gaps.strip():
            raise ValidationError(
                {"gaps": _("Say what is missing and what you are doing about it.")}
            )
        if not sw_summary.strip() and not sw_not_yet.strip():
            raise ValidationError(
                {
                    "sw_summary": _(
                        "Record the first conversation with the social worker, or "
                        "say why there is none yet (no social worker, not reached)."
                    )
                }
            )
        if sw_summary.strip():
            if not (sw_spoke_to.strip() and sw_on):
                raise ValidationError(
                    {"sw_spoke_to": _("Say who you spoke to, and when.")}
                )
            FileNote.objects.create(
                pupil=transfer.pupil,
                kind=FileNote.Kind.PHONE,
                title=_("First conversation with the social worker"),
                occurred_at=timezone.make_aware(datetime.combine(sw_on, time(12))),
                body=sw_summary,
                people=sw_spoke_to,
                recorded_by=user,
            )
        transfer.checklist = {key: bool(checklist.get(key)) for key, _l in CHECKLIST}
        transfer.checklist["social_worker_not_yet"] = sw_not_yet
        transfer.gaps = gaps
        transfer.status = Transfer.Status.COMPLETE
        transfer.completed_at = timezone.now()
        transfer.save()
        return transfer

    return complete(task, user, write)
