#!/usr/bin/env bash
# The notebooks' commands (npm run notebooks / notebooks:execute / notebooks:check): installs Jupyter
# and the TypeScript kernel once (scripts/install_jupyter.sh), then opens JupyterLab on notebooks/ or
# runs every notebook headless on the configured lakehouse (FITLAKE_LAKEHOUSE, else ./lakehouse).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'TXT'
Usage: bash scripts/notebooks.sh <command> [options]

Commands:
  lab [jupyter options]       open JupyterLab on notebooks/ (npm run notebooks), e.g. --no-browser --port 8889
  execute [notebook...]       run the notebooks top to bottom and save them with their outputs (npm run notebooks:execute)
  check [notebook...]         run them and fail when an output differs from the committed one (npm run notebooks:check)

The notebooks read the lakehouse `npm run train` built (FITLAKE_LAKEHOUSE to read another).
TXT
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "${command}" in
  lab)
    case "${1:-}" in -h|--help) usage; exit 0 ;; esac
    bash scripts/install_jupyter.sh --lab
    export JUPYTER_PATH="$(pwd)/.venv/share/jupyter${JUPYTER_PATH:+:${JUPYTER_PATH}}"
    root=()
    [ "$(id -u)" -eq 0 ] && root+=(--allow-root) # Jupyter refuses root without it (containers, CI machines)
    exec .venv/bin/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 "${root[@]}" "$@"
    ;;
  execute | check)
    case "${1:-}" in -h|--help) usage; exit 0 ;; esac
    bash scripts/install_jupyter.sh
    flags=()
    [ "${command}" = check ] && flags+=(--check)
    exec .venv/bin/python scripts/run_notebooks.py "${flags[@]}" "$@"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    echo "notebooks: unknown command '${command}'" >&2
    exit 2
    ;;
esac
