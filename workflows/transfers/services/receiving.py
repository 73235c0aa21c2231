"""Writes for a file coming to the school: ask whether one is expected, keep the
documents that came another way, and close the check with its checklist."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, School, User
from records.models import FileNote, Pupil, Transfer, TransferDocument

from ...models import CaseProcess, CaseTask
from ..flows import CHECKLIST, TransferInFlow
from .common import complete, documents_keep, run_in_step


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
    *, task: CaseTask, user: User, uploads: Iterable[UploadedFile]
) -> Transfer:
    """A PDF or scanned paper file from the previous school, kept on the transfer."""

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        documents_keep(transfer, uploads, TransferDocument.Purpose.RECEIVED, user)
        if transfer.status == Transfer.Status.EXPECTED:
            transfer.status = Transfer.Status.IMPORTED
            transfer.imported_at = timezone.now()
            transfer.save(update_fields=["status", "imported_at"])
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
