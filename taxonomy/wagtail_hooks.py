from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from chronicle.admin_urls import namespaced
from chronicle.menu import GroupMenuItem

from . import views
from .admin_helpers import ConfiguratorPermissionHelper, TermButtonHelper
from .forms import TermAdminForm
from .models import Agency, ConcernCategory, Location, Outcome, ProfileFlag
from .selectors import terms_listed_for

COMMON_FIELDS = ["name", "definition", "school", "external_code", "sort_order"]


class TermAdmin(ModelAdmin):
    permission_helper_class = ConfiguratorPermissionHelper
    button_helper_class = TermButtonHelper
    edit_view_class = views.TermEditView
    edit_template_name = "taxonomy/term_edit.html"
    history_view_class = views.TermHistoryView
    list_display = ["__str__", "definition", "school_label", "status", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "definition", "external_code"]
    ordering = ["sort_order", "name"]
    menu_icon = "tag"
    edit_handler = ObjectList(
        [FieldPanel(name) for name in COMMON_FIELDS] + [FieldPanel("is_active")],
        base_form_class=TermAdminForm,
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return terms_listed_for(request.user, queryset).select_related(
            "parent", "school", "merged_into__parent"
        )

    def school_label(self, obj):
        return obj.school or _("Every school")

    school_label.short_description = _("Offered at")


class ConcernCategoryAdmin(TermAdmin):
    model = ConcernCategory
    menu_label = _("Concern categories")
    ordering = ["parent__sort_order", "parent__name", "sort_order", "name"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("parent")]
        + [FieldPanel(name) for name in COMMON_FIELDS[1:]]
        + [FieldPanel("is_active")],
        base_form_class=TermAdminForm,
    )


class AgencyAdmin(TermAdmin):
    model = Agency
    menu_label = _("Agencies")


class LocationAdmin(TermAdmin):
    model = Location
    menu_label = _("Locations")


class OutcomeAdmin(TermAdmin):
    model = Outcome
    menu_label = _("Decisions and outcomes")


class ProfileFlagAdmin(TermAdmin):
    model = ProfileFlag
    menu_label = _("Pupil profile flags")


@modeladmin_register
class TaxonomyGroup(ModelAdminGroup):
    menu_label = _("Categories and lists")
    menu_icon = "tag"
    menu_order = 300
    add_to_settings_menu = True  # chronicle.menu.SETTINGS
    items = [
        ConcernCategoryAdmin,
        AgencyAdmin,
        LocationAdmin,
        OutcomeAdmin,
        ProfileFlagAdmin,
    ]

    def get_menu_item(self):
        # Chronicle's group item: each list's item is asked once per request.
        return GroupMenuItem(
            self.get_menu_label(),
            Menu(items=self.get_submenu_items()),
            name=self.get_menu_item_name(),
            icon_name=self.get_menu_icon(),
            order=self.get_menu_order(),
        )


@hooks.register("register_admin_urls")
def taxonomy_urls():
    return namespaced(
        "taxonomy",
        [path("taxonomy/<int:pk>/merge/", views.merge, name="taxonomy_merge")],
    )
