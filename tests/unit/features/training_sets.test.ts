import { ValidationError } from '../../../core/errors';
import { churnEntitySql } from '../../../features/training_sets';

describe('the churn entity query', () => {
  it('refuses a horizon or a history that is not a positive whole number of days, naming the option', () => {
    for (const [opts, field] of [
      [{ horizonDays: 0 }, 'horizonDays'],
      [{ minHistoryDays: 0 }, 'minHistoryDays'],
      [{ minHistoryDays: 1.5 }, 'minHistoryDays'],
    ] as const) {
      const e = (() => {
        try {
          churnEntitySql(opts);
        } catch (err) {
          return err;
        }
      })();
      expect([e, (e as ValidationError).field, (e as ValidationError).message]).toEqual([expect.any(ValidationError), field, `${field} must be a positive integer`]);
    }
  });

  it('uses only engine functions for time, so it runs on DuckDB and Spark alike', () => {
    const sql = churnEntitySql({ horizonDays: 7, minHistoryDays: 30 });
    expect(sql).toContain('fitlake_month_steps(fitlake_add_months(');
    expect(sql).toContain('fitlake_day_start(s.snapshot_date) AS event_timestamp');
    expect(sql).not.toMatch(/timezone\(|range\(|INTERVAL 1 MONTH/);
  });
});
