"""Forms per school: a section of forms for every school and a shared one for each
trust, and the forms made before sections existed moved into the shared section.

Until now every form was offered to every school, so every existing form goes to
the shared section its schools all see: the trust's, when the active schools are
all in one trust, otherwise the section every school shares. No form changes its
id, so the concerns sent on it (Concern.form_page_id), the drafts being written on
it and its revisions all stay with it; its old address redirects to the new one.
A trust-wide configurator can then move a school's own forms into that school's
section.

Also: the tree's first page is renamed from Wagtail's "Welcome to your new Wagtail
site!" to "Concern forms", and configurators lose the page rights on the tree's
root that accounts.roles used to give them (forms.sections.permissions gives them
rights on their schools' sections instead).

Written with the historical models, so the page tree's paths are kept by hand
(treebeard's methods are not on them): paths are 4-character base-36 steps.
"""

import uuid

from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WAGTAIL_WELCOME = "Welcome to your new Wagtail site!"
FORMS_ROOT_TITLE = "Concern forms"
CONFIGURATORS = "Configurators"


def _step(number):
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = ALPHABET[digit] + digits
    return digits.rjust(STEP, "0")


def _children(Page, parent):
    return Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)


def _next_child_path(Page, parent):
    last = _children(Page, parent).order_by("-path").values_list("path", flat=True)
    last = last.first()
    number = int(last[-STEP:], 36) + 1 if last else 1
    return parent.path + _step(number)


def _free_slug(Page, parent, name):
    base = slugify(name)[:60] or "forms"
    taken = set(_children(Page, parent).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class Tree:
    def __init__(self, apps, root):
        self.Page = apps.get_model("wagtailcore", "Page")
        self.FormSection = apps.get_model("concern_forms", "FormSection")
        self.root = root
        content_types = apps.get_model("contenttypes", "ContentType").objects
        self.section_type, _created = content_types.get_or_create(
            app_label="concern_forms", model="formsection"
        )

    def add_section(self, title, *, school=None, trust=None):
        now = timezone.now()
        slug = _free_slug(self.Page, self.root, title)
        section = self.FormSection.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=self.section_type,
            path=_next_child_path(self.Page, self.root),
            depth=self.root.depth + 1,
            numchild=0,
            url_path=f"{self.root.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            locale_id=self.root.locale_id,
            translation_key=uuid.uuid4(),
            school=school,
            trust=trust,
        )
        self._count_children(self.root)
        return section

    def move(self, page, section):
        """Move a page (and anything under it) to be the section's last child."""
        old_path, old_url = page.path, page.url_path
        old_parent = self.Page.objects.get(path=old_path[:-STEP])
        new_path = _next_child_path(self.Page, section)
        new_url = f"{section.url_path}{page.slug}/"
        depth_change = section.depth + 1 - page.depth
        for moved in self.Page.objects.filter(path__startswith=old_path):
            moved.path = new_path + moved.path[len(old_path) :]
            moved.depth += depth_change
            moved.url_path = new_url + moved.url_path[len(old_url) :]
            moved.save(update_fields=["path", "depth", "url_path"])
        self._count_children(old_parent)
        self._count_children(self.Page.objects.get(pk=section.pk))

    def _count_children(self, page):
        page = self.Page.objects.get(pk=page.pk)
        page.numchild = _children(self.Page, page).count()
        page.save(update_fields=["numchild"])


def _where_existing_forms_go(School, Trust):
    """The trust every active school belongs to, or None (every school's)."""
    trusts = set(School.objects.filter(is_active=True).values_list("trust", flat=True))
    if len(trusts) == 1 and None not in trusts:
        return Trust.objects.get(pk=trusts.pop())
    return None


def _concern_forms(apps):
    """As plain pages: the historical ConcernFormPage (a FormMixin) can't load."""
    Page = apps.get_model("wagtailcore", "Page")
    return Page.objects.filter(
        content_type__app_label="concern_forms",
        content_type__model="concernformpage",
    ).order_by("path")


def move_forms_into_sections(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    School = apps.get_model("accounts", "School")
    Trust = apps.get_model("accounts", "Trust")
    FormSection = apps.get_model("concern_forms", "FormSection")
    _no_rights_on_the_root(apps)
    site = Site.objects.filter(is_default_site=True).select_related("root_page")
    site = site.first()
    if site is None:
        return
    root = site.root_page
    if root.title == WAGTAIL_WELCOME:
        root.title = root.draft_title = FORMS_ROOT_TITLE
        root.save(update_fields=["title", "draft_title"])
    tree = Tree(apps, root)

    schools = School.objects.filter(is_active=True).order_by("name")
    sections = {}
    for trust in Trust.objects.filter(schools__in=schools).distinct().order_by("name"):
        if not FormSection.objects.filter(trust=trust).exists():
            sections[trust.pk] = tree.add_section(
                f"{trust.name}: shared forms", trust=trust
            )
    for school in schools:
        if not FormSection.objects.filter(school=school).exists():
            tree.add_section(school.name, school=school)

    section_paths = list(FormSection.objects.values_list("path", flat=True))
    loose = [
        page
        for page in _concern_forms(apps)
        if page.path[:-STEP] not in section_paths
    ]
    if not loose:
        return
    trust = _where_existing_forms_go(School, Trust)
    if trust is not None:
        shared = FormSection.objects.get(trust=trust)
    else:
        shared = FormSection.objects.filter(
            school__isnull=True, trust__isnull=True
        ).first() or tree.add_section("Forms every school shares")
    Redirect = apps.get_model("wagtailredirects", "Redirect")
    for page in loose:
        # A bookmark of the form's old address still finds it.
        old_path = page.url_path[len(root.url_path) - 1 :].rstrip("/")
        Redirect.objects.get_or_create(
            old_path=old_path,
            site=site,
            defaults={
                "redirect_page_id": page.pk,
                "is_permanent": True,
                "automatically_created": True,
            },
        )
        tree.move(page, FormSection.objects.get(pk=shared.pk))


def _no_rights_on_the_root(apps):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=CONFIGURATORS, page__depth=1
    ).delete()


def back_to_the_site_root(apps, schema_editor):
    """Undo: every form back under the site's first page, the sections removed
    (configurators' rights on the root are not given back)."""
    Site = apps.get_model("wagtailcore", "Site")
    FormSection = apps.get_model("concern_forms", "FormSection")
    site = Site.objects.filter(is_default_site=True).select_related("root_page")
    site = site.first()
    if site is None:
        return
    tree = Tree(apps, site.root_page)
    for page in _concern_forms(apps):
        if page.depth > site.root_page.depth + 1:
            tree.move(page, site.root_page)
    for section in FormSection.objects.all():
        section.delete()
    tree._count_children(site.root_page)


class Migration(migrations.Migration):
    dependencies = [
        ("concern_forms", "0002_form_sections"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(move_forms_into_sections, back_to_the_site_root)]
