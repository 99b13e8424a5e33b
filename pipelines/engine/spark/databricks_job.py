"""fitlake's pipeline as a Spark job (Databricks job task, or spark-submit anywhere).

The same SQL models (pipelines/models/), transpiled by the same code and with the same engine
functions as `fitlake pipeline run --engine spark` (server.py), run in dependency order on the job's
SparkSession; each table is written as a Delta table: `<catalog>.<schema>.<model>` in Unity
Catalog, or `<output>/<layer>/<model>` by path. Bronze is read from a fitlake lakehouse (the files
its bronze log committed), e.g. on a Unity Catalog volume that `fitlake ingest` writes to.

What this job leaves out, compared with the CLI: incremental runs (every run is a full refresh, each
table one Delta commit, older versions kept for time travel) and the quality gate (run
`fitlake quality report` on a lakehouse the CLI built). See README "Databricks".
"""
import argparse
import glob
import json
import os
import re
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import server  # noqa: E402  (the Spark engine: transpiler, engine functions, Delta settings)
from pyspark.sql import SparkSession  # noqa: E402

QUARANTINE_COLUMNS = ['feed', '_source_file', '_line_number', '_batch_id', '_ingested_at', 'raw_line', 'reason']
HEADER = re.compile(r'^--\s*([a-z_]+):\s*(.*)$')
CONTINUATION = re.compile(r'^--\s{2,}')


def parse_model(path):
    """A model file's header (`-- key: value`, continued by `--   ` lines) and its SQL body."""
    header, body, last, in_header = {}, [], None, True
    for line in open(path, encoding='utf8').read().split('\n'):
        m = HEADER.match(line) if in_header else None
        if m:
            last = m.group(1)
            header[last] = m.group(2).strip()
        elif in_header and last and CONTINUATION.match(line):
            header[last] += ' ' + line.lstrip('-').strip()
        else:
            in_header = False
            body.append(line)
    deps = [d.strip() for d in header.get('depends', '').split(',') if d.strip()]
    return {
        'model': header['model'], 'layer': header['layer'], 'depends': deps,
        'materialized': header.get('materialized', 'table'), 'partition_by': header.get('partition_by'),
        'sql': '\n'.join(body).strip(),
    }


def ordered(models):
    """Models in dependency order (inputs first); `bronze_*` inputs are sources."""
    by_name, out, done = {m['model']: m for m in models}, [], set()

    def visit(m, path):
        if m['model'] in done:
            return
        if m['model'] in path:
            raise SystemExit(f"model cycle: {' -> '.join(path + [m['model']])}")
        for d in m['depends']:
            if not d.startswith('bronze_'):
                if d not in by_name:
                    raise SystemExit(f"model {m['model']} depends on unknown {d}")
                visit(by_name[d], path + [m['model']])
        done.add(m['model'])
        out.append(m)

    for m in models:
        visit(m, [])
    return out


def bronze_commits(lakehouse):
    """The bronze log's commits, oldest first."""
    files = sorted(glob.glob(os.path.join(lakehouse, 'bronze', '_log', '*.json')))
    if not files:
        raise SystemExit(f'no bronze commits under {lakehouse}/bronze/_log: run `fitlake ingest` first')
    return [json.load(open(f, encoding='utf8')) for f in files]


def register_bronze(engine, lakehouse, commits, feeds, time_zone):
    """A view per bronze feed the models read, over the files its log committed, and the batch days."""
    day = {c['batch_id']: datetime.fromisoformat(c['committed_at'].replace('Z', '+00:00')).astimezone(ZoneInfo(time_zone)).date() for c in commits}
    cases = ' '.join(f"WHEN {b} THEN DATE'{d.isoformat()}'" for b, d in day.items())
    server.MACROS.define('fitlake_batch_day(b BIGINT) RETURNS DATE', f'CASE b {cases} END')
    files = lambda table: [os.path.join(lakehouse, 'bronze', o['path']) for c in commits for o in c['outputs'] if o['table'] == table]  # noqa: E731
    for feed in sorted(feeds):
        if not files(feed):
            raise SystemExit(f'bronze feed {feed} has no committed files under {lakehouse}/bronze: ingest it first')
        engine.register_parquet(f'bronze_{feed}', files(feed), partition_column='date')
    engine.register_parquet('bronze_quarantine', files('_quarantine'), empty_columns=QUARANTINE_COLUMNS)


def write_table(engine, m, target, run_id):
    by_path = target.startswith('/') or '://' in target
    sql = m['sql']
    if m['partition_by']:
        sql = f"SELECT * EXCLUDE ({m['partition_by']}), {m['partition_by']} FROM ({sql})"
    df = engine.df(sql)
    writer = (
        df.write.format('delta').mode('overwrite').option('partitionOverwriteMode', 'static').option('overwriteSchema', 'true')
        .option('userMetadata', json.dumps({'fitlake_run': run_id, 'layer': m['layer']}))
    )
    if by_path:
        # files read without a catalog keep their partition column (as the CLI's tables do)
        writer = writer.option(server.MATERIALIZE, 'true')
    if m['partition_by']:
        writer = writer.partitionBy(m['partition_by'])
    if by_path:
        writer.save(target)
        return engine.spark.read.format('delta').load(target)
    writer.saveAsTable(target)
    return engine.spark.table(target)


def main(argv=None):
    p = argparse.ArgumentParser(description='fitlake pipeline models as a Spark job writing Delta tables')
    p.add_argument('--lakehouse', required=True, help='the fitlake lakehouse whose bronze to read (a path or a /Volumes/… path)')
    p.add_argument('--catalog', help='Unity Catalog catalog for the tables (with --schema)')
    p.add_argument('--schema', help='schema (database) for the tables')
    p.add_argument('--output', help='write Delta tables by path instead: <output>/<layer>/<model>')
    p.add_argument('--timezone', default='America/New_York', help="the gym's IANA time zone (fitlake's `timezone`)")
    p.add_argument('--master', help='Spark master when run outside a cluster, e.g. local[2]')
    p.add_argument('--run-id', default=datetime.utcnow().strftime('%Y%m%dT%H%M%SZ'))
    args = p.parse_args(argv)
    if bool(args.output) == bool(args.catalog and args.schema):
        p.error('give either --output PATH or both --catalog and --schema')
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.abspath(os.path.join(here, '..', '..', '..'))
    server.MACROS = server.Macros(args.timezone)
    spark = server.session(args.master, args.timezone, 'fitlake-job') if args.master else server.configure(SparkSession.builder.getOrCreate())
    engine = server.Engine(spark)
    models = ordered([parse_model(f) for layer in ('silver', 'gold') for f in sorted(glob.glob(os.path.join(repo, 'pipelines', 'models', layer, '*.sql')))])
    feeds = {d[len('bronze_'):] for m in models for d in m['depends'] if d.startswith('bronze_') and d != 'bronze_quarantine'}
    register_bronze(engine, args.lakehouse, bronze_commits(args.lakehouse), feeds, args.timezone)
    for i, m in enumerate(models, 1):
        if m['materialized'] == 'view':
            engine.register_view(m['model'], m['sql'])
            continue
        target = os.path.join(args.output, m['layer'], m['model']) if args.output else f"{args.catalog}.{args.schema}.{m['model']}"
        write_table(engine, m, target, args.run_id).createOrReplaceTempView(m['model'])
        print(json.dumps({'model': m['model'], 'table': target, 'done': i, 'total': len(models)}), flush=True)


if __name__ == '__main__':
    main()
