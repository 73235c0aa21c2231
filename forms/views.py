from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from accounts.selectors import schools_where
from records.selectors import concerns_reported_by, pupils_reportable_by

SEARCH_LIMIT = 10


@require_GET
def pupil_search(request):
    """Type-ahead for the concern form: pupils on roll at the user's schools whose
    name or UPN matches. Returns identity only (name, year), never the file."""
    if not request.user.is_authenticated or not schools_where(request.user).exists():
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:50]
    if len(query) < 2:
        return JsonResponse({"results": []})
    matches = pupils_reportable_by(request.user).filter(
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
