#!/usr/bin/env bash
# Installs what scripts/validate_deploy.py checks the deployment artifacts with, all offline once
# installed: kustomize 5.8.1, actionlint 1.7.12 and composeconfig (deploy/tools/composeconfig:
# compose-go, the compose CLI's loader) built with Go from the Go module proxy into the git-ignored
# .tools/bin, and kubernetes-validate, python-hcl2 and jsonschema into .venv. Run by `npm test`
# (pretest) and .ci/run; quick and silent when all are there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="fitlake's deployment checks"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
KUSTOMIZE_VERSION=v5.8.1
ACTIONLINT_VERSION=v1.7.12
KUBERNETES_VALIDATE_VERSION=1.37.0
PYTHON_HCL2_VERSION=8.1.4
JSONSCHEMA_VERSION=4.26.0
PYYAML_VERSION=6.0.4
BIN="$(pwd)/.tools/bin"

if ! command -v go >/dev/null 2>&1; then
  echo "${WHAT} need Go 1.24 or later to build kustomize, actionlint and composeconfig (https://go.dev/dl; none on PATH)" >&2
  exit 1
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
mkdir -p "${BIN}"
stamp() { cat "${BIN}/.$1.version" 2>/dev/null || true; }
build() { # name version command...
  local name=$1 version=$2
  shift 2
  if [ ! -x "${BIN}/${name}" ] || [ "$(stamp "${name}")" != "${version}" ]; then
    echo "${WHAT}: building ${name} ${version} with $(go version | cut -d' ' -f3) (once)" >&2
    "$@"
    echo "${version}" > "${BIN}/.${name}.version"
  fi
}
build kustomize "${KUSTOMIZE_VERSION}" env GOBIN="${BIN}" go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
build actionlint "${ACTIONLINT_VERSION}" env GOBIN="${BIN}" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
COMPOSECONFIG_VERSION="$(cat deploy/tools/composeconfig/go.mod deploy/tools/composeconfig/go.sum deploy/tools/composeconfig/main.go | sha256sum | cut -c1-16)"
build composeconfig "${COMPOSECONFIG_VERSION}" sh -c "cd deploy/tools/composeconfig && go build -o '${BIN}/composeconfig' ."

packages=()
pip_has kubernetes_validate "${KUBERNETES_VALIDATE_VERSION}" || packages+=("kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}")
pip_has python_hcl2 "${PYTHON_HCL2_VERSION}" || packages+=("python-hcl2==${PYTHON_HCL2_VERSION}")
pip_has jsonschema "${JSONSCHEMA_VERSION}" || packages+=("jsonschema==${JSONSCHEMA_VERSION}")
pip_has [Pp]y[Yy][Aa][Mm][Ll] "${PYYAML_VERSION}" || packages+=("PyYAML==${PYYAML_VERSION}")
if [ "${#packages[@]}" -gt 0 ]; then
  echo "${WHAT}: installing ${packages[*]} into .venv (pip, once)" >&2
  ensure_venv
  .venv/bin/pip install -q --disable-pip-version-check "${packages[@]}"
fi
