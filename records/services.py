"""Writes to children's records. Keyword-only, validated, atomic."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import School, User
from chronicle.idempotency import create_once
from taxonomy.models import Term, Vocabulary

from .body_map.services import ONE_BODY, body_map_pupil
from .models import (
    Addendum,
    Concern,
    ConcernAttachment,
    ConcernPupil,
    FileNote,
    InvolvementRole,
    KeyPerson,
    NoteAttachment,
    Pupil,
    PupilFlag,
    PupilLink,
    SignificantMark,
    StoredDocument,
)
from .selectors import concerns_workable_by, pupils_workable_by
from .signals import pupil_joined
from .uploads import check_scanned, check_upload, display_name, sha256_of, stored_name

D = TypeVar("D", bound=StoredDocument)


@transaction.atomic
def pupil_upsert(*, school: School, upn: str, **fields: Any) -> tuple[Pupil, bool]:
    """Create the pupil, or update the one with this UPN at this school (re-imports
    update, never duplicate). Returns (pupil, created)."""
    pupil = Pupil.objects.filter(school=school, upn=upn).first()
    created = pupil is None
    if pupil is None:
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
    role: InvolvementRole | str


def _snapshot_name(term: Term) -> str:
    return str(term)


def concern_submit(
    *,
    school: School,
    recorded_by: User,
    submission_key: UUID,
    involvements: Sequence[Involvement],
    primary_category: Term,
    location: Term,
    attachments: Iterable[UploadedFile] = (),
    tags: Sequence[Term] = (),
    reported_by_name: str = "",
    **fields: Any,
) -> tuple[Concern, bool]:
    """Save a reported concern with its children and files, or return the one
    already saved under this submission key (a double click or a retry).
    Returns (concern, created).

    All or nothing: if anything fails, no row is left and no file stays stored."""

    def refuse_someone_elses(existing: Concern) -> None:
        if existing.recorded_by_id != recorded_by.pk:
            raise ValidationError(_("This form was already submitted by someone else."))

    with files_removed_on_failure() as stored:
        concern, created = create_once(
            Concern,
            submission_key,
            lambda: _concern_store(
                school=school,
                recorded_by=recorded_by,
                submission_key=submission_key,
                involvements=involvements,
                primary_category=primary_category,
                location=location,
                attachments=attachments,
                stored=stored,
                tags=tags,
                reported_by_name=reported_by_name,
                **fields,
            ),
            check=refuse_someone_elses,
        )
    if not created:
        # A simultaneous repeat saved first: the files this attempt wrote went with
        # its rolled-back rows.
        documents_delete(stored)
    return concern, created


def documents_delete(stored_files: Iterable[FieldFile]) -> None:
    for stored_file in stored_files:
        stored_file.storage.delete(cast(str, stored_file.name))


@contextmanager
def files_removed_on_failure() -> Iterator[list[FieldFile]]:
    """Collects the files written inside the block (append each FieldFile to the
    list it yields) and removes them if the block fails: a rolled-back record
    leaves no copy of a child's document in storage."""
    stored: list[FieldFile] = []
    try:
        yield stored
    except BaseException:
        documents_delete(stored)
        raise


@transaction.atomic
def _concern_store(
    *,
    school: School,
    recorded_by: User,
    submission_key: UUID,
    involvements: Sequence[Involvement],
    primary_category: Term,
    location: Term,
    attachments: Iterable[UploadedFile],
    stored: list[FieldFile],
    tags: Sequence[Term],
    reported_by_name: str,
    **fields: Any,
) -> Concern:
    """Term names are copied onto the record, so later renames don't rewrite it."""
    _check_involvements(school, involvements, route=fields.get("route", ""))
    _check_terms(school, [primary_category, location, *tags])
    if fields.get("body_map"):
        fields["body_map_pupil"] = body_map_pupil(
            [(i.pupil, i.role) for i in involvements]
        )
        if fields["body_map_pupil"] is None:
            raise ValidationError({"body_map": ONE_BODY})
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
        document_store(ConcernAttachment(concern=concern), upload, recorded_by, stored)
    # Its process is started by the caller, workflows.services.concern_open, in the
    # same transaction: call that, not this, to open a concern.
    return concern


def _check_terms(school: School, terms: Iterable[Term]) -> None:
    if any(term.school_id not in (None, school.pk) for term in terms):
        raise ValidationError(
            _("A category or place from another school's list was chosen.")
        )


def document_store(
    document: D, upload: UploadedFile, user: User, stored: list[FieldFile]
) -> D:
    """Check and keep an uploaded file for a StoredDocument; `stored` collects what
    was written, so a failure later in the transaction can remove it."""
    content_type = check_upload(upload, user=user)
    document.scan_status = check_scanned(upload, user=user)
    document.original_name = display_name(upload)
    document.content_type = content_type
    document.size = cast(int, upload.size)  # an upload always knows its size
    document.sha256 = sha256_of(upload)
    document.uploaded_by = user
    document.file.save(stored_name(content_type), upload, save=False)
    stored.append(document.file)
    document.save()
    return document


def _check_involvements(
    school: School, involvements: Sequence[Involvement], *, route: str = ""
) -> None:
    """A concern about a child names at least one; a concern about an adult (to
    the case manager) need not involve a child (KCSIE Part 4: any behaviour that
    may make the adult unsuitable to work with children)."""
    if not involvements and route != Concern.Route.HEAD:
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

F = TypeVar("F", FileNote, Addendum, KeyPerson, PupilFlag)


def _on_file(
    model: type[F], submission_key: UUID | None, pupil: Pupil, make: Callable[[], F]
) -> F:
    """One form, one record (chronicle.idempotency), and a key once used on one
    child's file is not used for another's."""

    def refuse_another_file(existing: F) -> None:
        if existing.pupil_id != pupil.pk:
            raise ValidationError(_("This form was already used for another file."))

    record, _created = create_once(
        model, submission_key, make, check=refuse_another_file
    )
    return record


def _check_case_worker(user: User, pupil: Pupil) -> None:
    if not pupils_workable_by(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied


def file_note_add(
    *, pupil: Pupil, user: User, submission_key: UUID | None = None, **fields: Any
) -> FileNote:
    """A discussion, meeting, logged call or email, supervision note or document,
    with any files. All or nothing: a failed file leaves no note and no file."""
    return _on_file(
        FileNote,
        submission_key,
        pupil,
        lambda: _file_note_add(
            pupil=pupil, user=user, submission_key=submission_key, **fields
        ),
    )


@transaction.atomic
def _file_note_add(
    *,
    pupil: Pupil,
    user: User,
    attachments: Iterable[UploadedFile] = (),
    concern: Concern | None = None,
    **fields: Any,
) -> FileNote:
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


def addendum_add(
    *,
    pupil: Pupil,
    user: User,
    target: models.Model,
    reason: str,
    text: str,
    submission_key: UUID | None = None,
) -> Addendum:
    """A correction or late information, shown with the record it is about."""
    return _on_file(
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
def _addendum_add(
    *,
    pupil: Pupil,
    user: User,
    target: models.Model,
    reason: str,
    text: str,
    submission_key: UUID | None,
) -> Addendum:
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
def significant_set(
    *, pupil: Pupil, user: User, target: models.Model, significant: bool
) -> None:
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
def pupil_link_add(
    *,
    pupil: Pupil,
    user: User,
    other: Pupil,
    kind: PupilLink.Kind | str,
    note: str = "",
) -> PupilLink:
    """Link two files of the same school. Both must be files the user may open."""
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


def key_person_add(
    *, pupil: Pupil, user: User, submission_key: UUID | None = None, **fields: Any
) -> KeyPerson:
    def make() -> KeyPerson:
        _check_case_worker(user, pupil)
        person = KeyPerson(
            pupil=pupil, recorded_by=user, submission_key=submission_key, **fields
        )
        person.full_clean()
        person.save()
        return person

    return _on_file(KeyPerson, submission_key, pupil, make)


def pupil_flag_add(
    *, pupil: Pupil, user: User, submission_key: UUID | None = None, **fields: Any
) -> PupilFlag:
    return _on_file(
        PupilFlag,
        submission_key,
        pupil,
        lambda: _pupil_flag_add(
            pupil=pupil, user=user, submission_key=submission_key, **fields
        ),
    )


@transaction.atomic
def _pupil_flag_add(
    *,
    pupil: Pupil,
    user: User,
    flag: Term,
    starts_on: date,
    ends_on: date | None = None,
    note: str = "",
    submission_key: UUID | None = None,
) -> PupilFlag:
    _check_case_worker(user, pupil)
    if flag.vocabulary != Vocabulary.PROFILE_FLAG or flag.school_id not in (
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
def pupil_flag_end(*, flag: PupilFlag, user: User, ends_on: date) -> PupilFlag:
    """A plan or status ended: the flag keeps its history with an end date."""
    _check_case_worker(user, flag.pupil)
    flag = PupilFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.ends_on is not None:
        raise ValidationError(_("This flag has already ended: its history stays."))
    flag.ends_on = ends_on
    flag.full_clean()
    flag.save(update_fields=["ends_on"])
    return flag


@transaction.atomic
def key_person_end(*, person: KeyPerson, user: User, to_date: date) -> KeyPerson:
    """Someone is no longer the child's social worker (or lead professional…): they
    leave the front sheet and stay in the file's history."""
    _check_case_worker(user, person.pupil)
    person = KeyPerson.objects.select_for_update().get(pk=person.pk)
    if person.to_date is not None:
        raise ValidationError(_("This person's role has already ended."))
    if person.from_date and to_date < person.from_date:
        raise ValidationError(_("The end is before the start."))
    person.to_date = to_date
    person.full_clean()
    person.save(update_fields=["to_date"])
    return person
