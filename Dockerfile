# The application image used by web, worker, beat and migrate (see docker-compose.yml).
#
# BASE_IMAGE is any Debian-like image with python3 (3.11+) and its venv module: the public
# python:3.11-slim by default, or a locally made one where no registry is reachable
# (tests/deploy/podman.py makes a Debian bookworm base with debootstrap). Two stages: the first
# fills a virtualenv from wheels only (no compiler anywhere), the second copies it beside the code.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# The package index and CA bundle pip should use, when they differ from the public defaults.
ARG PIP_INDEX_URL
ARG PIP_CERT
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Dependencies first, pinned by requirements.lock: this layer is rebuilt only when they change.
# The scientific packages' own test suites (tens of MB) are left out.
COPY pyproject.toml requirements.lock ./
RUN python3 -m venv /opt/venv \
    && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && /opt/venv/bin/pip install --only-binary=:all: -c requirements.lock -r requirements.txt \
    && /opt/venv/bin/pip uninstall --yes --quiet pip \
    && for folder in /opt/venv/lib/python3*/site-packages/numpy \
        /opt/venv/lib/python3*/site-packages/scipy /opt/venv/lib/python3*/site-packages/sklearn; do \
        if [ -d "$folder" ]; then find "$folder" -depth -type d -name tests -exec rm -rf {} +; fi; \
    done

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    MEDIA_ROOT=/var/lib/helpdesk/media \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system helpdesk \
    && useradd --system --gid helpdesk --home-dir /app --no-create-home --shell /usr/sbin/nologin helpdesk

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code stays root's and read-only to the app; .dockerignore keeps tests, secrets and .git out.
COPY . .

# Static files are collected at build time (hashed names for whitenoise). The key and address are
# dummies for this step only: the running containers read the real ones from .env.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p "$MEDIA_ROOT" \
    && chown helpdesk:helpdesk "$MEDIA_ROOT"

# The only writable paths: uploads (when no S3 bucket is set) and /tmp (gunicorn's worker
# heartbeats, Celery beat's schedule). Everything else may be mounted read-only (--read-only).
VOLUME ["/var/lib/helpdesk/media"]

USER helpdesk
EXPOSE 8000
# gunicorn: logs on stdout/stderr; on SIGTERM it stops accepting, lets requests finish within
# --graceful-timeout (less than compose's stop_grace_period) and exits.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "/healthz/ready"]
CMD ["gunicorn", "helpdesk.wsgi", "--bind=0.0.0.0:8000", "--workers=3", "--graceful-timeout=20", "--access-logfile=-", "--error-logfile=-", "--worker-tmp-dir=/tmp"]
