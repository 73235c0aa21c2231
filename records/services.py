"""Writes to children's records. Keyword-only, validated, atomic."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Concern, ConcernAttachment, ConcernPupil, Pupil
from .signals import concern_submitted, pupil_joined
from .uploads import check_scanned, check_upload, display_name, sha256_of, stored_name


@transaction.atomic
def pupil_upsert(*, school, upn, **fields):
    """Create the pupil, or update the one with this UPN at this school (re-imports
    update, never duplicate). Returns (pupil, created)."""
    pupil = Pupil.objects.filter(school=school, upn=upn).first()
    created = pupil is None
    if created:
        pupil = Pupil(school=school, upn=upn)
    changed = created
    for name, value in fields.items():
        if getattr(pupil, name) != value:
            setattr(pupil, name, value)
            changed = True
    if changed:
        pupil.full_clean()
        pupil.save()
    if created:
        pupil_joined.send(sender=Pupil, pupil=pupil, user=None)
    return pupil, created


@dataclass(frozen=True)
class Involvement:
    pupil: Pupil
    role: str


def _snapshot_name(term):
    return str(term)


def concern_submit(*, attachments=(), **kwargs):
    """Save a reported concern with its children and files, or return the one
    already saved under this submission key (a double click or a retry).
    Returns (concern, created).

    All or nothing: if anything fails, no row is left and no file stays stored."""
    stored = []
    try:
        return _concern_submit(attachments=attachments, stored=stored, **kwargs)
    except IntegrityError:
        documents_delete(stored)
        # A simultaneous repeat of the same submission saved first: that's the one.
        existing = Concern.objects.filter(
            submission_key=kwargs["submission_key"],
            recorded_by=kwargs["recorded_by"],
        ).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        documents_delete(stored)
        raise


def documents_delete(stored_files):
    for stored_file in stored_files:
        stored_file.storage.delete(stored_file.name)


@contextmanager
def files_removed_on_failure():
    """Collects the files written inside the block (append each FieldFile to the
    list it yields) and removes them if the block fails: a rolled-back record
    leaves no copy of a child's document in storage."""
    stored = []
    try:
        yield stored
    except BaseException:
        documents_delete(stored)
        raise


@transaction.atomic
def _concern_submit(
    *,
    school,
    recorded_by,
    submission_key,
    involvements,
    primary_category,
    location,
    attachments,
    stored,
    tags=(),
    reported_by_name="",
    **fields,
):
    """Term names are copied onto the record, so later renames don't rewrite it."""
    existing = Concern.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.recorded_by_id != recorded_by.pk:
            raise ValidationError(_("This form was already submitted by someone else."))
        return existing, False
    _check_involvements(school, involvements)
    _check_terms(school, [primary_category, location, *tags])
    concern = Concern(
        school=school,
        recorded_by=recorded_by,
        reported_by=None if reported_by_name else recorded_by,
        reported_by_name=reported_by_name,
        submission_key=submission_key,
        primary_category=primary_category,
        primary_category_name=_snapshot_name(primary_category),
        location=location,
        location_name=_snapshot_name(location),
        tag_names=[_snapshot_name(tag) for tag in tags],
        **fields,
    )
    concern.full_clean()
    concern.save()
    concern.tags.set(tags)
    for involvement in involvements:
        ConcernPupil.objects.create(
            concern=concern, pupil=involvement.pupil, role=involvement.role
        )
    for upload in attachments:
        _attach(concern=concern, upload=upload, user=recorded_by, stored=stored)
    # The workflow starts here, in this transaction: no concern without its process.
    concern_submitted.send(sender=Concern, concern=concern)
    return concern, True


def _check_terms(school, terms):
    if any(term.school_id not in (None, school.pk) for term in terms):
        raise ValidationError(
            _("A category or place from another school's list was chosen.")
        )


def _attach(*, concern, upload, user, stored):
    return document_store(ConcernAttachment(concern=concern), upload, user, stored)


def document_store(document, upload, user, stored):
    """Check and keep an uploaded file for a StoredDocument; `stored` collects what
    was written, so a failure later in the transaction can remove it."""
    content_type = check_upload(upload, user=user)
    document.scan_status = check_scanned(upload, user=user)
    document.original_name = display_name(upload)
    document.content_type = content_type
    document.size = upload.size
    document.sha256 = sha256_of(upload)
    document.uploaded_by = user
    document.file.save(stored_name(content_type), upload, save=False)
    stored.append(document.file)
    document.save()
    return document


def _check_involvements(school, involvements):
    if not involvements:
        raise ValidationError({"pupils": _("Name at least one child.")})
    if any(i.pupil.school_id != school.pk for i in involvements):
        raise ValidationError(
            {
                "pupils": _("Every child must be on the roll of %(school)s.")
                % {"school": school}
            }
        )
    if len({i.pupil.pk for i in involvements}) != len(involvements):
        raise ValidationError({"pupils": _("Each child can be named only once.")})


# Adding to the child's file. Nothing here edits a record after it is saved: later
# information is a new note, a correction is an addendum.


def _once(model, submission_key, pupil, make):
    """Run make() unless a record of this submission already exists (a double click,
    a resent form): one form, one record."""
    if submission_key is not None:
        existing = model.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.pupil_id != pupil.pk:
                raise ValidationError(_("This form was already used for another file."))
            return existing
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        existing = model.objects.filter(submission_key=submission_key).first()
        if submission_key is None or existing is None:
            raise
        return existing


def concerns_workable_by(user):
    """Concerns the user may add to (a break-glass access only reads)."""
    from .selectors import concerns_workable_by as workable

    return workable(user)


def _check_case_worker(user, pupil):
    from .selectors import pupils_workable_by

    if not pupils_workable_by(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied


def file_note_add(*, pupil, user, submission_key=None, **fields):
    """A discussion, meeting, logged call or email, supervision note or document,
    with any files. All or nothing: a failed file leaves no note and no file."""
    from .models import FileNote

    return _once(
        FileNote,
        submission_key,
        pupil,
        lambda: _file_note_add(
            pupil=pupil, user=user, submission_key=submission_key, **fields
        ),
    )


@transaction.atomic
def _file_note_add(*, pupil, user, attachments=(), concern=None, **fields):
    from .models import FileNote, NoteAttachment

    _check_case_worker(user, pupil)
    if concern is not None and not (
        concern.involvements.filter(pupil=pupil).exists()
        and concerns_workable_by(user).filter(pk=concern.pk).exists()
    ):
        raise ValidationError({"concern": _("That concern is not about this child.")})
    note = FileNote(pupil=pupil, concern=concern, recorded_by=user, **fields)
    note.full_clean()
    note.save()
    with files_removed_on_failure() as stored:
        for upload in attachments:
            document_store(NoteAttachment(note=note), upload, user, stored)
    return note


def addendum_add(*, pupil, user, target, reason, text, submission_key=None):
    """A correction or late information, shown with the record it is about."""
    from .models import Addendum

    return _once(
        Addendum,
        submission_key,
        pupil,
        lambda: _addendum_add(
            pupil=pupil,
            user=user,
            target=target,
            reason=reason,
            text=text,
            submission_key=submission_key,
        ),
    )


@transaction.atomic
def _addendum_add(*, pupil, user, target, reason, text, submission_key):
    from django.contrib.contenttypes.models import ContentType

    from .models import Addendum

    _check_case_worker(user, pupil)
    addendum = Addendum(
        submission_key=submission_key,
        pupil=pupil,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
        reason=reason.strip(),
        text=text,
        recorded_by=user,
    )
    addendum.full_clean()
    addendum.save()
    return addendum


@transaction.atomic
def significant_set(*, pupil, user, target, significant):
    from django.contrib.contenttypes.models import ContentType

    from .models import SignificantMark

    _check_case_worker(user, pupil)
    target_type = ContentType.objects.get_for_model(type(target))
    marks = SignificantMark.objects.filter(
        pupil=pupil, target_type=target_type, target_id=target.pk
    )
    if significant and not marks.exists():
        SignificantMark.objects.create(
            pupil=pupil, target_type=target_type, target_id=target.pk, marked_by=user
        )
    elif not significant:
        for mark in marks:
            mark.delete()


@transaction.atomic
def pupil_link_add(*, pupil, user, other, kind, note=""):
    """Link two files of the same school. Both must be files the user may open."""
    from .models import PupilLink

    _check_case_worker(user, pupil)
    _check_case_worker(user, other)
    if other.pk == pupil.pk:
        raise ValidationError({"other": _("A file cannot be linked to itself.")})
    if PupilLink.objects.filter(
        Q(from_pupil=pupil, to_pupil=other) | Q(from_pupil=other, to_pupil=pupil)
    ).exists():
        raise ValidationError({"other": _("These files are already linked.")})
    link = PupilLink(
        from_pupil=pupil, to_pupil=other, kind=kind, note=note, created_by=user
    )
    link.full_clean()
    link.save()
    return link


def key_person_add(*, pupil, user, submission_key=None, **fields):
    from .models import KeyPerson

    def make():
        _check_case_worker(user, pupil)
        person = KeyPerson(
            pupil=pupil, recorded_by=user, submission_key=submission_key, **fields
        )
        person.full_clean()
        person.save()
        return person

    return _once(KeyPerson, submission_key, pupil, make)


def pupil_flag_add(*, pupil, user, submission_key=None, **fields):
    from .models import PupilFlag

    return _once(
        PupilFlag,
        submission_key,
        pupil,
        lambda: _pupil_flag_add(
            pupil=pupil, user=user, submission_key=submission_key, **fields
        ),
    )


@transaction.atomic
def _pupil_flag_add(
    *, pupil, user, flag, starts_on, ends_on=None, note="", submission_key=None
):
    from .models import PupilFlag

    _check_case_worker(user, pupil)
    if flag.vocabulary != "profile_flag" or flag.school_id not in (
        None,
        pupil.school_id,
    ):
        raise ValidationError({"flag": _("Choose one of the school's profile flags.")})
    record = PupilFlag(
        pupil=pupil,
        flag=flag,
        flag_name=str(flag),
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        recorded_by=user,
        submission_key=submission_key,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def pupil_flag_end(*, flag, user, ends_on):
    """A plan or status ended: the flag keeps its history with an end date."""
    _check_case_worker(user, flag.pupil)
    flag = type(flag).objects.select_for_update().get(pk=flag.pk)
    if flag.ends_on is not None:
        raise ValidationError(_("This flag has already ended: its history stays."))
    flag.ends_on = ends_on
    flag.full_clean()
    flag.save(update_fields=["ends_on"])
    return flag


@transaction.atomic
def key_person_end(*, person, user, to_date):
    """Someone is no longer the child's social worker (or lead professional…): they
    leave the front sheet and stay in the file's history."""
    _check_case_worker(user, person.pupil)
    person = type(person).objects.select_for_update().get(pk=person.pk)
    if person.to_date is not None:
        raise ValidationError(_("This person's role has already ended."))
    if person.from_date and to_date < person.from_date:
        raise ValidationError(_("The end is before the start."))
    person.to_date = to_date
    person.full_clean()
    person.save(update_fields=["to_date"])
    return person
