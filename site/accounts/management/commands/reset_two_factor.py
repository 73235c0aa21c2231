from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (lost phone and backup codes): they set up "
        "two-factor again at their next sign-in. The removal is in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        two_factor_reset(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor removed for {username}: they enrol again at next sign-in."
            )
        )
