from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, School
from accounts.services import RoleGiven, role_give, role_take_away


class Command(BaseCommand):
    help = (
        "Give a user a role at a school (by its URN), or take it away with --revoke. "
        "This is how a system administrator sets up a school's DSLs, deputies, heads, "
        "configurators and staff. At a school where someone can confirm it (a head "
        "or DSL, or the trust's lead), the role waits for them to confirm it on the "
        "Roles page; a school being set up gets its first people directly. Every "
        "change is in the audit log, and the school's head and the trust's leads "
        "are told."
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
        if revoke:
            for membership in user.memberships.filter(school=school, role=role):
                role_take_away(membership=membership)
            self.stdout.write(f"{username} is no longer {label} at {school}.")
            return
        try:
            _held, given = role_give(user=user, school=school, role=role)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        if given == RoleGiven.GIVEN:
            self.stdout.write(
                self.style.SUCCESS(f"{username} is now {label} at {school}.")
            )
        elif given == RoleGiven.WAITING:
            self.stdout.write(
                f"{username} is proposed as {label} at {school}: the school's head "
                "or a DSL confirms it on the Roles page."
            )
        else:
            self.stdout.write(f"{username} was already {label} at {school}.")
