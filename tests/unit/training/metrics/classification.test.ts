import { brier, expectedCalibrationError, logLoss, prAuc, rocAuc, topLift } from '../../../../training/metrics/classification';

describe('classification metrics', () => {
  const y = [0, 0, 1, 1];
  it('ROC-AUC counts ordered pairs, ties as halves', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], y)).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.1, 0.2, 0.3, 0.4], y)).toBe(1);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], y)).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNaN();
  });

  it('average precision, log loss, Brier', () => {
    expect(prAuc([0.1, 0.4, 0.35, 0.8], y)).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(logLoss([0.5, 0.5, 0.5, 0.5], y)).toBeCloseTo(Math.log(2), 12);
    expect(brier([0, 0, 1, 1], y)).toBe(0);
    expect(brier([1, 1, 0, 0], y)).toBe(1);
  });

  it('calibration error and lift', () => {
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1], 1)).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0.95, 0.95], [0, 0])).toBeCloseTo(0.95, 12);
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = p.map((_, i) => (i >= 90 ? 1 : i < 5 ? 1 : 0));
    expect(topLift(p, labels, 0.1)).toBeCloseTo(1 / (15 / 100), 12);
  });
});
