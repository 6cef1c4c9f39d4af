# Staffroom in a container. compose.yaml builds and runs it beside PostgreSQL; alone:
#   docker build -t staffroom . && docker run --env-file .env -v staffroom-data:/srv/staffroom/data staffroom
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The bot never runs as root: a system user whose home is the bot's working folder.
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /srv/staffroom staffroom

# The package as it is in this checkout (.dockerignore keeps .venv, data/, .env and .git out).
COPY . /tmp/staffroom
RUN pip install /tmp/staffroom && rm -rf /tmp/staffroom

USER staffroom
WORKDIR /srv/staffroom
# data/ holds an SQLite database when DATABASE_URL names none elsewhere, and the bot's files.
RUN mkdir -p data
VOLUME ["/srv/staffroom/data"]

# Webhook mode only (WEBHOOK_URL set): the webhook on 8080 and /healthz on 8081, reachable from
# outside the container.
ENV WEBHOOK_LISTEN=0.0.0.0
EXPOSE 8080 8081

# SIGTERM (docker stop) lets the bot send what it still has to say, within 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["staffroom", "health"]
CMD ["staffroom", "run"]
