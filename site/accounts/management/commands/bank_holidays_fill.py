"""manage.py bank_holidays_fill [--year 2027 …] [--school URN …]: add each school's
region's bank holidays to its calendar (accounts.bank_holidays). Re-runnable:
dates that have a closure day already are left as they are."""

from django.core.management.base import BaseCommand

from accounts.bank_holidays import bank_holidays_fill, default_years
from accounts.models import School


class Command(BaseCommand):
    help = "Add bank holidays, by each school's region, to school calendars."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="A year to fill (repeat for several); default this year and next.",
        )
        parser.add_argument(
            "--school",
            action="append",
            dest="urns",
            help="A school's URN (repeat for several); default every active school.",
        )

    def handle(self, *args, years=None, urns=None, **options):
        years = years or default_years()
        schools = School.objects.filter(is_active=True)
        if urns:
            schools = School.objects.filter(urn__in=urns)
        for school in schools.order_by("name"):
            result = bank_holidays_fill(school=school, years=years, user=None)
            self.stdout.write(
                f"{school.name} ({school.get_region_display()}): "
                f"{len(result.added)} added, {len(result.kept)} already there."
            )
