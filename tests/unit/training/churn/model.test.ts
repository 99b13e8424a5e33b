import { predictChurn, scoreChurn, withDerived, type ChurnModel } from '../../../../training/churn/model';

const model: ChurnModel = {
  kind: 'churn', formatVersion: 1, featureService: 'churn', features: ['v:visits_30d', 'p:plan', 'p:tenure_days'],
  derived: [{ name: 'tenure_lt_90', input: 'tenure_days', op: 'lt', value: 90 }],
  design: { numeric: [{ name: 'visits_30d', mean: 8, std: 4 }, { name: 'tenure_days', mean: 400, std: 200 }, { name: 'tenure_lt_90', mean: 0.1, std: 0.3 }], categorical: [{ name: 'plan', levels: ['elite', 'plus'] }] },
  intercept: -3, coef: [-0.8, -0.2, 0.9, -0.5, -0.3], bands: { medium: 0.03, high: 0.08 }, horizonDays: 30, dataVersion: 'x', trainedThrough: '2025-12-01',
};

describe('churn scoring', () => {
  const row = { visits_30d: 0, tenure_days: 30, plan: 'plus' };

  it('derives threshold features and scores the logistic model', () => {
    expect(withDerived(row, model.derived).tenure_lt_90).toBe(1);
    const z = -3 + -0.8 * -2 + -0.2 * -1.85 + 0.9 * 3 + -0.3 * 1;
    expect(predictChurn(model, [row])[0]).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  });

  it('contributions add up to the log-odds over the intercept, a derived feature counted with its input', () => {
    const [s] = scoreChurn(model, [row]);
    const logit = Math.log(s.probability / (1 - s.probability));
    expect(s.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(logit - model.intercept, 10);
    expect(s.contributions.map((c) => c.feature).sort()).toEqual(['plan', 'tenure_days', 'visits_30d']);
    expect(s.contributions[0]).toMatchObject({ feature: 'tenure_days', value: 30 });
    expect(s.band).toBe('high');
  });

  it('treats missing features as the training mean (zero contribution)', () => {
    const [s] = scoreChurn(model, [{ visits_30d: null, tenure_days: 400, plan: 'basic' }]);
    expect(s.contributions.find((c) => c.feature === 'visits_30d')!.contribution).toBe(0);
  });
});
