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
import type { Entity, FeatureView } from '../define';
import type { Definitions } from '../definitions';
import { outputNames, type ViewSelection } from '../refs';
import type { BuildReport, EntitySource, HistoricalFeatures, HistoricalOptions, LatestRow, OfflineStore } from './offline_store';
import { pitSql } from './pit_sql';
import { sourceFileSql, viewSql } from './source_sql';
import { copyToParquetAtomic, featureStatistics, scratchDir } from './duckdb_helpers';
import { DEFAULT_ROWS_PER_BUCKET, prepareSpines, writeViewTable } from './view_build';
import { historicalOnEngine } from './engine_historical';

const hash = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** The embedded offline store: one Parquet table per view under `<lakehouse>/features/offline/`, queried with DuckDB. */
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
    const entities = new Map(defs.entities.map((e) => [e.name, e]));
    const spineSql = defs.spines.map((s) => sourceFileSql(s)).join('\n');
    const lakeHash = this.lakeFingerprint();
    const views = defs.views.filter((v) => !opts.views || opts.views.includes(v.name));
    const bronze = views.some((v) => v.source.kind === 'stream') ? BronzeLog.load(lakePaths(this.root).bronzeLog) : null;
    const bronzeHash = bronze ? `bronze:${bronze.nextBatchId()}` : '';
    const plans = views.map((v) => {
      const sql = viewSql(v, entities);
      return { view: v, sql, fingerprint: hash([sql, spineSql, lakeHash, ...(v.source.kind === 'stream' ? [bronzeHash] : [])]) };
    });
    const stale = plans.filter((p) => opts.force || this.tables.current(p.view.name)?.fingerprint !== p.fingerprint);
    const reports: BuildReport[] = plans.filter((p) => !stale.includes(p)).map((p) => ({ view: p.view.name, action: 'skipped', rows: this.tables.current(p.view.name)!.rows, seconds: 0 }));
    if (stale.length === 0) return reports;
    const lake = lakeTables(this.root);
    for (const layer of ['silver', 'gold'] as const) {
      if (Object.keys(lake[layer]).length === 0) throw new ValidationError(`no ${layer} tables under ${this.root} (no ${layer}/_layer.json): run \`fitlake pipeline run\` first`, 'lakehouse');
    }
    if (bronze && stale.some((p) => p.view.source.kind === 'stream') && this.bronzeSnapshot?.nextBatchId() !== bronze.nextBatchId()) {
      // bronze grew since the engine opened: reopen it over the log as it is now
      void this.engineHandle?.then((e) => e.close()).catch(() => undefined);
      this.engineHandle = null;
      this.bronzeSnapshot = bronze;
    }
    const release = acquireLock(join(this.root, 'features', '.build.lock'), 'a feature table build');
    try {
      reports.push(...(await this.buildViews(defs, stale, entities)));
    } finally {
      release();
    }
    this.db?.close();
    this.db = null;
    return reports;
  }

  /** Runs an entity query's point-in-time join on the configured engine; the result is a Parquet file read back here. */
  private async historicalOnEngine(sql: string, selections: ViewSelection[], opts: HistoricalOptions): Promise<HistoricalFeatures> {
    const names = outputNames(selections, opts.fullFeatureNames === true);
    let offset = 0;
    const views = selections.map((s) => {
      const files = this.viewFiles(s.view.name);
      const grid = this.tables.current(s.view.name)?.properties?.daily_grid_zone;
      const spec = { key: s.entity.joinKey, ttl: opts.ignoreTtl ? '0s' : s.view.ttl, features: s.features, names: names.slice(offset, (offset += s.features.length)), dailyGridZone: grid === undefined ? undefined : String(grid) };
      return { selection: s, files, spec };
    });
    const scratch = scratchDir(this.root, 'historical');
    try {
      const out = await historicalOnEngine(await this.engine(), sql, views, scratch, String(++this.seq));
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

  /** Builds each planned view's table aside, verifies its grid properties, then swaps it in. */
  private async buildViews(defs: Definitions, plans: { view: FeatureView; sql: string; fingerprint: string }[], entities: Map<string, Entity>): Promise<BuildReport[]> {
    const engine = await this.engine();
    const reports: BuildReport[] = [];
    const scratch = scratchDir(this.root, 'build');
    try {
      const keyOf = (spine: string) => {
        const user = defs.views.find((v) => 'spine' in v.source && v.source.spine === spine);
        return user ? entities.get(user.entities[0])!.joinKey : undefined;
      };
      const spineBuckets = await prepareSpines(engine, defs.spines.map((name) => ({ name, key: keyOf(name) })), scratch, this.rowsPerBucket);
      for (const p of plans) {
        const started = Date.now();
        const key = entities.get(p.view.entities[0])!.joinKey;
        const target = this.tables.stage(p.view.name);
        const spine = 'spine' in p.view.source ? p.view.source.spine : undefined;
        const buckets = spine ? (spineBuckets.get(spine) ?? 1) : 1;
        const built = await writeViewTable(engine, { view: p.view, entities, key, buckets, path: target.path, scratch });
        const properties = await gridProperties(engine, built.paths, key, this.config.timezone);
        const files = built.paths.map((f) => relative(this.tables.tableDir(p.view.name), f));
        const where = buckets === 1 ? { file: target.file } : { file: '', files };
        this.tables.swap({ table: p.view.name, version: target.version, ...where, rows: built.rows, fingerprint: p.fingerprint, built_at: new Date().toISOString(), properties });
        const seconds = (Date.now() - started) / 1000;
        this.logger.info({ view: p.view.name, rows: built.rows, buckets, seconds }, 'built offline feature table');
        reports.push({ view: p.view.name, action: 'built', rows: built.rows, seconds });
      }
      return reports;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  private async conn(): Promise<Db> {
    if (!this.db) {
      this.db = await Db.open({ memoryLimit: this.config.duckdb.memoryLimit, threads: this.config.duckdb.threads });
      await createLakeViews(this.db, this.root);
    }
    return this.db;
  }

  /** The current files of a view's offline table; a clear error when it was never built. */
  viewFiles(view: string): string[] {
    const files = this.tables.currentFiles(view);
    if (!files) throw new ValidationError(`feature view ${view} has no offline table yet: run \`fitlake features materialize\` (or \`features build\`)`, 'features');
    return files;
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
    const files = selections.map((s) => this.viewFiles(s.view.name));
    const entityCols = await this.loadEntities(db, entities, ent);
    for (const s of selections) {
      if (!entityCols.includes(s.entity.joinKey)) {
        await db.run(`DROP TABLE ${ent}`);
        throw new ValidationError(`entity rows lack the join key "${s.entity.joinKey}" of view ${s.view.name}`, s.entity.joinKey);
      }
    }
    let offset = 0;
    const parts: string[] = [];
    for (const [i, s] of selections.entries()) {
      const props = this.tables.current(s.view.name)?.properties ?? {};
      const grid = props.daily_grid_zone === undefined ? undefined : String(props.daily_grid_zone);
      const late = grid ? { n: 0 } : await db.one<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlStringList(files[i])}) WHERE created_ts > feature_ts`);
      const spec = { files: files[i], key: s.entity.joinKey, ttl: opts.ignoreTtl ? '0s' : s.view.ttl, features: s.features, names: names.slice(offset, offset + s.features.length), dailyGridZone: grid };
      const sql = pitSql(spec, ent, late.n > 0);
      offset += s.features.length;
      parts.push(`p${i} AS (${sql})`);
    }
    const select = [`e.* EXCLUDE (_row_id)`, ...names.map((n, i) => `${sqlIdent(`p${partIndex(selections, i)}`)}.${sqlIdent(n)}`)];
    const joins = selections.map((_, i) => `LEFT JOIN p${i} ON p${i}._row_id = e._row_id`).join('\n');
    await db.run(`CREATE TEMP TABLE ${out} AS WITH ${parts.join(',\n')}\nSELECT ${select.join(', ')} FROM ${ent} e\n${joins}\nORDER BY e._row_id`);
    await db.run(`DROP TABLE ${ent}`);
    return historical(db, out, [...entityCols, ...names]);
  }

  async latest(view: FeatureView, keyColumn: string, start: Date, end: Date, opts: { statistics?: boolean } = {}): Promise<{ rows: LatestRow[]; statistics: Row[] }> {
    const db = await this.conn();
    const table = `fitlake_latest_${++this.seq}`;
    await db.run(`CREATE TEMP TABLE ${table} AS ${latestSql(this.viewFiles(view.name), keyColumn, start, end)}`);
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
 * Verifies whether a freshly written table is a daily grid — unique (key, feature_ts), every
 * feature_ts a local midnight in `timeZone`, created_ts = feature_ts — and says so in its properties.
 */
async function gridProperties(engine: Engine, paths: string[], key: string, timeZone: string): Promise<Record<string, string | number | boolean>> {
  await engine.registerParquet('_fitlake_built', paths);
  const [r] = await engine.query<{ rows: number; keys: number; off: number }>(`SELECT count(*) AS rows,
      (SELECT count(*) FROM (SELECT DISTINCT ${sqlIdent(key)}, feature_ts FROM _fitlake_built) AS d) AS keys,
      count(*) FILTER (WHERE created_ts IS DISTINCT FROM feature_ts OR feature_ts <> fitlake_day_start(fitlake_local_date(feature_ts))) AS off
    FROM _fitlake_built`);
  return Number(r.rows) === Number(r.keys) && Number(r.off) === 0 ? { daily_grid_zone: timeZone } : {};
}

function partIndex(selections: ViewSelection[], featureIndex: number): number {
  let n = featureIndex;
  for (let i = 0; i < selections.length; i++) {
    if (n < selections[i].features.length) return i;
    n -= selections[i].features.length;
  }
  return selections.length - 1;
}

function latestSql(files: string[], key: string, start: Date, end: Date): string {
  const ts = (d: Date) => `${sqlString(d.toISOString())}::TIMESTAMPTZ`;
  return `SELECT * FROM read_parquet(${sqlStringList(files)})
    WHERE feature_ts BETWEEN ${ts(start)} AND ${ts(end)} AND created_ts <= ${ts(end)}
    QUALIFY row_number() OVER (PARTITION BY ${sqlIdent(key)} ORDER BY feature_ts DESC, created_ts DESC) = 1`;
}

/** DuckDB values as JSON-able plain values (decimals and big integers as numbers). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return Number(String(v));
  return v;
}

function historical(db: Db, table: string, columns: string[]): HistoricalFeatures {
  return {
    columns,
    count: async () => (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).n,
    rows: () => db.all(`SELECT * FROM ${table}`),
    toParquet: (path) => copyToParquetAtomic(db, `SELECT * FROM ${table}`, path),
    close: () => db.run(`DROP TABLE IF EXISTS ${table}`),
  };
}
