#!/usr/bin/env bash
# `npm run kafka`: one Apache Kafka broker in KRaft combined mode (broker + controller) on 127.0.0.1,
# for local use and the tests. Installs the jars first (scripts/install_kafka.sh). Settings:
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT + 1), KAFKA_DATA (.kafka/data),
#   KAFKA_HEAP (512m). Storage is formatted on first start and kept between starts; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_kafka.sh
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}
DATA=${KAFKA_DATA:-.kafka/data}
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
CP="$PWD/.kafka/libs/*"
cat > "$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${CONTROLLER_PORT}
listeners=PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:${PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${DATA}/logs
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
JOPTS=(-Xms"${KAFKA_HEAP:-512m}" -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel="${KAFKA_LOG_LEVEL:-warn}")
if [ ! -f "$DATA/logs/meta.properties" ]; then
  "$JAVA" "${JOPTS[@]}" -cp "$CP" kafka.tools.StorageTool format -t "$("$JAVA" -cp "$CP" kafka.tools.StorageTool random-uuid)" -c "$DATA/server.properties" >&2
fi
echo "fitlake: Kafka broker on 127.0.0.1:${PORT} (data in ${DATA})" >&2
exec "$JAVA" "${JOPTS[@]}" -cp "$CP" kafka.Kafka "$DATA/server.properties"
