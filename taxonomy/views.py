from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail_modeladmin.views import EditView, HistoryView

from .forms import LOADED_VERSION, MergeForm
from .models import VOCABULARY_MODELS
from .selectors import term_last_change, terms_editable_by
from .services import TermChanged, term_lock_unchanged, term_merge


def _index_url(term):
    model = next(m for m in VOCABULARY_MODELS if m.VOCABULARY == term.vocabulary)
    return reverse(f"taxonomy_{model._meta.model_name}_modeladmin_index")


def merge(request, pk):
    """Merge one term into another of the same list (configurators only)."""
    source = get_object_or_404(
        terms_editable_by(request.user).filter(merged_into__isnull=True), pk=pk
    )
    form = MergeForm(request.POST or None, source=source, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            into = term_merge(source=source, into=form.cleaned_data["into"])
        except ValidationError as error:
            form.add_error("into", error)
        else:
            messages.success(
                request,
                _("“%(source)s” was merged into “%(into)s”.")
                % {"source": source.name, "into": into},
            )
            return redirect(_index_url(source))
    return TemplateResponse(
        request,
        "taxonomy/merge.html",
        {"source": source, "form": form, "cancel_url": _index_url(source)},
    )


class TermHistoryView(HistoryView):
    """wagtail-modeladmin shows any admin user any term's history (who changed it,
    when); a school's own terms are its own business, so only those who may edit
    the term may read it."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_edit_obj(user, self.instance)


class TermEditView(EditView):
    """wagtail-modeladmin's edit page, safe for two editors at once: a save is
    refused, with what was typed kept and what is stored now shown, if a colleague
    saved the term after the page was loaded (TermAdminForm carries the version).

    A save that changes nothing writes nothing, so it can't make someone else's
    open page look out of date."""

    stored_values = None

    def form_valid(self, form):
        if not form.has_edits():
            messages.info(self.request, _("No changes to save."))
            return redirect(self.get_success_url())
        version = form.cleaned_data.get(LOADED_VERSION)
        try:
            with transaction.atomic():
                term_lock_unchanged(term=self.instance, version=version)
                return super().form_valid(form)
        except TermChanged as changed:
            form.refuse(
                stored=changed.stored, last_change=term_last_change(changed.stored)
            )
            self.stored_values = form.stored_values(changed.stored)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(stored_values=self.stored_values, **kwargs)
