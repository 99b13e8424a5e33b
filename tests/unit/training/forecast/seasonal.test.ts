import { addDays } from '../../../../core/dates';
import { seasonalBacktest, seasonalForecast, YEAR_WEEKS } from '../../../../training/forecast/seasonal';
import type { WeeklySeries } from '../../../../training/forecast/weekly_sales';

/** Weekly series from 2025-01-06 on: a January surge and summer dip shared by every SKU, SKU B growing 50 % a year. */
function chain(weeks: number) {
  const dates = Array.from({ length: weeks }, (_, i) => addDays('2025-01-06', 7 * i));
  const season = (i: number) => 1 + 0.4 * Math.cos((2 * Math.PI * i) / 52);
  const members = dates.map((_, i) => 1000 * (1 + (0.1 * i) / 52));
  const a = dates.map((_, i) => Math.round(60 * season(i) * (members[i] / 1000)));
  const b = dates.map((_, i) => Math.round(40 * season(i) * (members[i] / 1000) * (1 + (0.5 * i) / 52)));
  const sku = (id: string, units: number[]): WeeklySeries => ({ sku: id, name: id, weeks: dates, units });
  const total: WeeklySeries = { ...sku('TOTAL', a.map((v, i) => v + b[i])), before: { week: '2024-12-30', days: 5, units: 110 } };
  return { total, skus: [sku('A', a), sku('B', b)], members };
}

describe('seasonal forecast', () => {
  it('forecasts the same week a year before grown with the members, and the SKUs sum to the total', () => {
    const { total, skus, members } = chain(YEAR_WEEKS);
    const fc = seasonalForecast(total, skus, members, 8);
    const growth = members[YEAR_WEEKS - 1] / members[0];
    // the first forecast week is a year after the partial week before the data's first complete one
    expect(fc.total.mean[0]).toBeCloseTo(((110 * 7) / 5) * growth, 9);
    for (let h = 1; h < 8; h++) expect(fc.total.mean[h]).toBeCloseTo(total.units[h - 1] * growth, 9);
    fc.total.mean.forEach((t, h) => expect(fc.skus[0].mean[h] + fc.skus[1].mean[h]).toBeCloseTo(t, 9));
    // the January surge is back: above the last quarter's average
    expect(Math.min(...fc.total.mean.slice(1, 5))).toBeGreaterThan(total.units.slice(-13).reduce((s, v) => s + v, 0) / 13);
    // the growing SKU's share keeps growing past its last observed share
    const lastShare = skus[1].units.at(-1)! / total.units.at(-1)!;
    expect(fc.skus[1].mean[4] / fc.total.mean[4]).toBeGreaterThan(lastShare);
    for (const f of [fc.total, ...fc.skus]) for (const sd of f.sd) expect(sd).toBeGreaterThan(0);
  });

  it('takes growth from the same quarter a year before once two years exist', () => {
    const { total, skus, members } = chain(120);
    const fc = seasonalForecast(total, skus, members, 4);
    const q = (from: number) => total.units.slice(from, from + 13).reduce((s, v) => s + v, 0);
    expect(fc.total.mean[0]).toBeCloseTo(total.units[120 - 52] * (q(120 - 13) / q(120 - 13 - 52)), 9);
  });

  it('backtests only from origins with a year behind them', () => {
    const one = chain(YEAR_WEEKS);
    expect(seasonalBacktest([one.total, ...one.skus], one.members, 12, 4).flat()).toEqual([]);
    const two = chain(70);
    const points = seasonalBacktest([two.total, ...two.skus], two.members, 12, 4);
    expect(points.map((p) => p.length)).toEqual([48, 48, 48]);
    expect(Math.min(...points[0].map((p) => p.origin))).toBeGreaterThanOrEqual(YEAR_WEEKS);
  });

  it('refuses a history shorter than a year', () => {
    const { total, skus, members } = chain(30);
    expect(() => seasonalForecast(total, skus, members, 8)).toThrow('the seasonal forecast needs 51 weeks, got 30');
  });
});
