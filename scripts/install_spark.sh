#!/usr/bin/env bash
# Installs what `--engine spark` needs: PySpark 4.2.0 (it bundles Spark; pip builds it from a 450 MB
# source archive, a few minutes once) and sqlglot into the project's .venv, and Java 17 from apt when
# no java is on PATH. `npm run setup:spark`; also run by `npm test` (pretest) and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="fitlake's Spark engine"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
PYSPARK_VERSION=4.2.0
SQLGLOT_VERSION=30.30.0
PYARROW_VERSION=25.0.1

command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || apt_install openjdk-17-jre-headless
if ! pip_has pyspark "${PYSPARK_VERSION}" || ! pip_has sqlglot "${SQLGLOT_VERSION}" || ! pip_has pyarrow "${PYARROW_VERSION}"; then
  echo "${WHAT}: installing pyspark==${PYSPARK_VERSION}, sqlglot==${SQLGLOT_VERSION} and pyarrow==${PYARROW_VERSION} into .venv (pip; a few minutes, once)" >&2
  ensure_venv
  .venv/bin/pip install -q --disable-pip-version-check "pyspark==${PYSPARK_VERSION}" "sqlglot==${SQLGLOT_VERSION}" "pyarrow==${PYARROW_VERSION}"
fi
