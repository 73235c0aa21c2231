from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("tasks/", views.background_tasks, name="background_tasks"),
    path("tasks/retry/", views.task_retry, name="task_retry"),
]
