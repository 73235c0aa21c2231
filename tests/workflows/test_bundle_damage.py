"""A transfer bundle that arrives damaged, truncated, under the wrong passphrase or
from a newer Chronicle is refused with a message that says which, and stores
nothing; a bundle already imported at a school is refused with a link to the
transfer it came in on. Through the service, the web page and import_transfer."""

import io
import json
import struct
import zipfile

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from records.models import (
    ImportedRecord,
    KeyPerson,
    PreviousSchoolEntry,
    Pupil,
    Transfer,
    TransferDocument,
)
from workflows import transfers
from workflows.transfers import bundle as bundle_format

from ..builders import transfer_claim, transfer_out, transfer_send
from ..factories import PupilFactory
from .test_transfers import (  # noqa: F401
    bundle_bytes,
    file_with_history,
)

DAMAGED = str(bundle_format.DAMAGED)
NOT_A_BUNDLE = str(bundle_format.NOT_A_BUNDLE)
CHANGED = str(bundle_format.CHANGED)
WRONG_PASSPHRASE = str(bundle_format.WRONG_PASSPHRASE)
TOO_LARGE = "unpacks to more than a bundle can hold"
# Byte flips sampled across the whole archive (headers, salts, compressed data,
# the central directory) and truncations: reading one costs a key derivation per
# member, so a sample keeps the test to seconds.
FLIPS = 256
CUTS = 64


@pytest.fixture
def sent(file_with_history, dsl):  # noqa: F811
    """A real bundle, built by the sending school's own code: (bytes, passphrase)."""
    transfer = transfer_out(file_with_history, dsl)
    transfer, passphrase, _token = transfer_send(transfer, dsl)
    return bundle_bytes(transfer), passphrase


@pytest.fixture
def receiving(school, dsl):
    """An expected transfer in, its receive step claimed by the DSL."""
    pupil = PupilFactory(school=school)
    incoming = transfers.transfer_in_start(pupil=pupil, user=dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", dsl),
        user=dsl,
        expected=True,
        other_school_name="Meadow Primary",
    )
    transfer_claim(incoming, "receive_file", dsl)
    return incoming


def flipped(content, offset, mask=0xFF):
    damaged = bytearray(content)
    damaged[offset] ^= mask
    return bytes(damaged)


def deflate_start(content, name):
    """Where a member's compressed data starts: after its local header, the AES
    salt (16 bytes for 256-bit keys) and the 2-byte passphrase check."""
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    name_length, extra_length = struct.unpack(
        "<HH", content[info.header_offset + 26 : info.header_offset + 30]
    )
    return info.header_offset + 30 + name_length + extra_length + 16 + 2


def repacked(content, passphrase, version):
    """The same bundle re-encrypted as a newer Chronicle would write it."""
    with pyzipper.AESZipFile(io.BytesIO(content)) as source:
        source.setpassword(passphrase.encode())
        files = {name: source.read(name) for name in source.namelist()}
    data = json.loads(files.pop(bundle_format.DATA))
    data["version"] = version
    files[bundle_format.DATA] = json.dumps(data).encode()
    manifest = json.loads(files.pop(bundle_format.MANIFEST))
    manifest["version"] = version
    manifest["files"] = [
        {"path": path, "sha256": bundle_format.sha256(body), "size": len(body)}
        for path, body in sorted(files.items())
    ]
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as target:
        target.setpassword(passphrase.encode())
        for path, body in sorted(files.items()):
            target.writestr(path, body)
        target.writestr(bundle_format.MANIFEST, json.dumps(manifest).encode())
    return out.getvalue()


def stored():
    return (
        TransferDocument.objects.filter(transfer__direction="in").count(),
        PreviousSchoolEntry.objects.count(),
        ImportedRecord.objects.count(),
    )


def preview(incoming, user, content, passphrase):
    return transfers.bundle_preview(
        transfer=incoming,
        user=user,
        upload=SimpleUploadedFile("bundle.zip", content),
        passphrase=passphrase,
    )


def test_byte_flips_and_truncations_are_refused_as_damage_and_store_nothing(
    sent, receiving, dsl
):
    content, passphrase = sent
    whole = bundle_format.read(content, passphrase)
    offsets = sorted(
        {*range(0, len(content), len(content) // FLIPS)}
        # The first byte of the PDF's deflate stream: a reserved block type, which
        # inflate refuses before the archive's own check is reached.
        | {deflate_start(content, bundle_format.PDF)}
    )
    cases = [(f"flip at {o}", flipped(content, o)) for o in offsets]
    cases.append(
        (
            "reserved deflate block",
            flipped(content, deflate_start(content, bundle_format.PDF), 0b110),
        )
    )
    cases += [
        (f"cut at {n}", content[:n])
        for n in range(0, len(content), len(content) // CUTS)
    ]
    refused = 0
    for label, damaged in cases:
        try:
            bundle = preview(receiving, dsl, damaged, passphrase)[1]
        except bundle_format.BundleError as error:
            refused += 1
            message = " ".join(error.messages)
            # The passphrase is right: a damaged file never blames it.
            assert (
                message in {DAMAGED, NOT_A_BUNDLE, CHANGED} or TOO_LARGE in message
            ), (
                label,
                message,
            )
            continue
        # A byte no check covers (a timestamp in a header): what is read is the
        # bundle that was sent, every file matching its hash. Set it aside again.
        assert bundle.data == whole.data, label
        assert bundle.files == whole.files, label
        TransferDocument.objects.filter(transfer=receiving).delete()
    assert refused >= len(cases) // 2
    assert stored() == (0, 0, 0)
    receiving.refresh_from_db()
    assert receiving.status == Transfer.Status.EXPECTED
    assert receiving.manifest_hash == ""


def test_a_wrong_passphrase_and_a_newer_format_are_named_as_such(sent):
    content, passphrase = sent
    with pytest.raises(bundle_format.BundleError) as wrong:
        bundle_format.read(content, "amber-anchor-apple-arrow-aspen-badge")
    assert wrong.value.messages == [WRONG_PASSPHRASE]
    # A damaged salt makes one member fail its passphrase check; the others open,
    # so it is damage, not the passphrase.
    salt = deflate_start(content, bundle_format.MANIFEST) - 18
    with pytest.raises(bundle_format.BundleError) as salted:
        bundle_format.read(flipped(content, salt), passphrase)
    assert salted.value.messages == [DAMAGED]
    with pytest.raises(bundle_format.BundleError) as newer:
        bundle_format.read(repacked(content, passphrase, 3), passphrase)
    assert "made by a newer version of Chronicle (format 3)" in newer.value.messages[0]
    with pytest.raises(bundle_format.BundleError) as bogus:
        bundle_format.read(b"%PDF-1.7 not a bundle", passphrase)
    assert bogus.value.messages == [NOT_A_BUNDLE]


def test_the_preview_page_explains_a_damaged_bundle(
    sent, receiving, dsl, verified_client
):
    content, passphrase = sent
    client = verified_client(dsl)
    url = reverse("workflows:transfer_detail", args=[receiving.pk])
    for damaged in (
        content[: len(content) // 2],
        flipped(content, deflate_start(content, bundle_format.PDF), 0b110),
    ):
        response = client.post(
            url,
            {
                "form": "preview",
                "bundle": SimpleUploadedFile("bundle.zip", damaged),
                "passphrase": passphrase,
            },
        )
        assert response.status_code == 200
        assert "This file is damaged or incomplete" in response.content.decode()
        assert b"data-preview-entries" not in response.content
    assert stored() == (0, 0, 0)


def test_the_command_line_explains_a_damaged_bundle(sent, school, dsl, tmp_path):
    content, passphrase = sent
    secret = tmp_path / "passphrase.txt"
    secret.write_text(passphrase)
    pupils = Pupil.objects.count()
    for name, damaged in (
        ("cut.zip", content[: len(content) // 3]),
        ("flip.zip", flipped(content, deflate_start(content, bundle_format.PDF), 6)),
    ):
        path = tmp_path / name
        path.write_bytes(damaged)
        with pytest.raises(CommandError, match="damaged or incomplete"):
            call_command(
                "import_transfer",
                str(path),
                "--passphrase-file",
                str(secret),
                "--dsl",
                dsl.username,
                "--school",
                school.name,
                "--add-pupil",
            )
    assert stored() == (0, 0, 0)
    assert Pupil.objects.count() == pupils
    assert not Transfer.objects.filter(direction="in").exists()


# Once ---------------------------------------------------------------------------------


@pytest.fixture
def imported_once(sent, other_school, make_member, file_with_history):  # noqa: F811
    """The bundle imported at the other school and the transfer completed; the same
    child then gets a new expected transfer, its receive step claimed."""
    content, passphrase = sent
    their_dsl = make_member(Role.DSL, at=other_school)
    arrived = PupilFactory(
        school=other_school,
        upn=file_with_history.upn,
        first_name=file_with_history.first_name,
        last_name=file_with_history.last_name,
        date_of_birth=file_with_history.date_of_birth,
    )

    def expect():
        incoming = transfers.transfer_in_start(pupil=arrived, user=their_dsl)
        transfers.expected_answer(
            task=transfer_claim(incoming, "ask_expected", their_dsl),
            user=their_dsl,
            expected=True,
            other_school_name=file_with_history.school.name,
        )
        return incoming, transfer_claim(incoming, "receive_file", their_dsl)

    first, task = expect()
    document, _bundle = preview(first, their_dsl, content, passphrase)
    transfers.bundle_import(
        task=task, user=their_dsl, document=document, passphrase=passphrase
    )
    transfers.transfer_in_complete(
        task=task,
        user=their_dsl,
        checklist={key: True for key, _label in transfers.CHECKLIST},
        gaps="",
        sw_not_yet="Not reached yet.",
    )
    second, _task = expect()
    first.refresh_from_db()
    counts = (
        ImportedRecord.objects.filter(pupil=arrived).count(),
        TransferDocument.objects.filter(transfer__pupil=arrived).count(),
        KeyPerson.objects.filter(pupil=arrived).count(),
    )
    assert counts[0] > 0 and counts[2] > 0
    return {
        "content": content,
        "passphrase": passphrase,
        "dsl": their_dsl,
        "pupil": arrived,
        "first": first,
        "second": second,
        "counts": counts,
        "school": other_school,
    }


def counts_of(pupil):
    return (
        ImportedRecord.objects.filter(pupil=pupil).count(),
        TransferDocument.objects.filter(transfer__pupil=pupil).count(),
        KeyPerson.objects.filter(pupil=pupil).count(),
    )


def test_a_bundle_imports_once_into_a_school(imported_once):
    once = imported_once
    with pytest.raises(transfers.BundleAlreadyImported) as refused:
        preview(once["second"], once["dsl"], once["content"], once["passphrase"])
    assert refused.value.first == once["first"]
    assert once["first"].reference in refused.value.messages[0]
    assert counts_of(once["pupil"]) == once["counts"]
    # The database holds it too: a second transfer in cannot carry the same bundle.
    second = once["second"]
    second.manifest_hash = once["first"].manifest_hash
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save(update_fields=["manifest_hash"])


def test_the_page_refuses_a_second_import_with_a_link_to_the_first(
    imported_once, verified_client
):
    once = imported_once
    client = verified_client(once["dsl"])
    response = client.post(
        reverse("workflows:transfer_detail", args=[once["second"].pk]),
        {
            "form": "preview",
            "bundle": SimpleUploadedFile("bundle.zip", once["content"]),
            "passphrase": once["passphrase"],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already been imported at this school" in page
    assert reverse("workflows:transfer_detail", args=[once["first"].pk]) in page
    assert "data-preview-entries" not in page
    assert counts_of(once["pupil"]) == once["counts"]
    once["second"].refresh_from_db()
    assert once["second"].status == Transfer.Status.EXPECTED


def test_import_transfer_refuses_a_bundle_already_imported(imported_once, tmp_path):
    once = imported_once
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(once["content"])
    secret = tmp_path / "passphrase.txt"
    secret.write_text(once["passphrase"])
    with pytest.raises(CommandError, match="already been imported") as refused:
        call_command(
            "import_transfer",
            str(bundle),
            "--passphrase-file",
            str(secret),
            "--dsl",
            once["dsl"].username,
            "--school",
            once["school"].name,
        )
    assert once["first"].reference in str(refused.value)
    assert counts_of(once["pupil"]) == once["counts"]
