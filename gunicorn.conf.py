"""gunicorn settings, read by `gunicorn wsgi:app` from the working directory (measured in bench/http_bench.py).

On the 2-core test machine, 3 sync workers (cores + 1) gave the most viewport answers per second at 8
concurrent clients; more workers only queued on the same cores. Override any value with the environment.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request is CPU-bound Python (templates, JSON, SQLite); threads would wait on the GIL.
# Measured against gunicorn's threaded worker (one thread, connections kept open): that answered a lone client
# ~1 ms sooner (no new connection per request), but 8 clients 15 % slower (418-569 against 512-667 viewports/s),
# since each kept-open connection stays with one worker and the workers' loads drift apart. A reverse proxy
# opens a connection per request by default anyway.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # for the threaded worker only
# No page is allowed to take long; a worker stuck past this is killed and restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# For the threaded worker, or a proxy that keeps upstream connections: how long an idle one stays open.
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart together), which
# caps any slow growth of memory.
max_requests = 5000
max_requests_jitter = 500
# The app is built before forking (create_app does no I/O and opens no connection), so the workers share
# its memory; each opens its own database pool on first use.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # "-" for stdout; off by default


def post_worker_init(worker):
    # Each worker builds the permit rule book before its first request instead of during it (p95 of the
    # bench's first plans: 1.1 s).
    from flask import Flask

    from locations.permits.rulebook import warm

    if isinstance(worker.wsgi, Flask):
        warm(worker.wsgi)
