import { createHash } from 'node:crypto';
import { ValidationError } from '../../../../core/errors';
import { Db } from '../../../../pipelines/engine/duckdb/db';
import { hashBucket, keySample, md5Prefix, shareFor } from '../../../../pipelines/sql/sample';

describe('deterministic key samples', () => {
  let db: Db;
  beforeAll(async () => {
    db = await Db.open();
    await db.run(`CREATE TABLE ids AS SELECT 'M' || lpad(CAST(i AS VARCHAR), 7, '0') AS member_id FROM range(1, 20001) t(i)`);
  });
  afterAll(() => db.close());

  it('keeps about the share asked for, the keys whose MD5 starts below it, the same on every run', async () => {
    const kept = async (share: number) => (await db.all(`SELECT member_id FROM ids WHERE ${keySample('member_id', share)} ORDER BY member_id`)).map((r) => String(r.member_id));
    const quarter = await kept(0.25);
    expect(quarter.length).toBeGreaterThan(0.24 * 20000);
    expect(quarter.length).toBeLessThan(0.26 * 20000);
    expect(await kept(0.25)).toEqual(quarter);
    const byNode = Array.from({ length: 20000 }, (_, i) => `M${String(i + 1).padStart(7, '0')}`).filter((id) => parseInt(createHash('md5').update(id).digest('hex').slice(0, 8), 16) < Math.floor(0.25 * 16 ** 8));
    expect(quarter).toEqual(byNode);
    const tenth = new Set(await kept(0.1));
    expect(quarter.filter((id) => tenth.has(id)).length).toBe(tenth.size);
    expect((await kept(1)).length).toBe(20000);
  });

  it('splits keys into disjoint buckets that cover them all', async () => {
    const [r] = await db.all(`SELECT count(*)::INTEGER AS n, ${[0, 1, 2, 3, 4, 5, 6].map((b) => `count(*) FILTER (WHERE ${hashBucket(md5Prefix('member_id'), b, 7)})::INTEGER AS b${b}`).join(', ')} FROM ids`);
    const sizes = [0, 1, 2, 3, 4, 5, 6].map((b) => Number(r[`b${b}`]));
    expect(sizes.reduce((a, x) => a + x, 0)).toBe(20000);
    for (const n of sizes) expect(Math.abs(n - 20000 / 7)).toBeLessThan(200);
    expect(hashBucket('h', 0, 1)).toBe('TRUE');
    expect(() => hashBucket('h', 3, 3)).toThrow(/bucket 3 of 3 does not exist/);
  });

  it('asks for the share that leaves about max rows, and refuses shares outside (0, 1]', () => {
    expect(shareFor(1000, 5000)).toBe(1);
    expect(shareFor(4_000_000, 600_000)).toBeCloseTo(0.15);
    for (const bad of [0, -0.1, 1.5, Number.NaN]) expect(() => keySample('member_id', bad)).toThrow(ValidationError);
    expect(() => keySample('member_id', 0)).toThrow(/sample share must be in \(0, 1\], got 0/);
  });
});
