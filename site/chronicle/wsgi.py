"""WSGI entry point; puts the repository root (the apps) and site/ on sys.path."""

import os
import sys
from pathlib import Path

_SITE = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_SITE.parent), str(_SITE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chronicle.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
