"""The Spark side of fitlake's Spark engine: a SparkSession driven by JSON lines on stdin.

Each request is one line {"id", "op", ...}; each answer one line {"id", "ok": true, "result"} or
{"id", "ok": false, "error"}, on stdout (Spark's own logs go to stderr). SQL arrives in DuckDB's
dialect, as the models are written, and is transpiled to Spark SQL with sqlglot; the fitlake engine
functions are Spark SQL functions (no Python UDFs), so every row is computed in the JVM.

Started by pipelines/engine/spark/spark_engine.ts; not meant to be run by hand.
"""
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp
from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession, functions as F

from functions import engine_functions


DELTA_PACKAGE = os.environ.get('FITLAKE_DELTA_PACKAGE', 'io.delta:delta-spark_2.13:4.4.0')
# partition columns stay inside the data files (a writer-only Delta feature), so a reader of the
# files needs no Hive path parsing, and every later writer must keep them there
MATERIALIZE = 'delta.enableMaterializePartitionColumnsFeature'

# fitlake names every table by its files; Spark's own catalog folder is scratch
WAREHOUSE = tempfile.mkdtemp(prefix='fitlake-spark-warehouse-')


def configure(spark: SparkSession) -> SparkSession:
    """The session settings fitlake's SQL relies on (settable on a running session, e.g. a cluster's)."""
    spark.conf.set('spark.sql.session.timeZone', 'UTC')
    # DuckDB semantics: a division by zero or a failed cast is NULL, not an error
    spark.conf.set('spark.sql.ansi.enabled', 'false')
    spark.conf.set('spark.sql.parquet.outputTimestampType', 'TIMESTAMP_MICROS')
    spark.conf.set('spark.sql.sources.partitionOverwriteMode', 'dynamic')
    return spark


def session(master: str, time_zone: str, app: str) -> SparkSession:
    spark = (
        SparkSession.builder.master(master).appName(app)
        .config('spark.sql.shuffle.partitions', os.environ.get('FITLAKE_SPARK_SHUFFLE_PARTITIONS', '8'))
        # list a table's files on the driver (a job per listing costs more than it saves here)
        .config('spark.sql.sources.parallelPartitionDiscovery.threshold', '100000')
        .config('spark.ui.enabled', 'false')
        .config('spark.ui.showConsoleProgress', 'false')
        # silver and gold are Delta tables (jars from Maven Central, cached by setup:spark)
        .config('spark.jars.packages', DELTA_PACKAGE)
        .config('spark.sql.extensions', 'io.delta.sql.DeltaSparkSessionExtension')
        .config('spark.sql.catalog.spark_catalog', 'org.apache.spark.sql.delta.catalog.DeltaCatalog')
        # the log of a fitlake table is small: one task to read it, not 50
        .config('spark.databricks.delta.snapshotPartitions', '2')
        .config('spark.sql.warehouse.dir', WAREHOUSE)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel('ERROR')
    return configure(spark)


class UnportableSql(Exception):
    """A model's SQL uses a construct that has no Spark equivalent here."""


UNPORTABLE = {
    'ASOF JOIN': lambda tree: any(str(j.args.get('method') or '').upper() == 'ASOF' for j in tree.find_all(exp.Join)),
}


class Macros:
    """The engine functions, expanded into the calling expression as DuckDB expands its macros."""

    def __init__(self, time_zone: str):
        self.defs = {}
        for signature, body in engine_functions(time_zone).items():
            self.define(signature, body)

    def define(self, signature: str, body: str):
        name, params = signature.split('(', 1)
        names = [p.strip().split(' ')[0] for p in params.split(')')[0].split(',')]
        self.defs[name.strip().lower()] = (names, sqlglot.parse_one(body, read='spark'))

    def expand(self, tree):
        def one(node):
            if isinstance(node, exp.Anonymous) and str(node.this).lower() in self.defs:
                names, body = self.defs[str(node.this).lower()]
                if len(node.expressions) != len(names):
                    raise UnportableSql(f'{node.this} takes {len(names)} argument(s), got {len(node.expressions)}')
                args = dict(zip(names, node.expressions))
                out = body.copy().transform(lambda n: exp.paren(args[n.name].copy(), copy=False) if isinstance(n, exp.Column) and not n.table and n.name in args else n)
                return exp.paren(out, copy=False)
            return node
        for _ in range(8):
            before = tree.sql()
            tree = tree.transform(one)
            if tree.sql() == before:
                return tree
        return tree


MACROS = None


def to_spark(sql: str) -> str:
    try:
        tree = sqlglot.parse_one(sql, read='duckdb')
    except sqlglot.errors.ParseError as e:
        raise UnportableSql(f'does not parse as DuckDB SQL: {str(e).splitlines()[0]}') from e
    for name, found in UNPORTABLE.items():
        if found(tree):
            raise UnportableSql(f'uses {name}, which Spark has no equivalent for')
    return MACROS.expand(tree).sql(dialect='spark')


def parquet_rows(path: str) -> int:
    """A written file's row count, from its footer (no Spark job)."""
    return pq.read_metadata(path).num_rows


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return str(value)


class Engine:
    def __init__(self, spark: SparkSession):
        self.spark = spark

    def df(self, sql):
        spark_sql = to_spark(sql)
        if os.environ.get('FITLAKE_SPARK_TRACE'):
            open(os.environ['FITLAKE_SPARK_TRACE'], 'a').write(spark_sql + '\n')
        return self.spark.sql(spark_sql)

    def register_parquet(self, name, files, partition_column=None, empty_columns=None):
        if not files:
            cols = ', '.join(f'CAST(NULL AS STRING) AS `{c}`' for c in empty_columns or [])
            self.spark.sql(f'SELECT {cols} WHERE false').createOrReplaceTempView(name)
            return None
        reader = self.spark.read
        if partition_column:
            reader = reader.option('basePath', os.path.commonpath([f.split(f'/{partition_column}=')[0] for f in files]))
        reader.parquet(*files).createOrReplaceTempView(name)
        return None

    def define_function(self, signature, body):
        """Adds an engine function whose body depends on the lakehouse (written in Spark SQL)."""
        MACROS.define(signature, body)
        return None

    def register_view(self, name, sql):
        self.df(sql).createOrReplaceTempView(name)
        return None

    def execute(self, sql):
        self.df(sql).collect()
        return None

    def query(self, sql):
        return [{k: plain(v) for k, v in row.asDict(recursive=True).items()} for row in self.df(sql).collect()]

    def write_parquet(self, sql, path):
        tmp = f'{os.path.dirname(path)}/_spark-{uuid.uuid4().hex}'
        df = self.df(sql)
        try:
            df.coalesce(1).write.mode('overwrite').parquet(tmp)
            [part] = [p for p in os.listdir(tmp) if p.endswith('.parquet')] or [None]
            if part is None:
                # no rows: Spark writes no file; write an empty one with the schema
                df.limit(0).coalesce(1).write.mode('overwrite').parquet(tmp)
                [part] = [p for p in os.listdir(tmp) if p.endswith('.parquet')]
            os.replace(os.path.join(tmp, part), path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return parquet_rows(path)

    def write_parquet_partitioned(self, sql, dir, column, tag):
        tmp = f'{dir}/_spark-{uuid.uuid4().hex}'
        key = '__fitlake_partition'
        # one task (so one file) per partition value
        df = self.df(sql).withColumn(key, F.col(f'`{column}`').cast('string')).repartition(key)
        out = []
        try:
            df.write.mode('overwrite').partitionBy(key).parquet(tmp)
            for folder in sorted(os.listdir(tmp)):
                if not folder.startswith(f'{key}='):
                    continue
                value = folder.split('=', 1)[1]
                parts = sorted(p for p in os.listdir(os.path.join(tmp, folder)) if p.endswith('.parquet'))
                target_dir = os.path.join(dir, f'{column}={value}')
                os.makedirs(target_dir, exist_ok=True)
                for i, part in enumerate(parts):
                    target = os.path.join(target_dir, f'part-{tag}-{i}.parquet')
                    os.replace(os.path.join(tmp, folder, part), target)
                    out.append({'partition': value, 'path': target, 'rows': parquet_rows(target)})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out

    def commit_tables(self, tables, message):
        """Commits each built table to its Delta table, several at a time (independent tables)."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            committed = list(pool.map(lambda t: commit_delta(self.spark, message=message, **t), tables))
        return [{'dir': t['dir'], 'committed': c} for t, c in zip(tables, committed)]


def sql_list(values):
    return ', '.join("'" + v.replace("'", "''") + "'" for v in values)


def commit_delta(spark, dir, files, partition_by=None, replace=None, message=''):
    """One table's next Delta version from a built version's files: the whole table, or (with
    `replace`) only those partition values, by replaceWhere. Returns whether it committed (the caller,
    holding the pipeline lock, reads the version from the log)."""
    table = f'delta.`{dir}`'
    exists = os.path.isdir(os.path.join(dir, '_delta_log'))
    where = f'`{partition_by}` IN ({sql_list(replace)})' if replace is not None else None
    if not files:
        if not exists:
            return False
        spark.sql(f'DELETE FROM {table}' + (f' WHERE {where}' if where else ''))
    else:
        df = spark.read.parquet(*files)
        # each built file holds one partition value, so a task writes one file per value it reads: no
        # shuffle; an unpartitioned table stays one file
        df = df if partition_by else df.coalesce(1)
        writer = (
            df.write.format('delta').mode('overwrite')
            .option('partitionOverwriteMode', 'static').option('userMetadata', message).option(MATERIALIZE, 'true')
        )
        if partition_by:
            writer = writer.partitionBy(partition_by)
        writer = writer.option('replaceWhere', where) if where else writer.option('overwriteSchema', 'true')
        writer.save(dir)
    return True


def first_line(e: Exception) -> str:
    java = getattr(e, 'java_exception', None)
    text = str(java.toString()) if java is not None else str(e)
    lines = [l.strip() for l in text.split('\n') if l.strip() and not l.strip().startswith('at ')]
    return (lines[0] if lines else type(e).__name__)[:2000]


def main():
    global MACROS
    master, time_zone, app = sys.argv[1], sys.argv[2], sys.argv[3]
    MACROS = Macros(time_zone)
    out = sys.stdout
    sys.stdout = sys.stderr  # anything printed by libraries stays off the protocol stream
    try:
        engine = Engine(session(master, time_zone, app))
    except Exception as e:  # noqa: BLE001 - the caller says why Spark did not start
        causes = [l.strip() for l in str(getattr(e, 'java_exception', e)).split('\n') if 'Caused by' in l]
        out.write(json.dumps({'id': 0, 'ok': False, 'kind': 'unavailable', 'error': (causes[-1] if causes else first_line(e))[:500]}) + '\n')
        out.flush()
        sys.exit(1)
    out.write(json.dumps({'id': 0, 'ok': True, 'result': {'spark': engine.spark.version}}) + '\n')
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        started = time.time()
        try:
            result = getattr(engine, req['op'])(**req.get('args', {}))
            if os.environ.get('FITLAKE_SPARK_TRACE'):
                open(os.environ['FITLAKE_SPARK_TRACE'], 'a').write(f"-- {req['op']} {time.time() - started:.2f}s\n")
            answer = {'id': req['id'], 'ok': True, 'result': result}
        except UnportableSql as e:
            answer = {'id': req['id'], 'ok': False, 'kind': 'unportable', 'error': str(e)}
        except AnalysisException as e:
            # SQL that runs on DuckDB but that Spark cannot parse or resolve: a construct it lacks
            answer = {'id': req['id'], 'ok': False, 'kind': 'unportable', 'error': first_line(e)}
        except Exception as e:  # noqa: BLE001 - every failure goes back to the caller
            answer = {'id': req['id'], 'ok': False, 'kind': 'spark', 'error': first_line(e)}
        out.write(json.dumps(answer) + '\n')
        out.flush()
    engine.spark.stop()
    shutil.rmtree(WAREHOUSE, ignore_errors=True)


if __name__ == '__main__':
    main()
