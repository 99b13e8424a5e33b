#!/usr/bin/env bash
# Installs the real components the integration tests start on 127.0.0.1 that npm cannot install:
# redis-server (Debian's package, the online store) and MLflow (PyPI, into the git-ignored .venv, the
# tracking server and the client that reads our file store back). Run by `npm test` (pretest) and
# .ci/run; quick and silent when both are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
MLFLOW_VERSION=3.17.2

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else
    echo "fitlake tests need '$*' to run as root (or passwordless sudo); run it yourself, then npm test again" >&2
    exit 1
  fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "fitlake tests need $* (no apt-get here: install it with your package manager, then npm test again)" >&2
    exit 1
  fi
  echo "fitlake tests: installing $* (apt)" >&2
  [ -n "${APT_UPDATED:-}" ] || { as_root apt-get update -q >/dev/null; APT_UPDATED=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

command -v redis-server >/dev/null 2>&1 || apt_install redis-server

if ! compgen -G ".venv/lib/python3*/site-packages/mlflow-${MLFLOW_VERSION}.dist-info" >/dev/null; then
  echo "fitlake tests: installing mlflow==${MLFLOW_VERSION} into .venv (pip; a minute or two, once)" >&2
  if [ ! -x .venv/bin/pip ]; then
    rm -rf .venv
    python3 -m venv .venv 2>/dev/null || { apt_install python3-venv && rm -rf .venv && python3 -m venv .venv; }
  fi
  .venv/bin/pip install -q --disable-pip-version-check "mlflow==${MLFLOW_VERSION}"
fi
