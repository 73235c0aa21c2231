from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import School, User
from records.models import Pupil, Sex, Transfer
from records.services import pupil_upsert
from workflows.services import task_claim
from workflows.transfers import selectors, services
from workflows.transfers.bundle import read
from workflows.transfers.flows import TransferInFlow


class Command(BaseCommand):
    help = (
        "Import a transfer bundle from another Chronicle into a child's file, as a "
        "DSL of the receiving school would through the admin: for a school setting "
        "up Chronicle with bundles already received. The child is found by the UPN "
        "in the bundle (or added to the roll from it with --add-pupil). The "
        "'Receive and check the file' task is left with the DSL for the checklist."
    )

    def add_arguments(self, parser):
        parser.add_argument("bundle", type=Path)
        parser.add_argument("--passphrase-file", type=Path, required=True)
        parser.add_argument("--dsl", required=True, help="username of the DSL")
        parser.add_argument("--school", required=True, help="the school's name")
        parser.add_argument("--add-pupil", action="store_true")
        parser.add_argument(
            "--same-child-because",
            default="",
            help="when the child here differs from the child in the bundle (names, "
            "date of birth): how you know it is the same child (kept and audited)",
        )

    def handle(self, *args, bundle, passphrase_file, dsl, school, add_pupil, **options):
        self.identity_reason = options.get("same_child_because") or ""
        try:
            passphrase = passphrase_file.read_text().strip()
            content = bundle.read_bytes()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"Cannot read the bundle or passphrase: {error}"
            ) from error
        user = User.objects.filter(username=dsl, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {dsl}.")
        # Every refusal (a damaged, truncated or newer bundle, a wrong passphrase,
        # a bundle already imported here) is a ValidationError: one line, no
        # traceback, and the transaction leaves nothing stored.
        try:
            data = read(content, passphrase).data
            with transaction.atomic():
                pupil = self._pupil(data["pupil"], school, add_pupil)
                transfer = self._import(pupil, user, data, content, passphrase)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        made = transfer.imported_records.exclude(sent_key="key-person").count()
        self.stdout.write(
            f"Imported {made} records and {transfer.entries.count()} text entries "
            f"into {transfer.reference} "
            f"for UPN {pupil.upn}; manifest {transfer.manifest_hash}."
        )

    def _pupil(self, sent, school_name, add_pupil):
        pupils = Pupil.objects.filter(school__name=school_name, upn=sent["upn"])
        pupil = pupils.first()
        if pupil is not None:
            return pupil
        if not add_pupil:
            raise CommandError(
                f"No pupil with UPN {sent['upn']} at {school_name}: import the roll "
                "first, or pass --add-pupil."
            )
        school = School.objects.filter(name=school_name).first()
        if school is None:
            raise CommandError(f"No school called {school_name}.")
        pupil, _created = pupil_upsert(
            school=school,
            upn=sent["upn"],
            first_name=sent["first_name"],
            last_name=sent["last_name"],
            preferred_name=sent.get("preferred_name") or "",
            date_of_birth=sent["date_of_birth"],
            year_group=sent["year_group"],
            sex=sent.get("sex") or Sex.UNKNOWN,
        )
        return pupil

    def _import(self, pupil, user, data, content, passphrase):
        transfer = pupil.transfers.filter(
            direction=Transfer.Direction.IN, status=Transfer.Status.EXPECTED
        ).first()
        if transfer is None:
            transfer = services.transfer_in_start(pupil=pupil, user=user)
        task = selectors.open_task(transfer)
        if task.step == TransferInFlow.ask_expected.name:
            task_claim(task=task, user=user)
            services.expected_answer(
                task=task,
                user=user,
                expected=True,
                other_school_name=data["sender"]["school"],
            )
            task = selectors.open_task(transfer)
        if task.owner_id != user.pk:
            task_claim(task=task, user=user)
        document, _bundle = services.bundle_preview(
            transfer=transfer,
            user=user,
            upload=SimpleUploadedFile("bundle.zip", content),
            passphrase=passphrase,
        )
        services.bundle_import(
            task=task,
            user=user,
            document=document,
            passphrase=passphrase,
            identity_reason=self.identity_reason,
        )
        transfer.refresh_from_db()
        return transfer
