import { setFlagsFromString } from 'node:v8';
import { RowShape } from '../../../core/row_shape';
import { Db } from '../../../pipelines/engine/duckdb/db';
import { withDerived } from '../../../training/churn/model';
import { CHURN_DERIVED } from '../../../training/churn/train_churn';

setFlagsFromString('--allow-natives-syntax');
// V8's own test of an object's property storage: fast (a shared hidden class) or a dictionary
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

describe('rows of many columns keep a compact shape', () => {
  const cols = Array.from({ length: 60 }, (_, j) => `(i * ${j + 1})::BIGINT AS c${j}`).join(', ');

  it('a row built key by key turns into a dictionary; one copied from the template does not', () => {
    const keyed: Record<string, unknown> = {};
    for (let j = 0; j < 60; j++) keyed[`c${j}`] = j;
    expect(hasFastProperties(keyed)).toBe(false);
    const keys = Object.keys(keyed);
    const row = new RowShape(keys).row((j) => keyed[keys[j]]);
    expect(hasFastProperties(row)).toBe(true);
    expect(row).toEqual(keyed);
  });

  it('query results and churn rows with derived features are fast objects with the right values', async () => {
    const db = await Db.open({ threads: 1 });
    try {
      const rows = await db.all(`SELECT 'M' || i AS member_id, i AS tenure_days, ${cols}, NULL AS visits_30d FROM range(3) t(i)`);
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => hasFastProperties(r))).toBe(true);
      expect(rows[2]).toMatchObject({ member_id: 'M2', tenure_days: 2, c0: 2, c59: 120, visits_30d: null });
      const derived = rows.map((r) => withDerived(r, CHURN_DERIVED));
      expect(derived.every((r) => hasFastProperties(r))).toBe(true);
      expect(derived[2]).toMatchObject({ member_id: 'M2', c59: 120, tenure_lt_90: 1, no_visit_30d: null });
      expect(Object.keys(derived[2])).toEqual([...Object.keys(rows[2]), ...CHURN_DERIVED.map((d) => d.name)]);
    } finally {
      db.close();
    }
  });
});
