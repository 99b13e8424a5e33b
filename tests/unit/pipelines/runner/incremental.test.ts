import { restrictSql, toGrain } from '../../../../pipelines/runner/incremental';
import { parseModel } from '../../../../pipelines/runner/models';

describe('restrictSql', () => {
  it('reads bronze and partitioned inputs only for the given partitions, lookups whole', () => {
    const m = parseModel(
      `-- model: f\n-- layer: silver\n-- depends: bronze_x, c__classified, member_ids\n-- partition_by: d\n-- description: t\nSELECT * FROM bronze_x JOIN c__classified USING (k) LEFT JOIN member_ids USING (member_id) WHERE c__classified_extra(1) IS NULL`,
      'silver/f.sql',
    );
    const sql = restrictSql(m, new Set(['2025-01-02', '2025-01-01']), (d) => (d === 'c__classified' ? 'event_date' : undefined));
    expect(sql).toBe(
      "SELECT * FROM (SELECT * FROM bronze_x WHERE date IN ('2025-01-01'::DATE, '2025-01-02'::DATE)) AS bronze_x JOIN (SELECT * FROM c__classified WHERE event_date IN ('2025-01-01'::DATE, '2025-01-02'::DATE)) AS c__classified USING (k) LEFT JOIN member_ids USING (member_id) WHERE c__classified_extra(1) IS NULL",
    );
  });

  it('keeps a table alias and restricts a lookup keyed by the partition column', () => {
    const m = parseModel(
      `-- model: g\n-- layer: gold\n-- depends: a, dim_date\n-- partition_by: date\n-- lookups: dim_date(date)\n-- description: t\nSELECT d.date FROM dim_date d LEFT JOIN a x ON x.date = d.date JOIN a USING (date)`,
      'gold/g.sql',
    );
    const sql = restrictSql(m, new Set(['2025-01-01']), (d) => (d === 'a' ? 'date' : undefined));
    expect(sql).toBe(
      "SELECT d.date FROM (SELECT * FROM dim_date WHERE date IN ('2025-01-01'::DATE)) d LEFT JOIN (SELECT * FROM a WHERE date IN ('2025-01-01'::DATE)) x ON x.date = d.date JOIN (SELECT * FROM a WHERE date IN ('2025-01-01'::DATE)) AS a USING (date)",
    );
  });
});

describe('toGrain', () => {
  it('maps a date to the partition covering it', () => {
    expect(toGrain('2025-01-15', 'day')).toBe('2025-01-15');
    expect(toGrain('2025-01-15', 'week')).toBe('2025-01-13');
    expect(toGrain('2025-01-13', 'week')).toBe('2025-01-13');
    expect(toGrain('2025-01-19', 'week')).toBe('2025-01-13');
    expect(toGrain('2025-03-02', 'week')).toBe('2025-02-24');
    expect(toGrain('2025-02-28', 'month')).toBe('2025-02-01');
  });
});
