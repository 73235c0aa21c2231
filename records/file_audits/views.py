"""File audit pages in the admin: draw a sample or choose a file, review it against
the checklist, give people actions, and each file's audit history. Audits are found
through records.file_audits.selectors.audits_visible_to (DSLs, deputies and heads of the
child's school), so anyone else gets a 404; every page about a file's audit writes
an ACCESS entry on the file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import record_access
from chronicle.forms import add_service_errors
from chronicle.listing import ListingView
from chronicle.tables import template_columns

from ..selectors import pupils_visible_to
from . import selectors, services
from .forms import (
    ActionDoneForm,
    AuditActionForm,
    AuditForm,
    ChooseFileForm,
    SampleForm,
)

PAGE_SIZE = 50


def _is_id(value):
    """Plain ASCII digits of a sensible length ("²" is a digit to isdigit())."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _school(request, schools):
    wanted = request.GET.get("school") or request.POST.get("school") or ""
    chosen = schools.filter(pk=int(wanted)).first() if _is_id(wanted) else None
    return chosen or schools[0]


def _with_action_counts(audits):
    return audits.select_related("pupil", "auditor", "sample").annotate(
        actions_open=Count("actions", filter=Q(actions__done_at__isnull=True)),
        actions_total=Count("actions"),
    )


class AuditIndexView(ListingView):
    """Open audits, samples, open actions, and the audits done (the listing), for
    one school."""

    template_name = "records/audit/index.html"
    paginate_by = PAGE_SIZE
    columns = template_columns(
        "records/audit/done_cells",
        ("file", gettext_lazy("File")),
        ("auditor", gettext_lazy("Auditor")),
        ("completed", gettext_lazy("Completed")),
        ("finding", gettext_lazy("Finding")),
        ("actions", gettext_lazy("Actions open")),
    )

    def dispatch(self, request, *args, **kwargs):
        self.schools = selectors.audit_schools(request.user)
        if not self.schools.exists():
            raise PermissionDenied
        self.school = _school(request, self.schools)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def audits(self):
        return _with_action_counts(
            selectors.audits_visible_to(self.request.user).filter(
                pupil__school=self.school
            )
        )

    def get_base_queryset(self):
        return self.audits.filter(completed_at__isnull=False).order_by(
            "-completed_at", "-pk"
        )

    def get_context_data(self, **kwargs):
        user, school = self.request.user, self.school
        return {
            **super().get_context_data(**kwargs),
            "school": school,
            "schools": self.schools,
            "open_audits": self.audits.filter(completed_at__isnull=True).order_by(
                "started_at", "pk"
            ),
            "open_actions": selectors.open_audit_actions(user, school=school),
            "sample_form": SampleForm(),
            "choose_form": ChooseFileForm(
                pupils=selectors.files_with_concerns(school)
                .filter(pk__in=selectors.pupils_auditable_by(user))
                .order_by("last_name", "first_name", "pk")
            ),
            "today": timezone.localdate(),
        }


audit_index = AuditIndexView.as_view()


def _errors(request, error):
    messages.error(request, " ".join(error.messages))


@require_POST
def audit_sample_draw(request):
    schools = selectors.audit_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    school = _school(request, schools)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Choose between 1 and %(max)d files.") % {"max": services.MAX_SAMPLE},
        )
        return redirect(
            f"{reverse('records_admin:file_audit_index')}?school={school.pk}"
        )
    try:
        sample = services.file_audit_sample_draw(
            school=school, user=request.user, size=form.cleaned_data["size"]
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("%(count)d files drawn: their audits are open below.")
            % {"count": sample.audits.count()},
        )
    return redirect(f"{reverse('records_admin:file_audit_index')}?school={school.pk}")


@require_POST
def audit_start(request):
    if not selectors.audit_schools(request.user).exists():
        raise PermissionDenied
    form = ChooseFileForm(
        request.POST, pupils=selectors.pupils_auditable_by(request.user)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a file to audit."))
        return redirect("records_admin:file_audit_index")
    pupil = form.cleaned_data["pupil"]
    try:
        audit = services.file_audit_start(pupil=pupil, user=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("records_admin:file_audits", pk=pupil.pk)
    return redirect("records_admin:file_audit_detail", pk=audit.pk)


def file_audits(request, pk):
    """One file's audit history, with a button to audit it now."""
    pupil = get_object_or_404(
        selectors.pupils_auditable_by(request.user).select_related("school"), pk=pk
    )
    record_access(obj=pupil, event="file audit history read")
    audits = _with_action_counts(pupil.audits.all()).order_by("-started_at", "-pk")
    return TemplateResponse(
        request,
        "records/audit/file.html",
        {
            "pupil": pupil,
            "audits": audits,
            "can_open_file": pupils_visible_to(request.user).filter(pk=pk).exists(),
        },
    )


def _audit(request, pk):
    return get_object_or_404(
        selectors.audits_visible_to(request.user).select_related(
            "pupil__school", "auditor", "sample"
        ),
        pk=pk,
    )


def _detail_page(request, audit, *, form=None, action_form=None):
    record_access(obj=audit.pupil, event="file audit read", audit=audit.pk)
    editable = not audit.is_complete and audit.auditor_id == request.user.pk
    if editable and form is None:
        form = AuditForm(audit=audit)
    people = selectors.people_at(audit.pupil.school)
    return TemplateResponse(
        request,
        "records/audit/detail.html",
        {
            "audit": audit,
            "pupil": audit.pupil,
            "form": form if editable else None,
            "facts": selectors.file_facts(audit.pupil),
            "actions": audit.actions.select_related("assigned_to", "done_by"),
            "action_form": action_form or AuditActionForm(people=people),
            "can_open_file": pupils_visible_to(request.user)
            .filter(pk=audit.pupil_id)
            .exists(),
            "today": timezone.localdate(),
        },
    )


def audit_detail(request, pk):
    """The checklist: the auditor answers it, saves as she goes, then completes."""
    audit = _audit(request, pk)
    if request.method != "POST":
        return _detail_page(request, audit)
    if audit.is_complete or audit.auditor_id != request.user.pk:
        messages.error(request, _("Only the auditor can change an open audit."))
        return redirect("records_admin:file_audit_detail", pk=audit.pk)
    form = AuditForm(request.POST, audit=audit)
    complete = "complete" in request.POST
    if form.is_valid():
        try:
            services.file_audit_save(
                audit=audit,
                user=request.user,
                complete=complete,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Audit completed.") if complete else _("Audit saved.")
            )
            return redirect("records_admin:file_audit_detail", pk=audit.pk)
    return _detail_page(request, audit, form=form)


@require_POST
def audit_action_add(request, pk):
    audit = _audit(request, pk)
    form = AuditActionForm(request.POST, people=selectors.people_at(audit.pupil.school))
    if form.is_valid():
        try:
            services.file_audit_action_add(
                audit=audit, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action added to their audit actions."))
            return redirect("records_admin:file_audit_detail", pk=audit.pk)
    return _detail_page(request, audit, action_form=form)


@require_POST
def audit_action_done(request, pk):
    """The person given the action, or an auditor of the school, marks it done."""
    visible = (
        selectors.audit_actions_of(request.user)
        | selectors.audit_actions_managed_by(request.user)
    ).distinct()
    action = get_object_or_404(visible, pk=pk)
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
    else:
        try:
            services.file_audit_action_done(
                action=action, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Marked as done."))
    back = request.POST.get("next", "")
    host = {request.get_host()}  # a path only: redirect() takes a bare word for a name
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, host):
        return redirect(back)
    return redirect("records_admin:my_audit_actions")


def my_audit_actions(request):
    """What file audits have asked the user to do: open first, then done."""
    actions = selectors.audit_actions_of(request.user).select_related(
        "audit__pupil__school", "created_by"
    )
    done = Paginator(
        actions.filter(done_at__isnull=False).order_by("-done_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "records/audit/my_actions.html",
        {
            "open_actions": actions.filter(done_at__isnull=True).order_by(
                "due_on", "pk"
            ),
            "page_obj": done,
            "today": timezone.localdate(),
        },
    )


urlpatterns = [
    path("files/audits/", audit_index, name="file_audit_index"),
    path("files/audits/sample/", audit_sample_draw, name="file_audit_sample"),
    path("files/audits/start/", audit_start, name="file_audit_start"),
    path("files/audits/<int:pk>/", audit_detail, name="file_audit_detail"),
    path(
        "files/audits/<int:pk>/actions/", audit_action_add, name="file_audit_action_add"
    ),
    path("files/audit-actions/", my_audit_actions, name="my_audit_actions"),
    path(
        "files/audit-actions/<int:pk>/done/",
        audit_action_done,
        name="file_audit_action_done",
    ),
    path("files/<int:pk>/audits/", file_audits, name="file_audits"),
]
