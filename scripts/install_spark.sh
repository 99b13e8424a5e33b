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
# Delta Lake's jars (silver and gold are Delta tables): Spark resolves spark.jars.packages from Maven
# Central into its Ivy cache on first use; fetch them now, so the first pipeline run does not wait.
DELTA_PACKAGE=io.delta:delta-spark_2.13:4.4.0
if ! ls "${HOME}"/.ivy2*/jars/io.delta_delta-spark_2.13-4.4.0.jar >/dev/null 2>&1; then
  echo "${WHAT}: fetching ${DELTA_PACKAGE} and its dependencies from Maven Central (once)" >&2
  .venv/bin/python - "${DELTA_PACKAGE}" <<'PY'
import sys
from pyspark.sql import SparkSession
SparkSession.builder.master('local[1]').config('spark.jars.packages', sys.argv[1]).config('spark.ui.enabled', 'false').getOrCreate().stop()
PY
fi
