from django.urls import path

from . import views

app_name = "concern_forms"

urlpatterns = [
    path("pupils/", views.pupil_search, name="pupil_search"),
    path("forms/<int:page_id>/", views.form, name="form"),
    path("forms/<int:page_id>/draft/", views.draft, name="draft"),
    path(
        "forms/<int:page_id>/draft/discard/", views.draft_discard, name="draft_discard"
    ),
]
