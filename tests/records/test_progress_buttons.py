"""Work that takes seconds (the child's file PDF, the pupil import, the transfer
bundle) is started by a button that shows progress and can't be pressed twice:
Wagtail's button-with-progress (w-progress). The browser side (disabled after the
press) is checked in tests/e2e/test_phone_path.py."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .. import builders

IMPORT = "/admin/files/import/"


def progress_button(page, label):
    """The <button> whose label is `label`, if it is a w-progress button."""
    for match in re.finditer(r"<button[^>]*>.*?</button>", page, re.S):
        button = match.group(0)
        if f'<em data-w-progress-target="label">{label}</em>' in button:
            assert 'data-controller="w-progress"' in button
            assert 'data-action="w-progress#activate"' in button
            return button
    raise AssertionError(f"no progress button labelled {label!r}")


def test_the_pdf_export_button_shows_progress(pupil, dsl, verified_client):
    page = verified_client(dsl).get(
        reverse("records_admin:file_export", args=[pupil.pk])
    )
    button = progress_button(page.content.decode(), "Export PDF")
    assert 'data-w-progress-active-value="Making the PDF…"' in button


def test_the_import_buttons_show_progress(school, dsl, verified_client):
    client = verified_client(dsl)
    upload = client.get(f"{IMPORT}{school.pk}/").content.decode()
    progress_button(upload, "Check the file")

    data = (
        "UPN,Legal surname,Legal forename,DOB,Year\n"
        "A123456789012,Ashdown,Maya,01/09/2016,4\n"
    ).encode()
    preview = client.post(
        f"{IMPORT}{school.pk}/",
        {"file": SimpleUploadedFile("roll.csv", data)},
        follow=True,
    ).content.decode()
    button = progress_button(preview, "Import")
    assert "data-import-button" in button
    assert preview.index("data-import-decision") < preview.index("data-import-rows")


def test_building_the_bundle_shows_progress(pupil, dsl, verified_client):
    transfer = builders.transfer_out(pupil, dsl)
    builders.transfer_claim(transfer, "send_file", dsl)
    page = verified_client(dsl).get(
        reverse("workflows:transfer_detail", args=[transfer.pk])
    )
    button = progress_button(page.content.decode(), "Build the bundle and send it")
    assert 'data-w-progress-active-value="Building the bundle…"' in button
