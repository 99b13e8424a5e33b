import type { Config } from '../core/config';
import { ValidationError } from '../core/errors';
import { openEngine } from '../pipelines/engine/create';
import { tableFilesAt } from '../pipelines/runner/history';

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** Prints a table's row count at a version, then up to `limit` rows as JSON lines (DuckDB reads the files). */
export async function showTable(config: Config, table: string, opts: { version?: number; limit: number; where?: string }): Promise<void> {
  if (opts.limit < 0) throw new ValidationError('--limit: must be 0 or more', 'limit');
  const at = await tableFilesAt(config.lakehouse, table, opts.version);
  const engine = await openEngine(config.lakehouse, { timezone: config.timezone, duckdb: config.duckdb });
  try {
    const where = opts.where ? ` WHERE ${opts.where}` : '';
    if (at.files.length > 0) await engine.registerParquet('t', at.files);
    else await engine.registerView('t', 'SELECT 1 AS empty WHERE false');
    const [n] = await engine.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM t${where}`).catch((e: Error) => {
      throw new ValidationError(`--where: ${e.message.split('\n')[0]}`, 'where');
    });
    process.stdout.write(`${table} v${at.version}: ${n.n} rows${where}\n`);
    for (const row of await engine.query(`SELECT * FROM t${where} LIMIT ${opts.limit}`)) {
      process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))) + '\n');
    }
  } finally {
    engine.close();
  }
}
