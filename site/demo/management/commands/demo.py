"""Synthetic demo data: one trust, two schools with a calendar of this school year and
the last (demo.calendar), pupils and a user per role.

Idempotent: running it again leaves one of everything and prints the same sign-in
details. Every name and number here is invented.
"""

import random
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Role, School, Trust
from accounts.services import (
    membership_grant,
    school_closure_day_add,
    school_term_add,
    user_upsert,
)
from demo.calendar import current_start, demo_calendar
from demo.casework import casework_demo, file_demo, transfer_demo
from forms.models import ConcernFormField, ConcernFormPage
from forms.sections.services import form_section_for_school, form_section_shared
from records.models import Concern, Sex, YearGroup
from records.services import pupil_upsert

DEMO_PASSWORD = "chronicle-demo-only"  # noqa: S105 (synthetic demo accounts)
TRUST = "Riverbend Learning Trust (demo)"
SCHOOLS = [
    (
        "990001",
        "Oakfield Primary School (demo)",
        [YearGroup.RECEPTION, *list(YearGroup)[2:8]],
    ),
    ("990002", "Hillside Academy (demo)", list(YearGroup)[8:15]),
]
# username, first name, last name, [(school URN, role)]
USERS = [
    ("staff.oakfield", "Alex", "Morgan", [("990001", Role.STAFF)]),
    (
        "dsl.oakfield",
        "Jordan",
        "Ellis",
        [("990001", Role.DSL), ("990001", Role.CONFIGURATOR)],
    ),
    ("deputy.oakfield", "Casey", "Brooks", [("990001", Role.DEPUTY_DSL)]),
    ("head.oakfield", "Morgan", "Hale", [("990001", Role.HEAD)]),
    ("config.oakfield", "Riley", "Quinn", [("990001", Role.CONFIGURATOR)]),
    ("staff.hillside", "Taylor", "Reed", [("990002", Role.STAFF)]),
    ("dsl.hillside", "Sam", "Okafor", [("990002", Role.DSL)]),
    # Trust lead: head of both schools, and the configurator of the shared lists.
    (
        "lead.trust",
        "Jamie",
        "Lowe",
        [
            ("990001", Role.HEAD),
            ("990002", Role.HEAD),
            ("990001", Role.CONFIGURATOR),
            ("990002", Role.CONFIGURATOR),
        ],
    ),
]
# The system administrator: runs the service, no role at any school, no case content
# (only by break-glass, which tells the DSLs).
SYSADMIN = ("sysadmin.demo", "Sasha", "Stone", [])
CALENDAR_KEEPERS = {"990001": "dsl.oakfield", "990002": "dsl.hillside"}
FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harry",
    "Isla",
    "Jay",
    "Kai",
    "Lily",
    "Max",
    "Nia",
    "Oscar",
    "Pip",
    "Rosa",
    "Theo",
    "Una",
    "Zac",
]
LAST_NAMES = [
    "Ashdown",
    "Brightwater",
    "Copperfield",
    "Dunmore",
    "Elmsworth",
    "Fairhaven",
    "Glenbrook",
    "Hollowell",
    "Ivybridge",
    "Juniper",
    "Kestrel",
    "Larkspur",
]
PUPILS_PER_SCHOOL = 24
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"
# Where each demo form lives: "trust" (the trust's shared forms) or a school's URN.
SHARED = "trust"
# section, slug, title, route, guidance, [(question, type, choices)]
FORMS = [
    (
        SHARED,
        "general-concern",
        "General concern",
        Concern.Route.DSL_TEAM,
        "Use this for any worry about a child's safety or welfare, however small.",
        [("Has anyone else been told?", "yesno", "")],
    ),
    (
        SHARED,
        "low-level-concern-adult",
        "Low-level concern about an adult",
        Concern.Route.HEAD,
        "Conduct by an adult working with children that worries you, even if small. "
        "This goes to the headteacher, not the DSL team.",
        # The form's own fields name the adult and their role (forms.forms).
        [],
    ),
    (
        "990001",
        "playground-concern",
        "Playground concern",
        Concern.Route.DSL_TEAM,
        "Something seen or heard at break or lunchtime. Tell the duty DSL at once if "
        "a child is hurt or frightened.",
        [
            (
                "Which playground area?",
                "radio",
                "Infant playground\nJunior playground\nField\nQuiet garden",
            )
        ],
    ),
    (
        "990001",
        "online-safety",
        "Online safety incident",
        Concern.Route.DSL_TEAM,
        "Something that happened online or on a device. Don't copy or forward images.",
        [("Which app, game or website?", "singleline", "")],
    ),
    (
        "990002",
        "school-trip-concern",
        "Concern on a school trip",
        Concern.Route.DSL_TEAM,
        "A worry that arose on a visit or residential trip. Ring the trip lead's "
        "DSL contact first if a child is at risk now.",
        [("Which trip?", "singleline", "")],
    ),
]


class Command(BaseCommand):
    help = "Create synthetic demo data and print how to sign in as each demo role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-2fa",
            action="store_true",
            help="Leave demo users without two-factor devices, so the first sign-in "
            "walks through enrolment.",
        )

    def handle(self, *args, without_2fa=False, **options):
        if not settings.CHRONICLE_ALLOW_DEMO_DATA:
            raise CommandError(
                "Demo data is switched off in these settings (production?). Nothing "
                "was created."
            )
        # The demo's casework notifies the demo team: shown in the admin, not mailed
        # to the console in the middle of the sign-in instructions.
        with override_settings(EMAIL_BACKEND=LOCMEM_EMAIL), transaction.atomic():
            schools = self._schools()
            users = [self._user(schools, *row) for row in USERS]
            # KCSIE Part 4: a concern about a head goes to the trust's lead.
            Trust.objects.filter(name=TRUST).update(
                nominated_lead=next(u for u in users if u.username == "lead.trust")
            )
            sysadmin = self._user(schools, *SYSADMIN)
            sysadmin.is_superuser = sysadmin.is_staff = True
            sysadmin.save(update_fields=["is_superuser", "is_staff"])
            users.append(sysadmin)
            self._calendars(schools, users)
            self._forms(schools)
            self._casework(schools, users)
            if not without_2fa:
                for user in users:
                    self._provision_two_factor(user)
        self._print_sign_in(users)

    def _schools(self):
        trust, _created = Trust.objects.get_or_create(name=TRUST)
        schools = {}
        rng = random.Random(2026)  # noqa: S311 (synthetic data, not security)
        for urn, name, year_groups in SCHOOLS:
            school, _created = School.objects.update_or_create(
                urn=urn,
                # Oakfield's concerns read OAK-000001 on (records.Concern).
                defaults={
                    "name": name,
                    "trust": trust,
                    "reference_code": name[:3].upper(),
                },
            )
            schools[urn] = school
            for index in range(PUPILS_PER_SCHOOL):
                self._pupil(rng, school, index, year_groups)
        return schools

    def _calendars(self, schools, users):
        by_username = {user.username: user for user in users}
        terms, closure_days = demo_calendar(timezone.localdate())
        for urn, school in schools.items():
            keeper = by_username[CALENDAR_KEEPERS[urn]]
            for name, starts_on, ends_on in terms:
                # Not over a term the school's DSL has entered or changed since.
                taken = school.school_terms.filter(
                    starts_on__lte=ends_on, ends_on__gte=starts_on
                )
                if not taken.exists():
                    school_term_add(
                        school=school,
                        name=name,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        user=keeper,
                    )
            for day, kind, note in closure_days:
                if not school.closure_days.filter(date=day).exists():
                    school_closure_day_add(
                        school=school, date=day, kind=kind, note=note, user=keeper
                    )

    def _forms(self, schools):
        """Each school's own forms in its section, the shared ones in the trust's.
        A demo form from before sections existed is moved where it belongs."""
        trust = next(iter(schools.values())).trust
        sections = {SHARED: form_section_shared(trust=trust)}
        for urn, school in schools.items():
            sections[urn] = form_section_for_school(school=school)
        for where, slug, title, route, guidance, questions in FORMS:
            section = sections[where]
            page = ConcernFormPage.objects.filter(slug=slug).first()
            if page is not None:
                if not page.is_child_of(section):
                    page.move(section, pos="last-child")
                continue
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

    def _pupil(self, rng, school, index, year_groups):
        year_group = year_groups[index % len(year_groups)]
        age = {"R": 5, "N": 4}.get(year_group) or int(year_group) + 5
        pupil_upsert(
            school=school,
            upn=f"Z{school.urn}{index:05d}0",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=date(
                current_start(timezone.localdate()) - age - 1,
                rng.randint(9, 12),
                rng.randint(1, 28),
            ),
            year_group=year_group,
            sex=rng.choice([Sex.FEMALE, Sex.MALE]),
        )

    def _user(self, schools, username, first_name, last_name, roles):
        user = user_upsert(
            username=username,
            email=f"{username}@demo.invalid",
            first_name=first_name,
            last_name=last_name,
            password=DEMO_PASSWORD,
        )
        for urn, role in roles:
            membership_grant(user=user, school=schools[urn], role=role)
        return user

    def _provision_two_factor(self, user):
        if two_factor.has_two_factor(user):
            return
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(
            user=user, name=two_factor.TOTP_DEVICE_NAME, confirmed=True
        )
        two_factor.backup_codes_regenerate(user=user)

    def _casework(self, schools, users):
        by_username = {user.username: user for user in users}
        casework_demo(
            school=schools["990001"],
            staff=by_username["staff.oakfield"],
            dsl=by_username["dsl.oakfield"],
        )
        file_demo(school=schools["990001"], dsl=by_username["dsl.oakfield"])
        transfer_demo(school=schools["990001"], dsl=by_username["dsl.oakfield"])

    def _print_sign_in(self, users):
        out = self.stdout
        out.write(self.style.SUCCESS("\nChronicle demo data is ready (all synthetic)."))
        out.write("Sign in at http://127.0.0.1:8000/admin/ with:")
        out.write(f"  password for every demo user: {DEMO_PASSWORD}\n")
        for user in users:
            roles = ", ".join(
                f"{m.get_role_display()} at {m.school.name}"
                for m in user.memberships.select_related("school")
            ) or (
                "system administrator: no case content, break-glass only"
                if user.is_superuser
                else "no role"
            )
            out.write(self.style.MIGRATE_HEADING(f"  {user.username}") + f"  {roles}")
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                out.write("    two-factor: not set up — first sign-in shows enrolment")
                continue
            codes = StaticToken.objects.filter(device__user=user).values_list(
                "token", flat=True
            )
            out.write(
                f"    authenticator secret: {two_factor.totp_secret(device)}"
                "  (add to any TOTP app)"
            )
            out.write(f"    backup codes (each works once): {' '.join(codes)}")
        out.write(
            "\nNo authenticator app to hand? Use a backup code: choose "
            "'A backup code' on the code page."
        )
