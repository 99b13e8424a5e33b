import { open as openLmdb } from 'lmdb';
import { EMBEDDED_FILE } from '../features/online/embedded_online_store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db } from '../pipelines/engine/duckdb/db';
import { TableStore } from '../pipelines/runner/table_store';
import { silentLogger } from '../core/logger';
import { openEngine } from '../pipelines/engine/create';
import { createLakeViews, registerLakeTables } from '../pipelines/runner/reader';
import { generate, type GenerateResult } from '../pipelines/data_gen/generate';
import { DEFAULT_DIRT, DEFAULT_START, SCALE_PRESETS, type DirtRates, type GeneratorOptions } from '../pipelines/data_gen/options';

export const TZ = 'America/New_York';

export function tmpLake(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'fitlake-test-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function options(overrides: Partial<GeneratorOptions> = {}): GeneratorOptions {
  return { seed: 42, ...SCALE_PRESETS.tiny, start: DEFAULT_START, timezone: TZ, dirt: DEFAULT_DIRT, ...overrides };
}

export function generateInto(root: string, overrides: Partial<GeneratorOptions> = {}, workers?: number): Promise<GenerateResult> {
  return generate(root, options(overrides), { logger: silentLogger, workers });
}

export const NO_DIRT: DirtRates = Object.fromEntries(Object.keys(DEFAULT_DIRT).map((k) => [k, 0])) as DirtRates;

/** Runs a query over a lakehouse's current silver and gold tables (one view per table), with the fitlake SQL functions. */
export async function queryLake<T extends Record<string, unknown>>(root: string, sql: string): Promise<T[]> {
  const engine = await openEngine(root, { timezone: TZ, duckdb: { memoryLimit: '1GB' } });
  try {
    await registerLakeTables(engine, root);
    return await engine.query<T>(sql);
  } finally {
    engine.close();
  }
}

/**
 * Every current silver and gold table's contents as `rows:md5` of its rows (as text, sorted): equal
 * strings mean equal tables, whatever the row order or the files they are in.
 */
export async function lakeContents(root: string): Promise<Record<string, string>> {
  const db = await Db.open();
  try {
    const out: Record<string, string> = {};
    for (const table of await createLakeViews(db, root)) {
      const [r] = await db.all<{ n: number; h: string }>(`SELECT count(*)::INTEGER AS n, md5(coalesce(string_agg(x, '|' ORDER BY x), '')) AS h FROM (SELECT t::VARCHAR AS x FROM "${table}" t)`);
      out[table] = `${r.n}:${r.h}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * The embedded online store's stored rows of `view`, opened with LMDB directly (as a tool outside
 * fitlake would) to read or tamper with them: `[feature_ts, created_ts, ...values in names order]`.
 */
export function onlineView(root: string, view: string) {
  const env = openLmdb({ path: join(root, 'features', 'online', EMBEDDED_FILE), maxDbs: 256, encoding: 'msgpack', compression: false });
  const names = (env.openDB<{ names: string[] }, string>('_views', { encoding: 'msgpack' }).get(view)?.names ?? []) as string[];
  const db = env.openDB<unknown[], string>(`view:${view}`, { encoding: 'msgpack' });
  return {
    names,
    keys: () => [...db.getKeys()] as string[],
    get: (key: string) => db.get(key),
    put: (key: string, row: unknown[]) => db.putSync(key, row),
    remove: (key: string) => db.removeSync(key),
    close: () => env.close(),
  };
}

/** The current offline table holding `view` (views sharing a spine are stored together): its name, files and properties. */
export function offlineTable(root: string, view: string): { table: string; files: string[]; properties: Record<string, unknown> } {
  const tables = new TableStore(join(root, 'features', 'offline'));
  const p = Object.values(tables.snapshot()).find((t) => String(t.properties?.views ?? '').split(',').includes(view));
  if (!p) throw new Error(`no offline table holds ${view}`);
  return { table: p.table, files: tables.files(p), properties: p.properties ?? {} };
}
