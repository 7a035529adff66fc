"""The WSGI application (gunicorn `oila.wsgi`).

After loading, every object the process holds so far (Django's settings, apps, models, URL patterns,
translations) is moved out of the garbage collector's reach with `gc.freeze()`: they live as long as
the worker, and a full collection that walked them all paused it for 90-160 ms, every few dozen
requests (docs/adr/0020; bench/gc_pauses.py measures it).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oila.settings")
application = get_wsgi_application()


def _settle() -> None:
    """Load what the first request would load anyway, then freeze what the process holds."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every app's views and URL patterns
    gc.collect()
    gc.freeze()


_settle()
