import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { FileMetaData } from 'hyparquet';

/** A top-level column of a Parquet file and its physical type (DOUBLE, INT64, BYTE_ARRAY…). */
export interface ParquetField {
  name: string;
  type: string;
}

function readAt(fd: number, position: number, length: number): ArrayBuffer {
  const buf = new ArrayBuffer(length);
  readSync(fd, new Uint8Array(buf), 0, length, position);
  return buf;
}

/** A Parquet file's metadata, read from its footer only (not the whole file). */
async function footer(path: string): Promise<FileMetaData> {
  const { parquetMetadata } = await import('hyparquet');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = new DataView(readAt(fd, size - 8, 8)).getUint32(0, true);
    return parquetMetadata(readAt(fd, size - length - 8, length + 8));
  } finally {
    closeSync(fd);
  }
}

/** The top-level columns of a Parquet file. */
export async function parquetFields(path: string): Promise<ParquetField[]> {
  const meta = await footer(path);
  return meta.schema.slice(1).filter((e) => e.num_children === undefined).map((e) => ({ name: e.name, type: String(e.type) }));
}

/**
 * A file's row count and the smallest and largest value of a timestamp column over its row groups,
 * from their statistics (range null: a row group has none).
 */
export async function timestampStats(path: string, column: string): Promise<{ rows: number; range: { min: Date; max: Date } | null }> {
  const meta = await footer(path);
  return { rows: Number(meta.num_rows), range: timestampRange(meta, column) };
}

function timestampRange(meta: FileMetaData, column: string): { min: Date; max: Date } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const rg of meta.row_groups) {
    const stats = rg.columns.find((c) => c.meta_data?.path_in_schema.join('.') === column)?.meta_data?.statistics;
    const [lo, hi] = [stats?.min_value ?? stats?.min, stats?.max_value ?? stats?.max];
    if (!(lo instanceof Date) || !(hi instanceof Date)) return null;
    min = Math.min(min, lo.getTime());
    max = Math.max(max, hi.getTime());
  }
  return meta.row_groups.length === 0 ? null : { min: new Date(min), max: new Date(max) };
}
