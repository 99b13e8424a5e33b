import { sqlString } from '../../sql/quote';
import { Db } from './db';

/**
 * Writes a JSON-lines file the process wrote itself (run records, results) as a Parquet table, on an
 * embedded DuckDB of its own: small local files need no engine, whichever one runs the models.
 */
export async function jsonLinesToParquet(jsonl: string, path: string, orderBy: string): Promise<void> {
  const db = await Db.open({ memoryLimit: '256MB', threads: 1 });
  try {
    await db.run(`COPY (SELECT * FROM read_json(${sqlString(jsonl)}, format = 'newline_delimited') ORDER BY ${orderBy}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    db.close();
  }
}
