import { backtest, naivePeriod, naiveScale, summarize } from '../../../../training/forecast/backtest';

describe('forecast backtest', () => {
  it('scales MASE by the in-sample naive error, seasonal only with a year of history', () => {
    expect(naivePeriod(40)).toBe(1);
    expect(naivePeriod(60)).toBe(52);
    expect(naiveScale([1, 3, 2, 6])).toBeCloseTo((2 + 1 + 4) / 3, 12);
  });

  it('scores every origin × horizon inside the data, and a constant series perfectly', () => {
    const y = new Array<number>(30).fill(10);
    const points = backtest('S', y, 5, 3);
    expect(points).toHaveLength(15);
    expect(Math.max(...points.map((p) => p.origin + p.h - 1))).toBe(29);
    const s = summarize(points);
    expect(s.mase).toBeCloseTo(0, 6);
    expect(s.smape).toBeCloseTo(0, 6);
  });
});
