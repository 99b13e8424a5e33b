#!/usr/bin/env bash
# Installs the Apache Kafka broker (4.1.1, KRaft) the real-time path and its tests run: the broker's
# jars from Maven Central into the git-ignored .kafka/libs (scripts/kafka/pom.xml, an SLF4J backend
# included), Maven and Java 17 from apt when missing. Run by `npm run kafka`, `npm test` (pretest) and
# .ci/run; quick and silent when the jars are there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="fitlake's Kafka broker"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
KAFKA_VERSION=4.1.1

command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || apt_install openjdk-17-jre-headless
if [ ! -f ".kafka/libs/kafka_2.13-${KAFKA_VERSION}.jar" ]; then
  command -v mvn >/dev/null 2>&1 || apt_install maven
  echo "${WHAT}: fetching kafka_2.13 ${KAFKA_VERSION} and its dependencies from Maven Central (once, ~43 MB)" >&2
  rm -rf .kafka/libs.tmp
  mkdir -p .kafka
  mvn -q -B -f scripts/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/.kafka/libs.tmp" > .kafka/mvn.log 2>&1 || { cat .kafka/mvn.log >&2; exit 1; }
  rm -rf .kafka/libs && mv .kafka/libs.tmp .kafka/libs
fi
