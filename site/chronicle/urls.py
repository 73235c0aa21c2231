from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from accounts.password_reset import PasswordResetView
from api.endpoints import api
from chronicle import health
from workflows.transfers.link_views import transfer_link

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="wagtailadmin_home"), name="home"),
    path("account/", include("accounts.urls")),
    path("concerns/", include("forms.urls")),
    path("records/", include("records.urls")),
    path("api/v1/", api.urls),
    # For load balancers and monitoring: no sign-in, no case data (chronicle.health).
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    # The receiving school's one-time link to a transferred file (no account).
    path("transfer/<str:token>/", transfer_link, name="transfer_link"),
    # Wagtail's password reset with a rate limit (accounts.password_reset).
    path(
        "admin/password_reset/",
        PasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree (configured concern forms) comes last: it serves every other path.
urlpatterns += [path("", include(wagtail_urls))]
