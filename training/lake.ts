import { openEngine } from '../pipelines/engine/create';
import type { Engine } from '../pipelines/engine/engine';
import { registerLakeTables } from '../pipelines/runner/reader';
import { shareFor } from '../pipelines/sql/sample';
import { DataError } from '../core/errors';
import type { TrainContext } from './trained';

/**
 * Runs `read` against the lakehouse's current silver and gold tables (each by its name) on an engine
 * opened for it, and closes the engine. Trainers read their inputs through this, never a database
 * handle of their own.
 */
export async function readLake<T>(ctx: Pick<TrainContext, 'lakehouse' | 'timezone' | 'duckdb'>, read: (lake: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(ctx.lakehouse, { timezone: ctx.timezone, duckdb: ctx.duckdb });
  try {
    await registerLakeTables(engine, ctx.lakehouse);
    return await read(engine);
  } finally {
    engine.close();
  }
}

/**
 * The share of members a trainer reads so that about `maxRows` of the rows of `sql` remain: 1 when
 * they all fit, else the share to pass to `keySample` (a deterministic sample of whole members).
 */
export async function memberShareFor(lake: Engine, sql: string, maxRows: number): Promise<number> {
  const [{ n }] = await lake.query(`SELECT count(*)::DOUBLE AS n FROM (${sql}) AS rows_to_count`);
  return shareFor(Number(n), maxRows);
}

/**
 * The lakehouse's calendar (its first and last day) and the instant a model trained on it reads as
 * of: the start of the day after the last, when everything that had landed by its end is known.
 */
export async function dataCutoff(ctx: Pick<TrainContext, 'lakehouse' | 'timezone' | 'duckdb'>): Promise<{ first: string; last: string; asOf: Date }> {
  const [r] = await readLake(ctx, (lake) =>
    lake.query(`SELECT CAST(min(date) AS VARCHAR) AS first, CAST(max(date) AS VARCHAR) AS last, fitlake_epoch_ms(fitlake_day_start(max(date) + 1)) AS at_ms FROM dim_date`),
  );
  if (r?.last == null) throw new DataError('the calendar (silver dim_date) is empty: run the pipeline first');
  return { first: String(r.first), last: String(r.last), asOf: new Date(Number(r.at_ms)) };
}
