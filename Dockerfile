# The application image used by web, worker, beat and migrate (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    MEDIA_ROOT=/var/lib/helpdesk/media \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system helpdesk \
    && useradd --system --gid helpdesk --home-dir /app --no-create-home helpdesk

WORKDIR /app
COPY . .
RUN pip install . \
    && mkdir -p "$MEDIA_ROOT" \
    && chown helpdesk:helpdesk "$MEDIA_ROOT"

# Static files are collected at build time (hashed names for whitenoise). The key and address are
# dummies for this step only: the running containers read the real ones from .env.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput

USER helpdesk
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
