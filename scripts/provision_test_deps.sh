#!/usr/bin/env bash
# Installs the real components the integration tests start on 127.0.0.1 that npm cannot install:
# redis-server and chromium (Debian's packages: the online store, the dashboard's browser tests), MLflow (PyPI, into the git-ignored .venv, the
# tracking server and the client that reads our file store back) and the Spark engine's PySpark
# (scripts/install_spark.sh), the Apache Kafka broker's jars (scripts/install_kafka.sh) the notebooks' Jupyter runner and TypeScript kernel (scripts/install_jupyter.sh) the deployment checks' tools (scripts/install_deploy_tools.sh) and the image test's Docker engine and base image (scripts/install_docker.sh). Run by `npm test` (pretest) and .ci/run; quick and silent when all
# are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
MLFLOW_VERSION=3.17.2

WHAT="fitlake tests"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

command -v redis-server >/dev/null 2>&1 || apt_install redis-server
# the dashboard's browser tests drive Debian's Chromium (playwright-core never downloads a browser)
[ -n "${FITLAKE_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || apt_install chromium

if ! pip_has mlflow "${MLFLOW_VERSION}"; then
  echo "fitlake tests: installing mlflow==${MLFLOW_VERSION} into .venv (pip; a minute or two, once)" >&2
  ensure_venv
  .venv/bin/pip install -q --disable-pip-version-check "mlflow==${MLFLOW_VERSION}"
fi

bash scripts/install_spark.sh
bash scripts/install_kafka.sh
# the notebooks' test runs them headless: nbclient in .venv, the tslab kernel in notebooks/kernel
bash scripts/install_jupyter.sh
# the deployment artifacts' offline checks: kustomize, actionlint, composeconfig (Go), kubernetes-validate, python-hcl2
bash scripts/install_deploy_tools.sh
# the image test builds and runs the Dockerfile: Debian's docker.io, and a node base image made here
bash scripts/install_docker.sh
