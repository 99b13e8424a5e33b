import { designColumns, designMatrix, fitDesign } from '../../../../training/churn/design';

describe('churn design matrix', () => {
  const train = [
    { visits: 2, plan: 'basic' },
    { visits: 4, plan: 'plus' },
    { visits: null, plan: 'elite' },
  ];
  it('standardizes with training statistics and one-hot encodes against a reference level', () => {
    const spec = fitDesign(train, ['visits'], ['plan']);
    expect(spec.numeric).toEqual([{ name: 'visits', mean: 3, std: Math.SQRT2 }]);
    expect(designColumns(spec)).toEqual(['visits', 'plan=elite', 'plan=plus']);
    expect(spec.categorical).toEqual([{ name: 'plan', levels: ['elite', 'plus'], reference: 'basic', means: [1 / 3, 1 / 3] }]);
    const { X, n, d } = designMatrix(spec, [{ visits: 6, plan: 'plus' }, { visits: null, plan: 'student' }]);
    expect([n, d]).toEqual([2, 3]);
    expect(Array.from(X)).toEqual([3 / Math.SQRT2, 0, 1, 0, 0, 0]);
  });
  it('refuses an empty training set', () => {
    expect(() => fitDesign([], ['visits'], [])).toThrow('no training rows');
  });
});
