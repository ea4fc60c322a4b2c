"""The portal under its production settings, in a process of its own (the tests' process runs
the test settings): a realistic environment and a way to run Python in it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**overrides: str) -> dict[str, str]:
    """A realistic production environment, independent of the one the tests run in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "CACHE_URL", "CELERY_", "EMAIL_URL", "PROGRAM_TEAM_EMAIL")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="techgroups.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="groups.example.org",
        DATABASE_URL="postgres://techgroups@127.0.0.1:5432/techgroups",
        CACHE_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp://mail:1025",
        PROGRAM_TEAM_EMAIL="program-team@groups.example.se",
    )
    env.update(overrides)
    return env


def run_in_production(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python *args` in the project's directory with `env` (see production_env)."""
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py, fixed arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
