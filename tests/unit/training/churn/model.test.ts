import { churnInputs, predictChurn, scoreChurn, withDerived, type ChurnModel } from '../../../../training/churn/model';

const model: ChurnModel = {
  kind: 'churn', formatVersion: 1, featureService: 'churn', features: ['v:visits_30d', 'p:plan', 'p:tenure_days'],
  derived: [{ name: 'tenure_lt_90', input: 'tenure_days', op: 'lt', value: 90 }],
  design: { numeric: [{ name: 'visits_30d', mean: 8, std: 4 }, { name: 'tenure_days', mean: 400, std: 200 }, { name: 'tenure_lt_90', mean: 0.1, std: 0.3 }], categorical: [{ name: 'plan', levels: ['elite', 'plus'], means: [0.2, 0.3] }] },
  intercept: -3, coef: [-0.8, -0.2, 0.9, -0.5, -0.3], bands: { medium: 0.03, high: 0.08 }, horizonDays: 30, dataVersion: 'x', trainedThrough: '2025-12-01',
};

describe('churn scoring', () => {
  const row = { visits_30d: 0, tenure_days: 30, plan: 'plus' };

  it('derives threshold features and scores the logistic model', () => {
    expect(withDerived(row, model.derived).tenure_lt_90).toBe(1);
    const z = -3 + -0.8 * -2 + -0.2 * -1.85 + 0.9 * 3 + -0.3 * 1;
    expect(predictChurn(model, [row])[0]).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  });

  const logit = (p: number) => Math.log(p / (1 - p));

  it('contributions add up to the log-odds over the average member, a derived feature counted with its input', () => {
    const [s] = scoreChurn(model, [row]);
    // the average member: numbers at their means, plan at its shares (elite 0.2, plus 0.3, basic the rest)
    expect(logit(s.averageProbability)).toBeCloseTo(-3 + -0.5 * 0.2 + -0.3 * 0.3, 12);
    expect(s.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(logit(s.probability) - logit(s.averageProbability), 10);
    expect(s.contributions.map((c) => c.feature).sort()).toEqual(['plan', 'tenure_days', 'visits_30d']);
    expect(s.contributions[0]).toMatchObject({ feature: 'tenure_days', value: 30 });
    expect(s.band).toBe('high');
  });

  it('measures a category against the average member, not against its reference level', () => {
    const contribution = (plan: string) => scoreChurn(model, [{ ...row, plan }])[0].contributions.find((c) => c.feature === 'plan')!.contribution;
    expect(contribution('plus')).toBeCloseTo(-0.3 - (-0.5 * 0.2 + -0.3 * 0.3), 12);
    expect(contribution('basic')).toBeCloseTo(0.19, 12);
    // weighted by the training shares, a category's contributions average to zero, as a number's do
    expect(0.2 * contribution('elite') + 0.3 * contribution('plus') + 0.5 * contribution('basic')).toBeCloseTo(0, 12);
  });

  it('scores artifacts trained before level shares were kept against the reference level', () => {
    const old = { ...model, design: { ...model.design, categorical: [{ name: 'plan', levels: ['elite', 'plus'] }] } };
    const [s] = scoreChurn(old, [row]);
    expect(s.contributions.find((c) => c.feature === 'plan')!.contribution).toBe(-0.3);
    expect(logit(s.averageProbability)).toBeCloseTo(-3, 12);
    expect(s.probability).toBeCloseTo(scoreChurn(model, [row])[0].probability, 12);
  });

  it('names the inputs a what-if may change: numbers (a derived feature by its input) and categories with every value training saw', () => {
    const withReference = { ...model, design: { ...model.design, categorical: [{ name: 'plan', levels: ['elite', 'plus'], reference: 'basic', means: [0.2, 0.3] }] } };
    expect(churnInputs(withReference)).toEqual({ numeric: ['visits_30d', 'tenure_days'], categorical: [{ name: 'plan', values: ['basic', 'elite', 'plus'], complete: true }] });
    expect(churnInputs(model).categorical).toEqual([{ name: 'plan', values: ['elite', 'plus'], complete: false }]);
  });

  it('treats missing features as the training mean (zero contribution)', () => {
    const [s] = scoreChurn(model, [{ visits_30d: null, tenure_days: 400, plan: 'basic' }]);
    expect(s.contributions.find((c) => c.feature === 'visits_30d')!.contribution).toBe(0);
  });
});
