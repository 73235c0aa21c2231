"""The child's file in the admin: the list of files, the file with its front sheet
and chronology, and what a DSL adds to it. Every file is found through
selectors.pupils_visible_to (the DSLs and deputies of the child's school), so anyone
else gets a 404; every view of a file writes an ACCESS entry."""

from functools import partial

from auditlog import get_logentry_model
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import CASE_ROLES, schools_where
from audit.services import record_access
from chronicle.forms import add_service_errors
from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from . import forms, quality, retention, services
from .chronology import KINDS, Filters, chronology, matches, target_of
from .export import file_export
from .frontsheet import concern_page, file_panels, front_sheet
from .models import NoteAttachment
from .restrictions import restriction_of
from .selectors import (
    concerns_restricted_from,
    concerns_visible_to,
    is_read_only,
    pupil_concern_figures,
    pupil_concerns,
    pupils_restricted_from,
    pupils_visible_to,
    pupils_workable_by,
)
from .views import document_response

PAGE_SIZE = 50


def _pupil(request, pk):
    """A file the user may read (a break-glass access included)."""
    return get_object_or_404(
        pupils_visible_to(request.user).select_related("school"), pk=pk
    )


def _workable(request, pk):
    """A file the user may add to: never through a break-glass access."""
    return get_object_or_404(
        pupils_workable_by(request.user).select_related("school"), pk=pk
    )


def name_or_upn_matches(query):
    """A child by UPN, or by name as people type it: "Maya Ashdown", "Ashdown,
    Maya", "ash" — every word must be in the first, preferred or last name."""
    words = query.replace(",", " ").split()
    by_name = Q()
    for word in words[:5]:
        by_name &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return Q(upn__iexact=query) | by_name


def file_list(request):
    """The files of the user's schools, searchable by name or UPN."""
    if not schools_where(request.user, *CASE_ROLES).exists():
        raise PermissionDenied
    pupils = pupils_visible_to(request.user)
    # NUL can't go into a PostgreSQL query; nobody types it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        pupils = pupils.filter(name_or_upn_matches(query))
    leavers_matching = 0
    if request.GET.get("left") != "on":
        if query:
            leavers_matching = pupils.filter(date_left__isnull=False).count()
        pupils = pupils.filter(date_left__isnull=True)
    pupils = pupils.select_related("school").order_by("last_name", "first_name", "pk")
    # Page first, then count concerns for the fifty pupils shown: the pager counts
    # pupils only, and the grouping reads no more than this page's involvements.
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    figures = pupil_concern_figures(page.object_list, user=request.user)
    for pupil in page.object_list:
        pupil.concern_count, pupil.last_concern = figures.get(pupil.pk, (0, None))
    return TemplateResponse(
        request,
        "records/file/list.html",
        {
            "page_obj": page,
            "q": query,
            "left": request.GET.get("left") == "on",
            "leavers_matching": leavers_matching,
            "restricted_count": pupils_restricted_from(request.user).count(),
        },
    )


def attention(request):
    """Files whose records have gaps: missing voice, rationale or outcomes, overdue
    reviews, open concerns with nothing recorded."""
    pupils = pupils_visible_to(request.user)
    if not pupils.exists():
        raise PermissionDenied
    found = quality.findings(user=request.user, pupils=pupils)
    by_pupil = {}
    for finding in found:
        by_pupil.setdefault(finding.pupil_id, []).append(finding)
    # Ordered from the names alone, then only the page's 50 files are loaded: a
    # trust's tens of thousands of ids never become a literal list in a query.
    names = dict(pupils.values_list("pk", "last_name"))
    order = sorted(by_pupil, key=lambda pk: (-len(by_pupil[pk]), names.get(pk, "")))
    page = Paginator(order, PAGE_SIZE).get_page(request.GET.get("page"))
    files = pupils.filter(pk__in=list(page.object_list)).select_related("school")
    loaded = {pupil.pk: pupil for pupil in files}
    page.object_list = [
        {"pupil": loaded[pk], "findings": by_pupil[pk]}
        for pk in page.object_list
        if pk in loaded
    ]
    return TemplateResponse(
        request,
        "records/file/attention.html",
        {"page_obj": page, "labels": quality.LABELS},
    )


def _filters(request, pupil):
    categories = terms_offered(Vocabulary.CATEGORY, school=pupil.school).filter(
        parent__isnull=True
    )
    form = forms.ChronologyFilterForm(
        request.GET or None, kinds=KINDS, categories=categories
    )
    if not form.is_bound or not form.is_valid():
        return form, Filters()
    data = form.cleaned_data
    return form, Filters(
        kinds=frozenset(data["kinds"]),
        start=data["start"],
        end=data["end"],
        category=data["category"],
        significant_only=data["significant_only"],
    )


def file_detail(request, pk):
    pupil = _pupil(request, pk)
    record_access(obj=pupil, event="file read")
    hidden = list(
        concerns_restricted_from(request.user, pupil=pupil)
        .only("pk", "school_reference")
        .order_by("pk")
    )
    filter_form, filters = _filters(request, pupil)
    everything = chronology(pupil, user=request.user)
    entries = [entry for entry in everything if matches(entry, filters)]
    found = quality.findings(
        user=request.user, pupils=pupils_visible_to(request.user).filter(pk=pupil.pk)
    )
    return TemplateResponse(
        request,
        "records/file/detail.html",
        {
            "pupil": pupil,
            "findings": found,
            "health": quality.health(found),
            "front": front_sheet(pupil, entries=everything),
            # What the apps above records add (records.frontsheet's hooks).
            "panels": file_panels(request=request, pupil=pupil),
            "concern_page": concern_page(),
            "entries": entries,
            "total": len(everything),
            "filter_form": filter_form,
            "filtered": filters != Filters(),
            "print": request.GET.get("print") == "1",
            "review_on": retention.review_date(pupil),
            "is_dsl": schools_where(request.user, Role.DSL)
            .filter(pk=pupil.school_id)
            .exists(),
            "read_only": is_read_only(request.user, pupil),
            "restriction": restriction_of(pupil),
            "hidden_concerns": len(hidden),
            # Their references only: what break-glass asks for.
            "hidden_references": [concern.reference for concern in hidden],
        },
    )


def _form_page(request, pupil, form, *, title, action):
    return TemplateResponse(
        request,
        "records/file/form.html",
        {"pupil": pupil, "form": form, "title": title, "action": action},
    )


def _saved(request, pupil, message, key=""):
    """Back to the file, at the entry just added or changed."""
    messages.success(request, message)
    url = reverse("records_admin:file_detail", args=[pupil.pk])
    return redirect(f"{url}#entry-{key}" if key else url)


def note_add(request, pk):
    pupil = _workable(request, pk)
    form = forms.FileNoteForm(
        request.POST or None,
        request.FILES or None,
        concerns=pupil_concerns(pupil, user=request.user),
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            note = services.file_note_add(
                pupil=pupil,
                user=request.user,
                attachments=data.pop("documents"),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, pupil, _("Added to the file."), f"note-{note.pk}")
    return _form_page(request, pupil, form, title=_("Add to the file"), action="note")


def addendum_add(request, pk, key):
    pupil = _workable(request, pk)
    target = target_of(pupil, user=request.user, key=key)
    if target is None:
        raise Http404
    form = forms.AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.addendum_add(
                pupil=pupil, user=request.user, target=target, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(
                request, pupil, _("Addendum added. The record is unchanged."), key
            )
    return TemplateResponse(
        request,
        "records/file/addendum.html",
        {
            "pupil": pupil,
            "form": form,
            "target": target,
            "key": key,
            "kind": key.split("-", 1)[0],
        },
    )


@require_POST
def significant_set(request, pk, key):
    pupil = _workable(request, pk)
    target = target_of(pupil, user=request.user, key=key)
    if target is None:
        raise Http404
    significant = request.POST.get("significant") == "1"
    services.significant_set(
        pupil=pupil, user=request.user, target=target, significant=significant
    )
    messages.success(
        request,
        _("Marked as significant.") if significant else _("No longer marked."),
    )
    return redirect(
        reverse("records_admin:file_detail", args=[pupil.pk]) + f"#entry-{key}"
    )


def _add(request, pupil, form, save, *, done, title, action):
    """The shape of every "add to the file" page: validate, call the service, back
    to the file; on an error the form comes back with what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(pupil=pupil, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, pupil, done)
    return _form_page(request, pupil, form, title=title, action=action)


def link_add(request, pk):
    pupil = _workable(request, pk)
    others = (
        pupils_visible_to(request.user).filter(school=pupil.school).exclude(pk=pupil.pk)
    )
    form = forms.PupilLinkForm(request.POST or None, pupils=others)
    return _add(
        request,
        pupil,
        form,
        services.pupil_link_add,
        done=_("Files linked."),
        title=_("Link another child's file"),
        action="link",
    )


def key_person_add(request, pk):
    pupil = _workable(request, pk)
    form = forms.KeyPersonForm(request.POST or None)
    return _add(
        request,
        pupil,
        form,
        services.key_person_add,
        done=_("Key person added."),
        title=_("Add a key person"),
        action="person",
    )


def flag_add(request, pk):
    pupil = _workable(request, pk)
    flags = terms_offered(Vocabulary.PROFILE_FLAG, school=pupil.school)
    form = forms.PupilFlagForm(request.POST or None, flags=flags)
    return _add(
        request,
        pupil,
        form,
        services.pupil_flag_add,
        done=_("Flag added."),
        title=_("Add a profile flag"),
        action="flag",
    )


def _end(request, pupil, form, end, *, missing, done):
    """Ending a flag or a key person's role: a dated POST from the front sheet."""
    if not form.is_valid():
        messages.error(request, missing)
    else:
        try:
            end(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return redirect("records_admin:file_detail", pk=pupil.pk)


@require_POST
def flag_end(request, pk, flag_pk):
    """A plan or status has ended: the flag keeps its history with an end date."""
    pupil = _workable(request, pk)
    flag = get_object_or_404(pupil.flags, pk=flag_pk)
    return _end(
        request,
        pupil,
        forms.FlagEndForm(request.POST),
        partial(services.pupil_flag_end, flag=flag),
        missing=_("Give the date the flag ended."),
        done=_("%(flag)s ended.") % {"flag": flag.flag_name},
    )


@require_POST
def person_end(request, pk, person_pk):
    """Someone is no longer involved: off the front sheet, kept in the file."""
    pupil = _workable(request, pk)
    person = get_object_or_404(pupil.key_people, pk=person_pk)
    return _end(
        request,
        pupil,
        forms.PersonEndForm(request.POST),
        partial(services.key_person_end, person=person),
        missing=_("Give the date their role ended."),
        done=_("%(name)s is no longer listed.") % {"name": person.name},
    )


def document_download(request, pk):
    """A document on a file note, to those who may open the file (and the concern
    the note is tied to, if any); logged."""
    document = get_object_or_404(
        NoteAttachment.objects.filter(
            note__pupil__in=pupils_visible_to(request.user)
        ).filter(
            Q(note__concern__isnull=True)
            | Q(note__concern__in=concerns_visible_to(request.user))
        ),
        pk=pk,
    )
    record_access(obj=document, event="document downloaded")
    # ...and on the child's file, so "who has viewed this file" lists it. A note
    # tied to a concern may be restricted: its document's name stays with the
    # concern's own history, out of the file's (which more people can read).
    note = document.note
    record_access(
        obj=note.pupil,
        event="document downloaded",
        document=document.original_name
        if note.concern_id is None
        else _("a document on concern %(ref)s") % {"ref": note.concern.reference},
    )
    return document_response(document)


def export(request, pk):
    """The file as a PDF, after the DSL says why (logged with the reason)."""
    pupil = _pupil(request, pk)
    form = forms.ExportForm(request.POST or None)
    filter_form, filters = _filters(request, pupil)
    if filter_form.is_bound and not filter_form.is_valid():
        messages.error(
            request,
            _("The chronology filter is not valid: correct it on the file first."),
        )
        return redirect("records_admin:file_detail", pk=pupil.pk)
    if request.method == "POST" and form.is_valid():
        pdf = file_export(
            pupil=pupil,
            user=request.user,
            filters=filters,
            reason=form.cleaned_data["reason"],
            redact=form.cleaned_data["redact_other_children"],
            request=request,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"file-{pupil.upn}-{timezone.localdate():%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return TemplateResponse(
        request,
        "records/file/export.html",
        {"pupil": pupil, "form": form, "query": request.GET.urlencode()},
    )


def access_history(request, pk):
    """Who has opened this file, exported it or downloaded its documents."""
    pupil = _pupil(request, pk)
    entries = (
        get_logentry_model()
        .objects.get_for_object(pupil)
        .filter(action=get_logentry_model().Action.ACCESS)
        .select_related("actor")
        .order_by("-timestamp")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "records/file/access.html", {"pupil": pupil, "page_obj": page}
    )


urlpatterns = [
    path("files/", file_list, name="file_list"),
    path("files/attention/", attention, name="file_attention"),
    path("files/<int:pk>/", file_detail, name="file_detail"),
    path("files/<int:pk>/add/", note_add, name="file_note_add"),
    path("files/<int:pk>/links/add/", link_add, name="file_link_add"),
    path("files/<int:pk>/people/add/", key_person_add, name="file_person_add"),
    path(
        "files/<int:pk>/people/<int:person_pk>/end/",
        person_end,
        name="file_person_end",
    ),
    path("files/<int:pk>/flags/add/", flag_add, name="file_flag_add"),
    path("files/<int:pk>/flags/<int:flag_pk>/end/", flag_end, name="file_flag_end"),
    path("files/<int:pk>/access/", access_history, name="file_access"),
    path("files/<int:pk>/export/", export, name="file_export"),
    path(
        "files/<int:pk>/entries/<slug:key>/addendum/",
        addendum_add,
        name="file_addendum_add",
    ),
    path(
        "files/<int:pk>/entries/<slug:key>/significant/",
        significant_set,
        name="file_significant",
    ),
    path("files/documents/<int:pk>/", document_download, name="file_document"),
]
