"""Chronicle: the project package (settings, URLs, WSGI/ASGI entry points)."""
