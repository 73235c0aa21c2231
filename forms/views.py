from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import schools_where
from chronicle.forms import is_id
from records.selectors import concerns_reported_by, pupils_reportable_by

from . import services
from .models import ConcernFormPage

SEARCH_LIMIT = 10
DRAFT_MAX_BYTES = 200_000


def _require_role(request):
    if not request.user.is_authenticated or not schools_where(request.user).exists():
        raise PermissionDenied


def _offered_form(request, page_id):
    """The form, if it is one of the user's schools' or their trust's (live or
    retired); another school's form is not found."""
    page = get_object_or_404(ConcernFormPage, pk=page_id)
    if not page.is_offered_to(request.user):
        raise Http404
    return page


def form(request, page_id):
    """Where a concern form posts. A form retired while someone was writing still
    accepts what they send: a report about a child is never turned away."""
    page = get_object_or_404(ConcernFormPage, pk=page_id)
    if request.method == "GET" and not page.live and "submitted" not in request.GET:
        raise Http404
    return page.serve(request)


@require_POST
def draft(request, page_id):
    """Autosave of what has been typed so far (the form's script calls this)."""
    _require_role(request)
    page = _offered_form(request, page_id)
    # Not request.body: the CSRF check has already read the multipart stream.
    if int(request.META.get("CONTENT_LENGTH") or 0) > DRAFT_MAX_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    saved = services.draft_save(user=request.user, page=page, data=request.POST)
    if saved is None:
        return JsonResponse({"error": "already sent"}, status=409)
    return JsonResponse({"saved_at": saved.saved_at.isoformat()})


@require_POST
def draft_discard(request, page_id):
    _require_role(request)
    page = _offered_form(request, page_id)
    services.draft_discard(user=request.user, page=page)
    return redirect(page.url)


@require_GET
def pupil_search(request):
    """Type-ahead for the concern form: pupils on roll at the user's schools whose
    name or UPN matches. Returns identity only (name, year), never the file."""
    if not request.user.is_authenticated or not schools_where(request.user).exists():
        raise PermissionDenied
    # NUL can't go into a PostgreSQL query; nobody types it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]
    if len(query) < 2:
        return JsonResponse({"results": []})
    pupils = pupils_reportable_by(request.user)
    form_id = request.GET.get("form", "")
    page = ConcernFormPage.objects.filter(pk=form_id or None).first()
    if page is not None and is_id(form_id) and page.is_offered_to(request.user):
        # A school's form offers its own pupils only (the form refuses others too).
        pupils = pupils.filter(school__in=page.schools_for(request.user))
    matches = pupils.filter(
        Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
        | Q(preferred_name__icontains=query)
        | Q(upn__iexact=query)
    )[:SEARCH_LIMIT]
    return JsonResponse(
        {
            "results": [
                {
                    "id": pupil.pk,
                    "name": pupil.display_name,  # for "Remove <name>"
                    "label": f"{pupil.display_name} · {pupil.get_year_group_display()}"
                    f" · {pupil.school.name}",
                }
                for pupil in matches
            ]
        }
    )


def my_reports(request):
    """The reporter's own concerns and their status; no case content."""
    page = Paginator(concerns_reported_by(request.user), 25).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request, "concern_forms/my_reports.html", {"page_obj": page}
    )
