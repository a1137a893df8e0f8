# syntax=docker/dockerfile:1
#
# Anjian API image.
#
#   docker build -t anjian .
#
# Migrations are a separate, explicit step, run once per release before the new containers
# start (never from the service containers: with several replicas and workers they would race).
# Give it the same settings as the service (ANJIAN_ENVIRONMENT=production validates them all):
#
#   docker run --rm --env-file anjian.env anjian alembic upgrade head
#   docker run --rm --env-file anjian.env anjian python -m app.reference.loader --if-empty
#   docker run -d -p 8000:8000 --env-file anjian.env anjian
#
# anjian.env holds at least DATABASE_URL (or ANJIAN_DATABASE_URL), ANJIAN_CURSOR_SECRET (32+
# characters) and ANJIAN_JWKS_FILE or ANJIAN_JWKS_URL. Uploaded evidence goes to
# /app/.data/attachments (ANJIAN_ATTACHMENT_DIR): mount a persistent volume there.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------------- builder ---
FROM ${PYTHON_IMAGE} AS builder

# uv pinned to the version that wrote uv.lock. PIP_INDEX_URL may point at a local mirror.
ARG UV_VERSION=0.13.9
RUN python -m pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app
COPY pyproject.toml uv.lock ./
# Locked runtime dependencies only: no dev group (tests, linters, embedded PostgreSQL).
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# ---------------------------------------------------------------------------------- runtime ---
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:${PATH}" \
    ANJIAN_ENVIRONMENT=production

RUN groupadd --system --gid 10001 anjian \
    && useradd --system --uid 10001 --gid anjian --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin anjian

WORKDIR /app
# Same base image and path as the builder, so the venv's interpreter links stay valid.
COPY --from=builder /app/.venv /app/.venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY data ./data
COPY scripts ./scripts
COPY app ./app
RUN python -m compileall -q app migrations scripts \
    && mkdir -p /app/.data/attachments \
    && chown -R anjian:anjian /app/.data

USER anjian:anjian
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Several worker processes; uvicorn's supervisor is PID 1 and handles SIGTERM gracefully.
# Behind a reverse proxy, set FORWARDED_ALLOW_IPS to the proxy's address for X-Forwarded-*.
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "2", "--timeout-graceful-shutdown", "20", "--no-server-header"]
