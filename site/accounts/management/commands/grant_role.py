from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, School
from accounts.services import membership_grant, membership_revoke
from accounts.signals import role_granted


class Command(BaseCommand):
    help = (
        "Give a user a role at a school (by its URN), or take it away with --revoke. "
        "This is how a system administrator sets up a school's DSLs, deputies, heads, "
        "configurators and staff. Every change is in the audit log, and the school's "
        "DSLs are notified of any role that sees case content or oversight."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("urn", help="The school's URN.")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, username, urn, role, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        school = School.objects.filter(urn=urn, is_active=True).first()
        if school is None:
            raise CommandError(f"No active school with URN {urn!r}.")
        label = Role(role).label
        with transaction.atomic():
            if revoke:
                membership_revoke(user=user, school=school, role=role)
                self.stdout.write(f"{username} is no longer {label} at {school}.")
                return
            existing = user.memberships.filter(school=school, role=role).exists()
            membership = membership_grant(user=user, school=school, role=role)
            if not existing:
                role_granted.send(sender=type(membership), membership=membership)
        self.stdout.write(
            self.style.SUCCESS(f"{username} is now {label} at {school}.")
            if not existing
            else f"{username} was already {label} at {school}."
        )
