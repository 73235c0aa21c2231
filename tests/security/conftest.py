"""One school's worth of records, built once per module, and a signed-in client per
role.

The permission matrix and the bad-input tests make thousands of requests; building
the school for each would take minutes. `world` builds it once inside a transaction
that is rolled back when the module ends; each test still runs in its own savepoint
(the `db` fixture), so what one request writes is gone before the next test.
"""

import datetime
import shutil
import tempfile
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PendingRoleGrant, Role
from accounts.remembered.services import remembered_device_add
from accounts.services import (
    school_closure_day_add,
    school_term_add,
)
from api.models import Scope
from api.roll_sync.services import service_token_create
from api.services import token_create
from api.webhooks.services import endpoint_register
from forms.models import ConcernFormField, ConcernFormPage
from forms.sections.services import form_section_shared
from records import file_audits, restrictions, retention
from records.models import (
    BreakGlassAccess,
    Concern,
    ConcernAttachment,
    DestructionCertificate,
    KeyPerson,
    Transfer,
)
from records.services import (
    pupil_flag_add,
)
from reports.services import report_pin
from taxonomy.models import Term, Vocabulary
from workflows.models import CaseTask, Notification
from workflows.services import notify

from .. import builders
from ..factories import PupilFactory, SchoolFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

# Every role the matrix asks about. "trust_lead" is the head and configurator of
# both schools (as lead.trust in the demo); "other_dsl" is the DSL of the other
# school of the same trust.
ROLES = (
    "anonymous",
    "staff",
    "dsl",
    "deputy",
    "head",
    "configurator",
    "trust_lead",
    "other_dsl",
)


def pdf(name="letter.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def private_storage_settings(location):
    from django.conf import settings

    return {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }


def member(school, *roles, others=()):
    """Someone signing in to the matrix: with an authenticator app."""
    return builders.member(school, *roles, others=others, two_factor=True)


def form_page_publish(
    section, title="General concern (security)", slug="general-security"
):
    page = ConcernFormPage(
        title=title,
        slug=slug,
        form_fields=[
            ConcernFormField(label="Has anyone else been told?", field_type="yesno")
        ],
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


def _weekday_from(day):
    """Closure days are never weekends: the first weekday on or after `day`."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def build_world(storage_root):
    """The school, its people and one of every record a URL can point at."""
    school = SchoolFactory(name="Brook Lane Primary (security)")
    other_school = SchoolFactory(name="Far Hill Academy (security)")
    people = {
        "staff": member(school, Role.STAFF),
        "dsl": member(school, Role.DSL),
        "deputy": member(school, Role.DEPUTY_DSL),
        "head": member(school, Role.HEAD),
        "configurator": member(school, Role.CONFIGURATOR),
        "trust_lead": member(
            school,
            Role.HEAD,
            Role.CONFIGURATOR,
            others=[(other_school, Role.HEAD), (other_school, Role.CONFIGURATOR)],
        ),
        "other_dsl": member(other_school, Role.DSL),
    }
    staff, dsl = people["staff"], people["dsl"]
    page = form_page_publish(form_section_shared(trust=school.trust))
    pupil = PupilFactory(school=school, first_name="Ava", last_name="Matrix")
    concern = builders.concern(by=staff, children=[pupil], attachments=[pdf()])
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN", status="NEW")
    # A concern about an adult (workflows.adults): the head's case.
    adult_case = builders.concern(
        by=staff,
        children=[pupil],
        route=Concern.Route.HEAD,
        about_adult={
            "kind": "allegation",
            "name": "Sam Matrix-Visitor",
            "role": "visitor",
            "reporter_relationship": "Colleague",
        },
    ).adult_case
    note = builders.file_note(
        pupil,
        dsl,
        kind="meeting",
        title="Meeting with mum",
        body="Mum says things are better at home.",
        attachments=[pdf("minutes.pdf")],
    )
    flag = pupil_flag_add(
        pupil=pupil,
        user=dsl,
        flag=Term.objects.filter(vocabulary=Vocabulary.PROFILE_FLAG).first(),
        starts_on=timezone.localdate(),
    )
    person = builders.key_person(
        pupil,
        dsl,
        role=KeyPerson.Role.SOCIAL_WORKER,
        name="Sam Social-Worker",
    )
    audit = file_audits.file_audit_start(pupil=pupil, user=dsl)
    audit_action = file_audits.file_audit_action_add(
        audit=audit,
        user=dsl,
        description="Add the missing rationale.",
        assigned_to=people["deputy"],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    today = timezone.localdate()
    calendar_term = school_term_add(
        school=school,
        name="Security term",
        starts_on=today.replace(year=today.year + 3, month=1, day=5),
        ends_on=today.replace(year=today.year + 3, month=3, day=27),
        user=dsl,
    )
    closure_day = school_closure_day_add(
        school=school,
        date=_weekday_from(datetime.date(today.year + 3, 2, 2)),
        kind="inset",
        user=dsl,
    )
    category = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        school=school,
        name="Brook Lane local category",
        definition="Only at Brook Lane.",
    )
    _token, secret = token_create(
        user=staff, name="Matrix client", scopes=[Scope.SUBMIT, Scope.TASKS]
    )
    spare_token, _spare = token_create(user=staff, name="Spare", scopes=[Scope.SUBMIT])
    service_token, _service = service_token_create(
        school=school, user=dsl, name="MIS roll sync", days=30
    )
    webhook_endpoint = endpoint_register(
        school=school, user=dsl, url="https://hooks.example.test/", secret="s" * 20
    )
    notify(users=[dsl], kind=Notification.Kind.ASSIGNED, message="Matrix", url="/")
    # A child leaving, the file sent by a one-time link (its token for the link
    # page), a legal hold, a destruction certificate, a pinned report.
    leaver = PupilFactory(school=school, first_name="Leo", last_name="Leaving")
    transfer = builders.transfer_out(
        leaver, dsl, starts_on=today, other_school_name="Far View Secondary (security)"
    )
    transfer, _phrase, link_token = builders.transfer_send(transfer, dsl)
    # A file that came in from another Chronicle, with the signed receipt made
    # for it here.
    transfer_in = Transfer.objects.create(
        direction=Transfer.Direction.IN,
        status=Transfer.Status.IMPORTED,
        pupil=pupil,
        school=school,
        started_by=dsl,
        sender={"school": "Far View Secondary (security)", "reference": "T000001"},
        receipt_code="CHRONICLE-RECEIPT-1.e30.AA",
    )
    hold = retention.hold_place(pupil=pupil, user=dsl, reason="Civil claim (matrix).")
    certificate = DestructionCertificate.objects.create(
        school=school,
        upn="A999999999999",
        initials="XY",
        birth_year=2000,
        records={"concerns": 0},
        reason="Matrix certificate.",
        destroyed_by=dsl,
    )
    pin = report_pin(user=dsl, title="Matrix pin", query="grouping=month")
    # A file restricted to the DSL and deputy (so both may lift it), and an
    # access the DSL opened on it (hers to close).
    restricted = PupilFactory(school=school, first_name="Rae", last_name="Restricted")
    restriction = restrictions.restriction_set(
        obj=restricted,
        user=dsl,
        reason="The child is a relative of a member of staff.",
        people=[people["deputy"]],
    )
    break_glass = BreakGlassAccess.objects.create(
        user=dsl,
        school=school,
        pupil=restricted,
        reason="Matrix break-glass access.",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return SimpleNamespace(
        adult_case=adult_case,
        school=school,
        other_school=other_school,
        people=people,
        page=page,
        pupil=pupil,
        concern=concern,
        task=task,
        attachment=ConcernAttachment.objects.get(concern=concern),
        note=note,
        document=note.attachments.get(),
        flag=flag,
        person=person,
        entry=f"concern-{concern.pk}",
        audit=audit,
        audit_action=audit_action,
        calendar_term=calendar_term,
        closure_day=closure_day,
        category=category,
        api_secret=secret,
        spare_token=spare_token,
        service_token=service_token,
        webhook_endpoint=webhook_endpoint,
        # The member of staff's phone, remembered: only they may forget it.
        remembered_device=remembered_device_add(user=staff, user_agent="Phone")[0],
        concern_reference=concern.reference,
        notification=Notification.objects.get(user=dsl, message="Matrix"),
        storage_root=storage_root,
        transfer=transfer,
        transfer_in=transfer_in,
        transfer_document=transfer.documents.get(),
        link_token=link_token,
        hold=hold,
        certificate=certificate,
        pin=pin,
        restriction=restriction,
        break_glass=break_glass,
        report_format="csv",
        # The audit log's history of one record (the child's file) and of a person.
        audit_content_type=ContentType.objects.get_for_model(pupil),
        audit_object_pk=str(pupil.pk),
        audit_person=staff,
        membership=staff.memberships.get(),
        # The DSL proposed the member of staff as head: waiting for a second person.
        pending_grant=PendingRoleGrant.objects.create(
            user=staff, school=school, role=Role.HEAD, proposed_by=dsl
        ),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module, rolled back at its end (see the module docstring)."""
    storage_root = tempfile.mkdtemp(prefix="chronicle-security-")
    storage = override_settings(STORAGES=private_storage_settings(storage_root))
    storage.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world(storage_root)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            storage.disable()
            shutil.rmtree(storage_root, ignore_errors=True)


def signed_in(user):
    """A client past two-factor, as tests/conftest.py's verified_client does."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """role -> a client signed in as that role (anonymous: not signed in)."""
    with django_db_blocker.unblock():
        return {role: signed_in(world.people.get(role)) for role in ROLES}
