"""manage.py school_set URN [--dfe-number 8232000] [--region scotland]: record a
school's DfE number (which Common Transfer Files it accepts, records.roll.ctf) and
its bank holiday region. For a system administrator; both are audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import BankHolidayRegion, School


class Command(BaseCommand):
    help = "Set a school's DfE number (LAESTAB) and bank holiday region."

    def add_arguments(self, parser):
        parser.add_argument("urn")
        parser.add_argument("--dfe-number", dest="dfe_number")
        parser.add_argument(
            "--region", choices=[region.value for region in BankHolidayRegion]
        )

    def handle(self, *args, urn, dfe_number=None, region=None, **options):
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise CommandError(f"No school has URN {urn}.")
        if dfe_number is not None:
            school.dfe_number = dfe_number
        if region is not None:
            school.region = region
        try:
            school.full_clean()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        school.save()
        self.stdout.write(
            f"{school.name}: DfE number {school.dfe_number or '—'}, "
            f"{school.get_region_display()} bank holidays."
        )
