"""The Spark Structured Streaming peer of `fitlake stream` (bench/stream.ts): the same Kafka topics,
read from the earliest offset, written to Parquet as raw records (bronze's job) and as 30-second
tumbling windows with a one-minute watermark (entries per club, events per feed), each query with its
own checkpoint, run with trigger(availableNow) until every record on the topics is processed.

argv: brokers topics(comma-separated) out_dir master
Prints one JSON line: seconds (queries started → both done), startup seconds, rows written.
"""
import json
import sys
import time

from pyspark.sql import SparkSession, functions as F

brokers, topics, out, master = sys.argv[1:5]
t_start = time.time()
spark = (
    SparkSession.builder.master(master)
    .appName('fitlake-stream-peer')
    .config('spark.jars.packages', 'org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0')
    .config('spark.sql.shuffle.partitions', '4')
    .config('spark.ui.enabled', 'false')
    .config('spark.sql.session.timeZone', 'UTC')
    .getOrCreate()
)
spark.sparkContext.setLogLevel('ERROR')
startup = time.time() - t_start

src = (
    spark.readStream.format('kafka')
    .option('kafka.bootstrap.servers', brokers)
    .option('subscribe', topics)
    .option('startingOffsets', 'earliest')
    .option('maxOffsetsPerTrigger', 50000)
    .load()
)
records = src.select('topic', 'partition', 'offset', F.col('timestamp').alias('appended_at'), F.col('value').cast('string').alias('value'))


def field(name):
    return F.get_json_object('value', f'$.{name}')


raw_time = F.coalesce(*[field(f) for f in ['scanned_at', 'started_at', 'sold_at', 'occurred_at', 'start_time', 'updated_at', 'requested_at', 'activity_date']])
event_time = (
    F.when(raw_time.rlike('^[0-9]{11,14}$'), F.timestamp_millis(raw_time.cast('long')))
    .when(raw_time.contains('/'), F.to_utc_timestamp(F.try_to_timestamp(raw_time, F.lit('MM/dd/yyyy hh:mm a')), 'America/New_York'))
    .otherwise(F.try_to_timestamp(raw_time))
)
events = records.withColumn('event_time', event_time).withColumn('club_id', field('club_id')).withColumn('member_id', field('member_id'))

raw = (
    events.writeStream.format('parquet')
    .option('path', f'{out}/raw')
    .option('checkpointLocation', f'{out}/checkpoints/raw')
    .trigger(availableNow=True)
    .start()
)
windows = (
    events.where('event_time IS NOT NULL')
    .withWatermark('event_time', '1 minute')
    .groupBy(F.window('event_time', '30 seconds'), 'topic', 'club_id')
    .agg(F.count('*').alias('events'), F.approx_count_distinct('member_id').alias('members'))
    .writeStream.format('parquet')
    .outputMode('append')
    .option('path', f'{out}/windows')
    .option('checkpointLocation', f'{out}/checkpoints/windows')
    .trigger(availableNow=True)
    .start()
)
t0 = time.time()
raw.awaitTermination()
windows.awaitTermination()
seconds = time.time() - t0
print(json.dumps({'seconds': seconds, 'startup': startup, 'raw_rows': spark.read.parquet(f'{out}/raw').count(), 'window_rows': spark.read.parquet(f'{out}/windows').count()}))
spark.stop()
