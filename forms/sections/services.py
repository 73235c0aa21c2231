"""Writes of the form sections: one per active school, one shared per trust."""

from django.apps import apps as global_apps
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from accounts.models import School, Trust

from ..models import FormSection

# The page the sections hang from is the default site's root page; Wagtail names
# it "Welcome to your new Wagtail site!", which is not what Chronicle's tree holds.
FORMS_ROOT_TITLE = "Concern forms"


def forms_root() -> Page:
    root = Site.objects.get(is_default_site=True).root_page
    if root.title != FORMS_ROOT_TITLE:
        root.title = root.draft_title = FORMS_ROOT_TITLE
        root.save(update_fields=["title", "draft_title"])
    return root


def _free_slug(parent: Page, name: str) -> str:
    base = slugify(name)[:60] or "forms"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _add_section(title: str, **owner: School | Trust | None) -> FormSection:
    parent = forms_root()
    section = FormSection(title=title, slug=_free_slug(parent, title), **owner)
    parent.add_child(instance=section)
    return section


@transaction.atomic
def form_section_for_school(*, school: School) -> FormSection:
    """The school's own section of forms (made the first time it is asked for,
    with its trust's shared section if that is missing too)."""
    section = FormSection.objects.filter(school=school).first()
    if section is not None:
        return section
    if school.trust_id is not None:
        form_section_shared(trust=school.trust)
    return _add_section(school.name, school=school)


@transaction.atomic
def form_section_shared(*, trust: Trust | None) -> FormSection:
    """The forms a trust's schools share, or (no trust) every school shares."""
    if trust is None:
        section = FormSection.objects.filter(
            school__isnull=True, trust__isnull=True
        ).first()
        return section or _add_section(_("Forms every school shares"), trust=None)
    section = FormSection.objects.filter(trust=trust).first()
    return section or _add_section(
        _("%(trust)s: shared forms") % {"trust": trust.name}, trust=trust
    )


@transaction.atomic
def form_sections_ensure() -> None:
    """A section for every active school and a shared one for each of their
    trusts, so that each school's configurators have somewhere to build forms.
    Run after every migrate; nothing happens when they all exist."""
    if not Site.objects.filter(is_default_site=True).exists():
        return
    schools = School.objects.filter(is_active=True).select_related("trust")
    for trust in Trust.objects.filter(schools__in=schools).distinct():
        form_section_shared(trust=trust)
    for school in schools:
        form_section_for_school(school=school)


def form_sections_ensure_after_migrate(*, app_config, apps, **kwargs) -> None:
    """post_migrate is sent once per app: the sections are made after the last
    (and not when the forms app was migrated back to before sections)."""
    if app_config is not list(global_apps.get_app_configs())[-1]:
        return
    try:
        apps.get_model("concern_forms", "FormSection")
    except LookupError:
        return
    form_sections_ensure()
