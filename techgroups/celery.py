"""The Celery app: Redis as broker in production, schedules in the database (django-celery-beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techgroups.settings.production")

app = Celery("techgroups")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
