"""gunicorn's settings for the web process (deploy/Procfile), from the environment.

WEB_CONCURRENCY worker processes (default: two per CPU plus one) of WEB_THREADS
threads each; the app is not preloaded, so `kill -HUP` on the master (systemctl
reload chronicle-web) starts workers on the new code and lets the old ones finish
their requests: an upgrade without dropping a request. No access log here: the app
writes its own, without query strings or tokens (chronicle.logs).
"""

import multiprocessing
import os
from pathlib import Path

# chronicle.wsgi lives in site/; it puts the apps on sys.path itself.
pythonpath = str(Path(__file__).resolve().parents[1] / "site")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", 4))
# A PDF export of a long file can take a while; anything slower is stuck.
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so no slow leak builds up.
max_requests = 2000
max_requests_jitter = 200
accesslog = None
errorlog = "-"
preload_app = False
# The proxy in front sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
