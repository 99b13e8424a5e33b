import { classReport, regressionReport } from '../../../../training/metrics/multiclass';
import { ndcgAtK, precisionAtK, recallAtK, spearman } from '../../../../training/metrics/ranking';

describe('ranking metrics', () => {
  const rel = new Set([2, 7]);
  it('precision, recall and NDCG at k by hand', () => {
    expect(precisionAtK([7, 1, 2, 3], rel, 4)).toBe(0.5);
    expect(recallAtK([7, 1, 3, 4], rel, 4)).toBe(0.5);
    expect(ndcgAtK([2, 7, 1], rel, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK([1, 2, 7], rel, 3)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAtK([1, 3], new Set<number>(), 2)).toBeNaN();
  });

  it('Spearman with ties and constants', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('multi-class and regression reports', () => {
  it('per-class precision/recall/F1, accuracy and macro-F1', () => {
    const r = classReport(['a', 'a', 'b', 'c'], ['a', 'b', 'b', 'b'], ['a', 'b', 'c']);
    expect(r.accuracy).toBe(0.5);
    expect(r.perClass.find((c) => c.label === 'b')).toMatchObject({ precision: 1 / 3, recall: 1, support: 1 });
    expect(r.macroF1).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
  });

  it('MAE, RMSE and R²', () => {
    expect(regressionReport([1, 2, 3], [1, 2, 3])).toEqual({ mae: 0, rmse: 0, r2: 1 });
    expect(regressionReport([1, 2, 3], [2, 2, 2]).r2).toBeCloseTo(0, 12);
  });
});
