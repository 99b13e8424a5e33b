#!/usr/bin/env bash
# Installs what the notebooks need: Jupyter's notebook runner (nbclient, nbformat) into the project's
# .venv, and the TypeScript kernel: tslab from npm into notebooks/kernel/ (its own lockfile, apart from
# the project's node_modules, where the TypeScript 5.0 that tslab bundles would shadow the project's
# tsc), registered in .venv as `fitlake-tslab`, run by the node that ran this script.
# `--lab` adds JupyterLab (what `npm run notebooks` opens). Run by `npm test` (pretest) and .ci/run
# without `--lab`; quick and silent when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="fitlake's notebooks"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
NBCLIENT_VERSION=0.11.0
NBFORMAT_VERSION=5.11.1
JUPYTERLAB_VERSION=4.6.6

packages=()
pip_has nbclient "${NBCLIENT_VERSION}" || packages+=("nbclient==${NBCLIENT_VERSION}")
pip_has nbformat "${NBFORMAT_VERSION}" || packages+=("nbformat==${NBFORMAT_VERSION}")
if [ "${1:-}" = "--lab" ]; then pip_has jupyterlab "${JUPYTERLAB_VERSION}" || packages+=("jupyterlab==${JUPYTERLAB_VERSION}"); fi
if [ "${#packages[@]}" -gt 0 ]; then
  echo "${WHAT}: installing ${packages[*]} into .venv (pip; a minute, once)" >&2
  ensure_venv
  .venv/bin/pip install -q --disable-pip-version-check "${packages[@]}"
fi

TSLAB_VERSION=1.0.22
TSLAB="$(pwd)/notebooks/kernel/node_modules/tslab/bin/tslab"
if ! grep -qs "\"version\": \"${TSLAB_VERSION}\"" notebooks/kernel/node_modules/tslab/package.json; then
  echo "${WHAT}: installing tslab@${TSLAB_VERSION} into notebooks/kernel (npm ci, once)" >&2
  npm ci --prefix notebooks/kernel --no-audit --no-fund --loglevel=error >/dev/null
fi
NODE="$(command -v node)"
KERNEL_DIR=.venv/share/jupyter/kernels/fitlake-tslab
KERNEL_JSON="{\"argv\": [\"${NODE}\", \"${TSLAB}\", \"kernel\", \"--config-path\", \"{connection_file}\"], \"display_name\": \"TypeScript (fitlake)\", \"language\": \"typescript\"}"
if [ "$(cat "${KERNEL_DIR}/kernel.json" 2>/dev/null)" != "${KERNEL_JSON}" ]; then
  mkdir -p "${KERNEL_DIR}"
  printf '%s' "${KERNEL_JSON}" > "${KERNEL_DIR}/kernel.json.tmp"
  mv "${KERNEL_DIR}/kernel.json.tmp" "${KERNEL_DIR}/kernel.json"
  echo "${WHAT}: registered the fitlake-tslab kernel (${KERNEL_DIR})" >&2
fi
