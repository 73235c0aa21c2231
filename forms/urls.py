from django.urls import path

from . import views

app_name = "concern_forms"

urlpatterns = [path("pupils/", views.pupil_search, name="pupil_search")]
