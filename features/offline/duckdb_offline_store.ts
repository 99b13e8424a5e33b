import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { rmSync } from 'node:fs';
import { acquireLock } from '../../core/atomic_fs';
import { Db, type Row } from '../../pipelines/engine/duckdb/db';
import { sqlIdent, sqlString, sqlStringList } from '../../pipelines/sql/quote';
import { ValidationError } from '../../core/errors';
import { lakePaths } from '../../core/paths';
import { BronzeLog } from '../../pipelines/bronze/log';
import type { Logger } from '../../core/logger';
import { openEngine, type EngineSettings } from '../../pipelines/engine/create';
import type { Engine } from '../../pipelines/engine/engine';
import { createLakeViews, lakeTables, registerLakeTables } from '../../pipelines/runner/reader';
import { TableStore } from '../../pipelines/runner/table_store';
import type { FeatureView } from '../define';
import type { Definitions } from '../definitions';
import { outputNames, type ViewSelection } from '../refs';
import type { BuildReport, EntitySource, EventRows, HistoricalFeatures, HistoricalOptions, LatestRow, OfflineStore } from './offline_store';
import { keySample } from '../../pipelines/sql/sample';
import { pitSql } from './pit_sql';
import { copyToParquetAtomic, featureStatistics, scratchDir } from './duckdb_helpers';
import { DEFAULT_ROWS_PER_BUCKET } from './group_build';
import { planGroups } from './groups';
import { historicalOnEngine, pickColumns, pickTables } from './engine_historical';
import { planTables, TableBuilder, type TablePlan } from './table_builder';

const hash = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/**
 * The embedded offline store: Parquet tables under `<lakehouse>/features/offline/` — one per group of
 * views sharing an entity and a daily spine (partitioned by month), one per streaming view — built on
 * the configured engine, read with DuckDB.
 */
export class DuckDbOfflineStore implements OfflineStore {
  readonly type = 'duckdb';
  private readonly tables: TableStore;
  private db: Db | null = null;
  private engineHandle: Promise<Engine> | null = null;
  /** The bronze log the engine's bronze views were made from (streaming views read bronze). */
  private bronzeSnapshot: BronzeLog | null = null;
  private seq = 0;

  constructor(
    private readonly root: string,
    private readonly config: EngineSettings,
    private readonly logger: Logger,
    private readonly rowsPerBucket = DEFAULT_ROWS_PER_BUCKET,
  ) {
    this.tables = new TableStore(join(root, 'features', 'offline'));
  }

  /** Fingerprint of the silver and gold tables the sources read: any rebuilt table changes it; moving the lakehouse does not. */
  private lakeFingerprint(): string {
    const t = lakeTables(this.root);
    return hash(Object.entries({ ...t.silver, ...t.gold }).map(([name, files]) => `${name}:${files.map((f) => relative(this.root, f)).join(',')}`));
  }

  /** The configured engine (DuckDB or Spark) over the lakehouse, opened on first use: it builds tables and training sets. */
  private engine(): Promise<Engine> {
    this.engineHandle ??= openEngine(this.root, this.config, { bronze: this.bronzeSnapshot ?? undefined }).then(async (e) => {
      await registerLakeTables(e, this.root);
      return e;
    });
    return this.engineHandle;
  }

  async build(defs: Definitions, opts: { force?: boolean; views?: string[] } = {}): Promise<BuildReport[]> {
    const groups = planGroups(defs);
    const wanted = groups.filter((g) => !opts.views || g.views.some((v) => opts.views!.includes(v.name)));
    const streams = wanted.some((g) => !g.spine);
    const bronze = streams ? BronzeLog.load(lakePaths(this.root).bronzeLog) : null;
    const plans = planTables(defs, wanted, this.lakeFingerprint(), bronze ? `bronze:${bronze.nextBatchId()}` : '');
    const stale = plans.filter((p) => opts.force || this.tables.current(p.group.table)?.fingerprint !== p.fingerprint);
    const skipped = (p: TablePlan): BuildReport => ({ table: p.group.table, views: p.group.views.map((v) => v.name), action: 'skipped', rows: this.tables.current(p.group.table)!.rows, written: 0, seconds: 0 });
    const reports = plans.filter((p) => !stale.includes(p)).map(skipped);
    if (stale.length === 0) return reports;
    const lake = lakeTables(this.root);
    for (const layer of ['silver', 'gold'] as const) {
      if (Object.keys(lake[layer]).length === 0) throw new ValidationError(`no ${layer} tables under ${this.root} (no ${layer}/_layer.json): run \`fitlake pipeline run\` first`, 'lakehouse');
    }
    if (bronze && stale.some((p) => !p.group.spine) && this.bronzeSnapshot?.nextBatchId() !== bronze.nextBatchId()) {
      // bronze grew since the engine opened: reopen it over the log as it is now
      void this.engineHandle?.then((e) => e.close()).catch(() => undefined);
      this.engineHandle = null;
      this.bronzeSnapshot = bronze;
    }
    const release = acquireLock(join(this.root, 'features', '.build.lock'), 'a feature table build');
    const scratch = scratchDir(this.root, 'build');
    try {
      const builder = new TableBuilder(await this.engine(), this.tables, { defs, scratch, rowsPerBucket: this.rowsPerBucket, timeZone: this.config.timezone, logger: this.logger });
      for (const p of stale) {
        const r = await builder.build(p, opts.force === true);
        this.logger.info({ table: r.table, views: r.views, action: r.action, rows: r.rows, written: r.written, from: r.from, seconds: r.seconds }, 'offline feature table');
        reports.push(r);
      }
      const declared = new Set(groups.map((g) => g.table));
      this.tables.drop(Object.keys(this.tables.snapshot()).filter((t) => !declared.has(t)));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      release();
    }
    this.db?.close();
    this.db = null;
    return reports;
  }

  /** Runs an entity query's point-in-time join on the configured engine; the result is a Parquet file read back here. */
  private async historicalOnEngine(sql: string, selections: ViewSelection[], opts: HistoricalOptions): Promise<HistoricalFeatures> {
    const names = outputNames(selections, opts.fullFeatureNames === true);
    const picks = pickTables(selections, names, (v) => this.locate(v), opts.ignoreTtl === true);
    const scratch = scratchDir(this.root, 'historical');
    try {
      const out = await historicalOnEngine(await this.engine(), sql, picks, names, scratch, String(++this.seq));
      const db = await this.conn();
      const from = `read_parquet(${sqlString(out.path)})`;
      return {
        columns: out.columns,
        count: async () => (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${from}`)).n,
        rows: () => db.all(`SELECT * FROM ${from}`),
        toParquet: (path) => copyToParquetAtomic(db, `SELECT * FROM ${from}`, path),
        close: async () => rmSync(scratch, { recursive: true, force: true }),
      };
    } catch (e) {
      rmSync(scratch, { recursive: true, force: true });
      throw e;
    }
  }

  private async conn(): Promise<Db> {
    if (!this.db) {
      this.db = await Db.open({ memoryLimit: this.config.duckdb.memoryLimit, threads: this.config.duckdb.threads });
      await createLakeViews(this.db, this.root);
    }
    return this.db;
  }

  /** The current table holding a view (the one whose properties list it; before groups, the view's own); a clear error when there is none. */
  private locate(view: string): { table: string; files: string[]; dailyGridZone?: string } {
    const snapshot = this.tables.snapshot();
    const p = Object.values(snapshot).find((t) => String(t.properties?.views ?? '').split(',').includes(view)) ?? snapshot[view];
    if (!p) throw new ValidationError(`feature view ${view} has no offline table yet: run \`fitlake features materialize\` (or \`features build\`)`, 'features');
    const grid = p.properties?.daily_grid_zone;
    return { table: p.table, files: this.tables.files(p), dailyGridZone: grid === undefined ? undefined : String(grid) };
  }

  /** The current files of the offline table holding a view; a clear error when it was never built. */
  viewFiles(view: string): string[] {
    return this.locate(view).files;
  }

  private async loadEntities(db: Db, source: EntitySource, name: string): Promise<string[]> {
    if ('sql' in source) {
      await db.run(`CREATE TEMP TABLE ${name} AS SELECT row_number() OVER () AS _row_id, * FROM (${source.sql})`);
    } else {
      if (source.rows.length === 0) throw new ValidationError('no entity rows given', 'entity_rows');
      const columns = Object.keys(source.rows[0]);
      if (!columns.includes('event_timestamp')) throw new ValidationError('entity rows need an event_timestamp', 'event_timestamp');
      const types = columns.map((c) => (typeof source.rows[0][c] === 'number' ? 'DOUBLE' : 'VARCHAR'));
      await db.run(`CREATE TEMP TABLE ${name}_raw (${columns.map((c, i) => `${sqlIdent(c)} ${types[i]}`).join(', ')})`);
      await db.append(`${name}_raw`, columns, source.rows);
      const cast = columns.map((c) => (c === 'event_timestamp' ? `try_cast(event_timestamp AS TIMESTAMPTZ) AS event_timestamp` : sqlIdent(c)));
      await db.run(`CREATE TEMP TABLE ${name} AS SELECT row_number() OVER () AS _row_id, ${cast.join(', ')} FROM ${name}_raw; DROP TABLE ${name}_raw`);
      const bad = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${name} WHERE event_timestamp IS NULL`);
      if (bad.n > 0) {
        await db.run(`DROP TABLE ${name}`);
        throw new ValidationError(`${bad.n} entity row(s) have a missing or unparseable event_timestamp`, 'event_timestamp');
      }
    }
    return (await db.all<{ column_name: string }>(`DESCRIBE ${name}`)).map((r) => r.column_name).filter((c) => c !== '_row_id');
  }

  async getHistoricalFeatures(entities: EntitySource, selections: ViewSelection[], opts: HistoricalOptions = {}): Promise<HistoricalFeatures> {
    if ('sql' in entities) return this.historicalOnEngine(entities.sql, selections, opts);
    const db = await this.conn();
    const id = ++this.seq;
    const ent = `fitlake_entities_${id}`;
    const out = `fitlake_features_${id}`;
    const names = outputNames(selections, opts.fullFeatureNames === true);
    const picks = pickTables(selections, names, (v) => this.locate(v), opts.ignoreTtl === true);
    const entityCols = await this.loadEntities(db, entities, ent);
    for (const p of picks) {
      if (!entityCols.includes(p.spec.key)) {
        await db.run(`DROP TABLE ${ent}`);
        throw new ValidationError(`entity rows lack the join key "${p.spec.key}" of view ${p.views[0]}`, p.spec.key);
      }
    }
    const parts: string[] = [];
    for (const [i, p] of picks.entries()) {
      const late = p.spec.dailyGridZone ? { n: 0 } : await db.one<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlStringList(p.files)}) WHERE created_ts > feature_ts`);
      parts.push(`p${i} AS (${pitSql({ ...p.spec, files: p.files }, ent, late.n > 0)})`);
    }
    const select = [`e.* EXCLUDE (_row_id)`, ...pickColumns(picks, names)];
    const joins = picks.map((_, i) => `LEFT JOIN p${i} ON p${i}._row_id = e._row_id`).join('\n');
    await db.run(`CREATE TEMP TABLE ${out} AS WITH ${parts.join(',\n')}\nSELECT ${select.join(', ')} FROM ${ent} e\n${joins}\nORDER BY e._row_id`);
    await db.run(`DROP TABLE ${ent}`);
    return historical(db, out, [...entityCols, ...names]);
  }

  async latest(view: FeatureView, keyColumn: string, start: Date, end: Date, opts: { statistics?: boolean } = {}): Promise<{ rows: LatestRow[]; statistics: Row[] }> {
    const db = await this.conn();
    const table = `fitlake_latest_${++this.seq}`;
    await db.run(`CREATE TEMP TABLE ${table} AS ${latestSql(this.viewFiles(view.name), keyColumn, view.schema.map((f) => f.name), start, end)}`);
    try {
      const cols = view.schema.map((f) => sqlIdent(f.name));
      const rows = await db.all(`SELECT ${sqlIdent(keyColumn)} AS _key, epoch_ms(feature_ts) AS _ts, epoch_ms(created_ts) AS _created, ${cols.join(', ')} FROM ${table} ORDER BY _key`);
      return {
        rows: rows.map((r) => ({ key: String(r._key), featureTs: new Date(Number(r._ts)), createdTs: new Date(Number(r._created)), values: view.schema.map((f) => plain(r[f.name])) })),
        statistics: opts.statistics ? await featureStatistics(db, `SELECT * FROM ${table}`, view.schema) : [],
      };
    } finally {
      await db.run(`DROP TABLE ${table}`);
    }
  }

  async getEvents(selection: ViewSelection, asOf: Date): Promise<EventRows> {
    const db = await this.conn();
    const key = sqlIdent(selection.entity.joinKey);
    const names = selection.features.map((f) => f.name);
    const at = `${sqlString(asOf.toISOString())}::TIMESTAMPTZ`;
    const from = `FROM read_parquet(${sqlStringList(this.viewFiles(selection.view.name))}) WHERE feature_ts <= ${at} AND created_ts <= ${at}`;
    const columns = [key, 'feature_ts', 'created_ts', ...names.map(sqlIdent)];
    const order = ['feature_ts', key, 'created_ts', ...names.map(sqlIdent)];
    const limit = (n?: number) => (n === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(n))}`);
    return {
      columns: [selection.entity.joinKey, 'feature_ts', 'created_ts', ...names],
      count: async () => (await db.one<{ n: number }>(`SELECT count(*)::DOUBLE AS n ${from}`)).n,
      rows: async (opts = {}) => (await db.all(`SELECT ${columns.join(', ')} ${from} AND ${keySample(key, opts.keyShare ?? 1)} ORDER BY ${order.join(', ')}${limit(opts.limit)}`)).map(plainRow),
    };
  }

  async newestFeatureTs(view: FeatureView): Promise<Date | null> {
    const db = await this.conn();
    const r = await db.one<{ ts: number | null }>(`SELECT epoch_ms(max(feature_ts)) AS ts FROM read_parquet(${sqlStringList(this.viewFiles(view.name))})`);
    return r.ts === null ? null : new Date(Number(r.ts));
  }

  close(): void {
    this.db?.close();
    this.db = null;
    void this.engineHandle?.then((e) => e.close()).catch(() => undefined);
    this.engineHandle = null;
  }
}

/**
 * Per key, the row with the latest (feature_ts, created_ts) in the range: the key, both times and
 * the view's columns only (its table may hold other views' too). An aggregate, not a window: no sort.
 */
function latestSql(files: string[], key: string, columns: string[], start: Date, end: Date): string {
  const ts = (d: Date) => `${sqlString(d.toISOString())}::TIMESTAMPTZ`;
  const row = ['feature_ts', 'created_ts', ...columns].map((c) => `${sqlIdent(c)} := ${sqlIdent(c)}`).join(', ');
  return `SELECT ${sqlIdent(key)}, unnest(r) FROM (
    SELECT ${sqlIdent(key)}, arg_max(struct_pack(${row}), struct_pack(feature_ts, created_ts)) AS r
    FROM read_parquet(${sqlStringList(files)})
    WHERE feature_ts BETWEEN ${ts(start)} AND ${ts(end)} AND created_ts <= ${ts(end)}
    GROUP BY ${sqlIdent(key)}
  )`;
}

/** DuckDB values as JSON-able plain values (decimals and big integers as numbers). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return Number(String(v));
  return v;
}

const plainRow = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));

function historical(db: Db, table: string, columns: string[]): HistoricalFeatures {
  return {
    columns,
    count: async () => (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).n,
    rows: () => db.all(`SELECT * FROM ${table}`),
    toParquet: (path) => copyToParquetAtomic(db, `SELECT * FROM ${table}`, path),
    close: () => db.run(`DROP TABLE IF EXISTS ${table}`),
  };
}
