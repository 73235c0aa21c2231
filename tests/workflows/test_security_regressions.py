"""Found by the permission matrix and the bad-input tests (tests/security)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workflows.models import CaseworkSettings

from .. import builders

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def test_a_concern_with_a_file_opens_for_the_dsl(
    school, staff, dsl, verified_client, settings, tmp_path
):
    """The concern page linked its files by a URL name that did not exist: 500."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    concern = builders.concern(
        school=school,
        by=staff,
        what_happened="Ava showed me a bruise on her arm.",
        child_voice="'It happened at the weekend.'",
        attachments=[
            SimpleUploadedFile("photo.pdf", PDF, content_type="application/pdf")
        ],
    )
    response = verified_client(dsl).get(
        reverse("workflows:casework_concern", args=[concern.pk])
    )
    assert response.status_code == 200
    download = reverse(
        "records:attachment_download", args=[concern.attachments.get().pk]
    )
    assert download in response.content.decode()


def test_a_superscript_digit_for_a_school_is_not_an_error(dsl, verified_client):
    """ "²" is a digit to str.isdigit() but not to int(): it was a 500."""
    client = verified_client(dsl)
    for url in ("/admin/casework/settings/", "/admin/casework/my-tasks/"):
        response = client.get(url, {"school": "²", "category": "²"})
        assert response.status_code == 200, url
    response = client.post(
        "/admin/casework/settings/", {"form": "rule_remove", "rule": "²"}
    )
    assert response.status_code in (302, 404)


def test_a_stale_settings_page_cannot_overwrite_a_colleagues_save(
    school, dsl, make_member, verified_client
):
    from accounts.models import Role

    colleague = make_member(Role.DSL)
    url = reverse("workflows:casework_settings")
    CaseworkSettings.for_school(school).save()
    stale = verified_client(dsl).get(url).context["form"]["loaded"].value()
    # A colleague saves first...
    verified_client(colleague).post(
        url, {"form": "settings", "closure_sign_off": "always", "loaded": stale}
    )
    assert CaseworkSettings.for_school(school).closure_sign_off == "always"
    # ...then the first DSL saves the page she loaded before.
    client = verified_client(dsl)
    response = client.post(
        url, {"form": "settings", "closure_sign_off": "optional", "loaded": stale}
    )
    assert response.status_code == 200
    assert "A colleague saved these settings" in response.content.decode()
    assert CaseworkSettings.for_school(school).closure_sign_off == "always"
    # Saving again, having been told, is her choice.
    fresh = response.context["form"]["loaded"].value()
    response = client.post(
        url, {"form": "settings", "closure_sign_off": "optional", "loaded": fresh}
    )
    assert response.status_code == 302
    assert CaseworkSettings.for_school(school).closure_sign_off == "optional"
