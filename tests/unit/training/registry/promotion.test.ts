import { decidePromotion, VERSION_TAGS, type Challenger } from '../../../../training/registry/promotion';
import type { ModelVersion } from '../../../../training/tracking/run_tracker';

const pass = [{ name: 'calibrated', passed: true, detail: 'ok' }];
const challenger = (value: number, dataVersion = 'd1', gates = pass): Challenger => ({ metric: 'roc_auc', value, better: 'higher', dataVersion, gates });
const champion = (value: number, dataVersion = 'd1', metric = 'roc_auc'): ModelVersion => ({
  name: 'churn', version: '3', runId: 'r', source: 's',
  tags: { [VERSION_TAGS.primaryMetric]: metric, [VERSION_TAGS.primaryValue]: String(value), [VERSION_TAGS.dataVersion]: dataVersion },
});

describe('promotion rule', () => {
  it('never promotes a challenger that fails a gate, even with no champion', () => {
    const d = decidePromotion(challenger(0.9, 'd1', [{ name: 'calibrated', passed: false, detail: 'ECE 0.05 ≤ 0.03' }]), null);
    expect(d).toEqual({ promote: false, reason: 'failed gates: calibrated (ECE 0.05 ≤ 0.03)' });
  });

  it('promotes the first model that passes its gates', () => {
    expect(decidePromotion(challenger(0.7), null).promote).toBe(true);
  });

  it('on the same data: strictly better wins, a tie keeps the champion', () => {
    expect(decidePromotion(challenger(0.801), champion(0.8)).promote).toBe(true);
    expect(decidePromotion(challenger(0.8), champion(0.8)).promote).toBe(false);
    expect(decidePromotion(challenger(0.79), champion(0.8)).promote).toBe(false);
  });

  it('on newer data: promotes unless worse than the champion by more than the tolerance', () => {
    expect(decidePromotion(challenger(0.795, 'd2'), champion(0.8)).promote).toBe(true);
    expect(decidePromotion(challenger(0.785, 'd2'), champion(0.8)).promote).toBe(false);
  });

  it('respects the direction of lower-is-better metrics', () => {
    const c: Challenger = { metric: 'mase', value: 0.8, better: 'lower', dataVersion: 'd1', gates: pass };
    expect(decidePromotion(c, champion(0.85, 'd1', 'mase')).promote).toBe(true);
    expect(decidePromotion({ ...c, value: 0.9 }, champion(0.85, 'd1', 'mase')).promote).toBe(false);
  });

  it('replaces a champion that recorded another metric or none', () => {
    expect(decidePromotion(challenger(0.6), champion(0.9, 'd1', 'pr_auc')).promote).toBe(true);
    expect(decidePromotion(challenger(NaN), null).promote).toBe(false);
  });
});
