import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db, removeStaleSpill } from '../../../pipelines/engine/duckdb/db';

describe('DuckDB spilling', () => {
  it('spills into a folder of its own under the OS temp dir, never the current directory, and removes it on close', async () => {
    const [a, b] = await Promise.all([Db.open({ memoryLimit: '64MB', threads: 1 }), Db.open({ memoryLimit: '64MB', threads: 1 })]);
    const dirs = await Promise.all([a, b].map(async (db) => String((await db.all(`SELECT current_setting('temp_directory') AS d`))[0].d)));
    expect(dirs[0]).not.toBe(dirs[1]);
    for (const d of dirs) expect(d.startsWith(tmpdir())).toBe(true);
    await a.run(`CREATE TABLE t AS SELECT i, md5(CAST(i AS VARCHAR)) AS h FROM range(3000000) r(i)`);
    expect(await a.all(`SELECT count(DISTINCT h)::INTEGER AS n FROM (SELECT h FROM t ORDER BY h)`)).toEqual([{ n: 3000000 }]);
    expect(existsSync(dirs[0])).toBe(true);
    a.close();
    b.close();
    expect(existsSync(dirs[0])).toBe(false);
  });
});

describe('spill folders of killed processes', () => {
  it('are removed; those of running processes and other folders stay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-sweep-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const names = [`fitlake-duckdb-${dead}-1`, `fitlake-duckdb-${dead}-2`, `fitlake-duckdb-${process.pid}-1`, `fitlake-duckdb-${process.ppid}-3`, 'fitlake-duckdb-notes', 'other-123-1'];
    for (const n of names) mkdirSync(join(dir, n));
    writeFileSync(join(dir, names[0], 'spill.tmp'), 'x');
    expect(removeStaleSpill(dir).sort()).toEqual(names.slice(0, 2));
    expect(readdirSync(dir).sort()).toEqual(names.slice(2).sort());
    rmSync(dir, { recursive: true });
  });
});
