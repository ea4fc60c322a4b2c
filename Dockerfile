# The portal's production image: gunicorn serving Django, static files via WhiteNoise.
# The same image runs the web process, the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=techgroups.settings.production

RUN pip install --no-cache-dir "uv==0.13.9" \
 && useradd --system --create-home --uid 10001 --user-group app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .

# Static files are collected at build time. The values below exist only for this step:
# production settings refuse to load without them, and none of them reaches the running image.
RUN DJANGO_SECRET_KEY=build-only-dummy-secret-not-used-at-run-time \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CACHE_URL=locmemcache:// \
    CELERY_BROKER_URL=memory:// \
    EMAIL_URL=consolemail:// \
    PROGRAM_TEAM_EMAIL=build-only@techgroups.internal \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var/media \
 && chown -R app:app /app/var

USER app
EXPOSE 8000

CMD ["gunicorn", "techgroups.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
