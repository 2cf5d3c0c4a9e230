# The Airflow image with dgops installed: `docker compose build` (docker-compose.yml uses it).
# Airflow stays at the image's version: apache-airflow is pinned on every install, so nothing
# dgops needs can upgrade or downgrade it. dgops's own dependencies come from uv.lock.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.9

FROM ${UV_IMAGE} AS uv

FROM ${AIRFLOW_IMAGE}

COPY --from=uv /uv /usr/local/bin/uv

USER root
RUN mkdir -p /opt/dgops/var && chown -R airflow:0 /opt/dgops && chmod -R g+rwX /opt/dgops
USER airflow

WORKDIR /opt/dgops
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
# The locked versions of dgops's dependencies (without the airflow extra: the image has it).
RUN uv export --frozen --no-dev --no-hashes --no-emit-project --format requirements-txt \
        --output-file /tmp/dgops-requirements.txt \
    && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
        -r /tmp/dgops-requirements.txt \
    && rm /tmp/dgops-requirements.txt

COPY --chown=airflow:0 dgops ./dgops
# The wheel holds dgops_devtools too (`dgops mail sink`, the compose file's mail-sink service).
COPY --chown=airflow:0 dgops_devtools ./dgops_devtools
RUN pip install --no-cache-dir --no-deps "apache-airflow==${AIRFLOW_VERSION}" /opt/dgops

# dgops reads templates/, sql/ and expectations/ under DGOPS_HOME. They are baked in so the
# image works alone; docker-compose.yml mounts the checkout's copies over them for development.
COPY --chown=airflow:0 sql ./sql
COPY --chown=airflow:0 templates ./templates
COPY --chown=airflow:0 expectations ./expectations

ENV DGOPS_HOME=/opt/dgops \
    DGOPS_VAR_DIR=/opt/dgops/var
WORKDIR /opt/airflow
