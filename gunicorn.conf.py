"""gunicorn settings for `make serve` (and the systemd unit in the README).

Environment: PORT (8000), HOST (127.0.0.1: nginx in front on the same host; 0.0.0.0 in a
container), WEB_CONCURRENCY (workers; gunicorn reads it itself, default here 2 per core + 1).
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A letter rendered on first download (the safety net) may take a second or two under load.
timeout = 60
graceful_timeout = 30
# The application logs every request as one JSON line with its request id.
accesslog = None
# Workers keep nothing between requests; the app is built in each worker after the fork, so no
# pooled database connection is shared (no --preload).
preload_app = False
# Several instances may run on one host (as in the tests); nothing here needs the control socket.
control_socket_disable = True
# Behind nginx on the same host: trust its X-Forwarded-* (the app's ProxyFix reads them).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The Server header names neither the software nor its version: gunicorn writes its own before
# the application's headers, so it is set here to the name the application sends.


def post_worker_init(worker):
    """The app is loaded: what it made at start-up (modules, templates, mappers) lives as long
    as the worker, so the garbage collector stops walking it. Without this every full
    collection walks some 200,000 objects, a few milliseconds taken from whichever request
    happens to trigger it (gc.freeze, as the Python documentation suggests for servers)."""
    import gc

    gc.freeze()


import gunicorn.http.wsgi  # noqa: E402

gunicorn.http.wsgi.SERVER = "jiati"
