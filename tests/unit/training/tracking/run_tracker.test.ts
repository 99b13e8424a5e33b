import { BATCH_LIMITS, checkName, splitBatch, type Metric } from '../../../../training/tracking/run_tracker';

const metric = (i: number): Metric => ({ key: `m${i % 7}`, value: i, timestamp: 1, step: i });

describe('splitBatch', () => {
  it('keeps every call within MLflow limits and loses nothing', () => {
    const batch = {
      metrics: Array.from({ length: 2500 }, (_, i) => metric(i)),
      params: Array.from({ length: 230 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: 'x' })),
    };
    const parts = splitBatch(batch);
    for (const p of parts) {
      expect(p.metrics!.length).toBeLessThanOrEqual(BATCH_LIMITS.metrics);
      expect(p.params!.length).toBeLessThanOrEqual(BATCH_LIMITS.params);
      expect(p.tags!.length).toBeLessThanOrEqual(BATCH_LIMITS.tags);
      expect(p.metrics!.length + p.params!.length + p.tags!.length).toBeLessThanOrEqual(BATCH_LIMITS.total);
    }
    expect(parts.flatMap((p) => p.metrics)).toEqual(batch.metrics);
    expect(parts.flatMap((p) => p.params)).toEqual(batch.params);
    expect(parts.flatMap((p) => p.tags)).toEqual(batch.tags);
  });

  it('rejects keys and values MLflow would refuse, naming them', () => {
    expect(() => splitBatch({ params: [{ key: 'l2', value: 'x'.repeat(6001) }] })).toThrow(/param l2 is 6001 characters/);
    expect(() => splitBatch({ metrics: [{ key: 'bad key!', value: 1, timestamp: 1, step: 0 }] })).toThrow(/invalid metric key "bad key!"/);
    expect(() => checkName('model name', '../etc')).toThrow(/invalid model name/);
    expect(() => checkName('model name', 'fitlake/churn')).not.toThrow();
  });
});
