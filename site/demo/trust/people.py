"""The trust's people: schools with a calendar, staff in every role, and pupils on
roll with year groups. Every name is invented (syllables, not real people)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Membership, Role, School, SchoolTerm, Trust, User
from accounts.roles import group_for
from demo.management.commands.demo import FORMS
from forms.models import ConcernFormField, ConcernFormPage
from forms.sections.services import form_section_for_school, form_section_shared
from records.models import Pupil, Sex, YearGroup
from workflows.models import CaseworkSettings

from .writer import Table

PASSWORD = "chronicle-trust-bench"  # noqa: S105 (synthetic accounts, never real)
TRUST = "Synthetic Valley Learning Trust (generated)"
FIRST = (
    "Ava Ben Chloe Dev Ella Finn Grace Harry Isla Jay Kai Lily Max Nia Oscar Pip "
    "Rosa Theo Una Zac Amir Bea Cal Dina Eli Fern Gus Hana Ivo Jude Kit Luca Mira "
    "Noor Olu Priya Quinn Remy Sana Tao Uma Vik Wren Xan Yara Zane Ada Bo Cleo Dan"
).split()
SURNAME_START = (
    "Ash Bright Copper Dun Elm Fair Glen Hollow Ivy Juni Kes Lark Moss North Oak "
    "Pine Quill Raven Stone Thorn Umber Vale Willow Yew"
).split()
SURNAME_END = (
    "down water field more worth haven brook well bridge ley ford gate hurst wick "
    "combe by"
).split()
PRIMARY = [YearGroup.RECEPTION, *list(YearGroup)[2:8]]
SECONDARY = list(YearGroup)[8:15]
STAFF_PER_SCHOOL = 20


@dataclass
class SchoolPeople:
    school: School
    primary: bool
    staff: list = field(default_factory=list)  # user ids who report
    team: list = field(default_factory=list)  # DSL and deputies (ids)
    dsl: int = 0
    head: int = 0
    pupils: list = field(default_factory=list)  # pupil ids, the first is "the file"


@dataclass
class Trustwide:
    trust: Trust
    schools: list  # of SchoolPeople
    trust_dsl: int = 0
    trust_lead: int = 0
    sysadmin: int = 0
    usernames: dict = field(default_factory=dict)


def surname(rng):
    return rng.choice(SURNAME_START) + rng.choice(SURNAME_END)


def build_people(*, rng, schools, pupils_per_school, today, tag="", urn_prefix="90"):
    """tag: a prefix for usernames, URNs and the trust's name (a second trust
    generated into the same database with --force)."""
    trust = Trust.objects.create(name=f"{tag}{TRUST}")
    made = []
    for index in range(schools):
        primary = index % 3 != 2
        kind = "Primary School" if primary else "Academy"
        school = School.objects.create(
            trust=trust,
            name=f"{surname(rng)} {kind} (generated)",
            urn=f"{urn_prefix}{index:04d}",
        )
        made.append(SchoolPeople(school=school, primary=primary))
    everyone = Trustwide(trust=trust, schools=made)
    _calendars(made, today)
    _users(rng, everyone, tag)
    _settings(made)
    forms_ensure()
    _pupils(rng, made, pupils_per_school, today)
    return everyone


def _calendars(schools, today):
    """Three terms a year for every school year the data spans, and this one."""
    rows = []
    for sp in schools:
        for year in range(today.year - 5, today.year + 1):
            for name, start, end in (
                (f"Autumn {year}", date(year, 9, 1), date(year, 12, 19)),
                (f"Spring {year + 1}", date(year + 1, 1, 5), date(year + 1, 3, 27)),
                (f"Summer {year + 1}", date(year + 1, 4, 13), date(year + 1, 7, 22)),
            ):
                rows.append(
                    SchoolTerm(
                        school=sp.school, name=name, starts_on=start, ends_on=end
                    )
                )
    SchoolTerm.objects.bulk_create(rows)


def _settings(schools):
    rules = list(CaseworkSettings.SignOff)
    CaseworkSettings.objects.bulk_create(
        CaseworkSettings(school=sp.school, closure_sign_off=rules[i % len(rules)])
        for i, sp in enumerate(schools)
    )


def _users(rng, everyone, tag):
    password = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
    users, grants = [], []

    def user(username, roles):
        username = f"{tag}{username}"
        first, last = rng.choice(FIRST), surname(rng)
        users.append(
            User(
                username=username,
                email=f"{username}@generated.invalid",
                first_name=first,
                last_name=last,
                password=password,
                is_active=True,
            )
        )
        grants.append((username, roles))

    for n, sp in enumerate(everyone.schools, start=1):
        prefix = f"s{n:02d}"
        for i in range(1, STAFF_PER_SCHOOL + 1):
            user(f"{prefix}.staff{i:02d}", [(sp, Role.STAFF)])
        user(f"{prefix}.dsl", [(sp, Role.DSL), (sp, Role.CONFIGURATOR)])
        user(f"{prefix}.deputy1", [(sp, Role.DEPUTY_DSL)])
        user(f"{prefix}.deputy2", [(sp, Role.DEPUTY_DSL)])
        user(f"{prefix}.head", [(sp, Role.HEAD)])
    user("trust.dsl", [(sp, Role.DSL) for sp in everyone.schools])
    user("trust.lead", [(sp, Role.HEAD) for sp in everyone.schools])
    user("trust.admin", [])
    User.objects.bulk_create(users)
    made = User.objects.filter(username__in=[u.username for u in users])
    ids = {
        name.removeprefix(tag): pk for name, pk in made.values_list("username", "pk")
    }
    everyone.usernames = ids
    Membership.objects.bulk_create(
        Membership(user_id=ids[name.removeprefix(tag)], school=sp.school, role=role)
        for name, roles in grants
        for sp, role in roles
    )
    # Each role's group, as accounts.services.user_sync_role_groups gives them.
    groups = {role: group_for(role).pk for role in Role}
    through = User.groups.through
    pairs = {
        (ids[name.removeprefix(tag)], groups[role])
        for name, roles in grants
        for _sp, role in roles
    }
    through.objects.bulk_create(
        through(user_id=user, group_id=group) for user, group in pairs
    )
    User.objects.filter(pk=ids["trust.admin"]).update(is_superuser=True, is_staff=True)
    everyone.trust_dsl, everyone.trust_lead = ids["trust.dsl"], ids["trust.lead"]
    everyone.sysadmin = ids["trust.admin"]
    for n, sp in enumerate(everyone.schools, start=1):
        prefix = f"s{n:02d}"
        sp.staff = [
            ids[f"{prefix}.staff{i:02d}"] for i in range(1, STAFF_PER_SCHOOL + 1)
        ]
        sp.dsl, sp.head = ids[f"{prefix}.dsl"], ids[f"{prefix}.head"]
        sp.team = [sp.dsl, ids[f"{prefix}.deputy1"], ids[f"{prefix}.deputy2"]]


def _pupils(rng, schools, per_school, today):
    table = Table(Pupil)
    now = timezone.now()
    for n, sp in enumerate(schools):
        groups = PRIMARY if sp.primary else SECONDARY
        for i in range(per_school):
            year_group = groups[i % len(groups)]
            age = 5 if year_group == YearGroup.RECEPTION else int(year_group) + 5
            pk = table.take_id()
            sp.pupils.append(pk)
            joined = today - timedelta(days=rng.randint(30, 365 * 6))
            table.add(
                id=pk,
                school_id=sp.school.pk,
                upn=f"Z{n:03d}{i:08d}0",
                first_name=rng.choice(FIRST),
                last_name=surname(rng),
                preferred_name=rng.choice(FIRST) if rng.random() < 0.05 else "",
                date_of_birth=date(
                    today.year - age - 1, rng.randint(9, 12), rng.randint(1, 28)
                )
                + timedelta(days=rng.randint(0, 300)),
                year_group=year_group,
                sex=rng.choice(
                    [Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]
                ),
                date_joined=joined,
                # A few leavers: marked, never deleted (not the file's child).
                date_left=today - timedelta(days=rng.randint(1, 300))
                if i and rng.random() < 0.04
                else None,
                created_at=now,
                updated_at=now,
            )
    table.flush()


def forms_ensure():
    """The demo's concern forms (demo.FORMS), published in the trust's shared
    section of forms, if the database has none: dashboards list them and staff
    report through them."""
    if ConcernFormPage.objects.exists():
        return
    trust = Trust.objects.order_by("pk").first()
    section = (
        form_section_shared(trust=trust)
        if trust is not None
        else form_section_for_school(school=School.objects.order_by("pk").first())
    )
    for _where, slug, title, route, guidance, questions in FORMS:
        page = ConcernFormPage(
            title=title,
            slug=slug,
            send_to=route,
            guidance=f"<p>{guidance}</p>",
            form_fields=[
                ConcernFormField(
                    label=label, field_type=kind, choices=choices, required=False
                )
                for label, kind, choices in questions
            ],
        )
        section.add_child(instance=page)
        page.save_revision().publish()
