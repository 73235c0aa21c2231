"""manage.py school_set URN [--dfe-number 8232000] [--region scotland]
[--reference-code OAK]: record a school's DfE number (which Common Transfer Files it
accepts, records.roll.ctf), its bank holiday region and the code its concern
references start with (OAK-000123). For a system administrator; all are audited."""

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
        parser.add_argument("--reference-code", dest="reference_code")

    def handle(
        self, *args, urn, dfe_number=None, region=None, reference_code=None, **options
    ):
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise CommandError(f"No school has URN {urn}.")
        if dfe_number is not None:
            school.dfe_number = dfe_number
        if region is not None:
            school.region = region
        if reference_code is not None:
            school.reference_code = reference_code.strip().upper()
        try:
            school.full_clean()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        school.save()
        self.stdout.write(
            f"{school.name}: DfE number {school.dfe_number or '—'}, "
            f"{school.get_region_display()} bank holidays, "
            f"concern references {school.reference_prefix}-000001 on."
        )
