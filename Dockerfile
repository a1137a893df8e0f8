# Anjian: one image for the API, the worker, migrations and the reference loader.
#
# BUILD. BuildKit is required (RUN --mount: the uv cache and the optional company CA); Docker 23+
# uses it by default (older: DOCKER_BUILDKIT=1); podman and buildah read the same syntax (with
# --format docker, or they drop the HEALTHCHECK). There is no `# syntax=` line, so no frontend
# image is pulled: the build needs the base image below and a Python package index, nothing
# else.
#
#   make image                                    # docker build -t anjian:<version> . + labels
#   docker build -t anjian \
#     --build-arg PACKAGE_INDEX=https://mirror.example.gov.cn/pypi/simple \
#     --secret id=company_ca,src=/etc/pki/company-root-ca.pem .
#
# - PACKAGE_INDEX: PyPI (default) or any mirror of it (a PEP 503 "simple" URL). Dependencies are
#   the exact files of uv.lock (`uv export --locked`: a lock out of date with pyproject.toml stops
#   the build), each checked against the lock's SHA-256, so a mirror cannot substitute a file.
#   uv itself comes from the same index, hash-pinned in docker/uv-requirements.txt.
# - company_ca (optional build secret): a PEM CA added to the system bundle for the builder's
#   downloads (a TLS-inspecting proxy, an internal mirror). HTTP(S)_PROXY build args pass through.
# - PYTHON_IMAGE: the base, pinned by digest when `make image-pin` has been run on a machine that
#   reaches the registry (it rewrites the default below); the same base serves both stages (the
#   virtualenv links to its interpreter). A local copy or a registry mirror can be named instead.
#
# RUN. The image starts `python -m app.serve` (uvicorn, ANJIAN_WORKERS processes on ANJIAN_PORT).
# docs/deployment.md tells the whole story; compose.yaml is the way to try it. In short:
#
#   docker run --rm --env-file anjian.env anjian alembic upgrade head      # each release, first
#   docker run --rm --env-file anjian.env anjian python -m app.reference.loader --if-empty
#   docker run -d --env-file anjian.env -p 8000:8000 -v anjian-files:/app/.data/attachments anjian
#   docker run -d --env-file anjian.env -v anjian-files:/app/.data/attachments --stop-timeout 30 \
#     anjian python -m app.worker
#
# anjian.env must set (ANJIAN_ENVIRONMENT=production refuses to start without them, exits 2 and
# names the setting; `docker run … anjian python -m app.preflight` checks a file):
#   DATABASE_URL (or ANJIAN_DATABASE_URL)   postgresql://user:password@host:5432/anjian
#   ANJIAN_CURSOR_SECRET                   32+ random characters
#   ANJIAN_JWKS_FILE or ANJIAN_JWKS_URL    the identity provider's signing keys
#   ANJIAN_PUBLIC_REPORT_KEY               base64 of 32 random bytes (openssl rand -base64 32)
# and must NOT set ANJIAN_DEV_JWT_SECRET. Often also: ANJIAN_METRICS_TOKEN (enables /metrics),
# FORWARDED_ALLOW_IPS (the reverse proxy), ANJIAN_TRUST_FORWARDED_FOR.
#
# STOPPING. On SIGTERM the API stops accepting, gives in-flight requests
# ANJIAN_GRACEFUL_SHUTDOWN_SECONDS (8) and exits 0; Docker's and podman's default stop timeout
# (10 s) and Kubernetes' terminationGracePeriodSeconds (30 s) leave room. Raising it? Raise
# `docker run --stop-timeout` / compose `stop_grace_period` / terminationGracePeriodSeconds to
# at least the new value + 2 s. The worker finishes the webhook deliveries in hand (up to
# ANJIAN_WEBHOOK_TIMEOUT_SECONDS, 10) and the clock job running: give it 30 s.
#
# HEALTH. `python -m app.healthcheck`: GET /healthz on ANJIAN_PORT for the API; for a worker
# (it writes a heartbeat file, an API never does) the heartbeat's age. Readiness for a load
# balancer is GET /readyz (database answers, schema at head).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------- builder ---
FROM ${PYTHON_IMAGE} AS builder

ARG PACKAGE_INDEX=https://pypi.org/simple

ENV UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY docker/uv-requirements.txt pyproject.toml uv.lock ./
# Locked runtime dependencies only: no dev group (tests, linters, embedded PostgreSQL).
RUN --mount=type=secret,id=company_ca \
    --mount=type=cache,target=/root/.cache/uv \
    set -eu; \
    if [ -s /run/secrets/company_ca ]; then \
        cat /etc/ssl/certs/ca-certificates.crt /run/secrets/company_ca > /tmp/ca-bundle.pem; \
        export SSL_CERT_FILE=/tmp/ca-bundle.pem PIP_CERT=/tmp/ca-bundle.pem \
            REQUESTS_CA_BUNDLE=/tmp/ca-bundle.pem; \
    fi; \
    python -m pip install --no-cache-dir --require-hashes --index-url "$PACKAGE_INDEX" \
        -r uv-requirements.txt; \
    uv export --quiet --locked --no-dev --no-emit-project --format requirements.txt \
        -o requirements.txt; \
    uv venv --python "$(command -v python3)" /app/.venv; \
    UV_DEFAULT_INDEX="$PACKAGE_INDEX" uv pip install --python /app/.venv/bin/python \
        --quiet --require-hashes --no-deps --compile-bytecode -r requirements.txt

# ---------------------------------------------------------------------------------- runtime ---
FROM ${PYTHON_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG PYTHON_IMAGE
LABEL org.opencontainers.image.title="anjian" \
      org.opencontainers.image.description="Anjian (安监): work-safety supervision REST service; API, worker, migrations and reference loader" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}" \
      org.opencontainers.image.documentation="docs/deployment.md"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:${PATH}" \
    ANJIAN_ENVIRONMENT=production \
    ANJIAN_HOST=0.0.0.0 \
    ANJIAN_PORT=8000 \
    ANJIAN_WORKERS=2 \
    ANJIAN_GRACEFUL_SHUTDOWN_SECONDS=8 \
    ANJIAN_ATTACHMENT_DIR=/app/.data/attachments \
    ANJIAN_WORKER_METRICS_ADDRESS=0.0.0.0

RUN groupadd --system --gid 10001 anjian \
    && useradd --system --uid 10001 --gid anjian --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin anjian

WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY data ./data
COPY app ./app
RUN python -m compileall -q app migrations \
    && mkdir -p /app/.data/attachments \
    && chown -R anjian:anjian /app/.data

USER anjian:anjian
# /app/.data/attachments holds uploaded evidence and public report photos: mount one persistent
# volume there in the API and the worker containers (the worker's photo clean-up deletes there).
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "app.healthcheck"]

CMD ["python", "-m", "app.serve"]
