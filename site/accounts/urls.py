from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/setup/", views.setup, name="two_factor_setup"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path(
        "two-factor/backup-codes/", views.backup_codes, name="two_factor_backup_codes"
    ),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
]
