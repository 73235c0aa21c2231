"""Retention pages: the review queue, legal holds, destruction and its certificates.
DSLs only (not deputies): destroying a file is the designated lead's decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import schools_where
from chronicle.forms import add_service_errors
from chronicle.listing import ListingView
from chronicle.tables import template_columns

from ..selectors import pupils_workable_by
from . import selectors, services
from .forms import DestroyForm, HoldForm, LiftForm

PAGE_SIZE = 50


def _dsl_only(request):
    if not schools_where(request.user, Role.DSL).exists():
        raise PermissionDenied


def _pupil(request, pk):
    return get_object_or_404(
        pupils_workable_by(request.user)
        .filter(school__in=schools_where(request.user, Role.DSL))
        .select_related("school"),
        pk=pk,
    )


class QueueView(ListingView):
    """Files of children who have left reaching their review within 90 days, and
    the latest destruction certificates."""

    template_name = "records/retention/queue.html"
    paginate_by = PAGE_SIZE
    columns = template_columns(
        "records/retention/cells",
        ("file", gettext_lazy("File")),
        ("school", gettext_lazy("School")),
        ("left", gettext_lazy("Left")),
        ("review_on", gettext_lazy("Review on")),
        ("hold", gettext_lazy("Legal hold")),
    )
    table_attrs = {"data-retention-queue": True}

    def dispatch(self, request, *args, **kwargs):
        _dsl_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.retention_queue(self.request.user)

    def get_rows(self, objects):
        today = timezone.localdate()
        rows = []
        for pupil in objects:
            review_on = selectors.review_date(pupil)
            rows.append(
                {"pupil": pupil, "review_on": review_on, "due": review_on <= today}
            )
        return rows

    def row_attrs(self, row):
        return {"data-pupil": str(row["pupil"].pk)}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "today": timezone.localdate(),
            "certificates": selectors.certificates_visible_to(self.request.user)[:20],
        }


queue = QueueView.as_view()


def hold_add(request, pk):
    pupil = _pupil(request, pk)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hold_place(
                pupil=pupil, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("Legal hold placed: the file cannot be destroyed.")
            )
            return redirect("records_admin:retention_destroy", pk=pupil.pk)
    return TemplateResponse(
        request,
        "records/file/form.html",
        {
            "pupil": pupil,
            "form": form,
            "title": _("Place a legal hold"),
            "action": "hold",
        },
    )


@require_POST
def hold_lift(request, pk, hold_pk):
    pupil = _pupil(request, pk)
    hold = get_object_or_404(selectors.active_holds(pupil), pk=hold_pk)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the hold is lifted."))
        return redirect("records_admin:retention_destroy", pk=pupil.pk)
    try:
        services.hold_lift(
            hold=hold, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Hold lifted."))
    return redirect("records_admin:retention_destroy", pk=pupil.pk)


def destroy(request, pk):
    """The file's retention review: holds, what would be destroyed, and the
    destruction itself (refused with the reasons while it may not happen)."""
    pupil = _pupil(request, pk)
    form = DestroyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.file_destroy(
                pupil=pupil, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The file was destroyed. The certificate is kept.")
            )
            return redirect("records_admin:retention_certificate", pk=certificate.pk)
    return TemplateResponse(
        request,
        "records/retention/destroy.html",
        {
            "pupil": pupil,
            "form": form,
            "lift_form": LiftForm(),
            "review_on": selectors.review_date(pupil),
            "holds": pupil.holds.select_related("placed_by", "lifted_by"),
            **selectors.destruction_preview(pupil),
        },
    )


def certificate(request, pk):
    _dsl_only(request)
    item = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    return TemplateResponse(
        request, "records/retention/certificate.html", {"certificate": item}
    )


urlpatterns = [
    path("files/retention/", queue, name="retention_queue"),
    path(
        "files/retention/certificates/<int:pk>/",
        certificate,
        name="retention_certificate",
    ),
    path("files/<int:pk>/retention/", destroy, name="retention_destroy"),
    path("files/<int:pk>/holds/add/", hold_add, name="retention_hold_add"),
    path(
        "files/<int:pk>/holds/<int:hold_pk>/lift/",
        hold_lift,
        name="retention_hold_lift",
    ),
]
