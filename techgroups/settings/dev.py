"""The embedded default: SQLite, a local cache, mail to a local outbox, jobs on a file broker.

Nothing here needs a server, so `make run` works on a fresh machine.
"""

import os
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parents[2] / "var"

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")

from .base import *  # noqa: E402, F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, env  # noqa: E402

VAR_DIR.mkdir(exist_ok=True)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# The outbox: every e-mail is written as a file the user can open (see README).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(env.path("DJANGO_OUTBOX_DIR", default=VAR_DIR / "outbox"))},
    }
}

# Celery without Redis: kombu's filesystem transport, so worker and beat still run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
(_broker_dir / "processed").mkdir(parents=True, exist_ok=True)  # kombu does not create it
CELERY_BROKER_TRANSPORT_OPTIONS.update(
    {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else "control/" in the working dir
        "store_processed": False,
    }
)

SECURE_HSTS_SECONDS = 0
