import { backtestOrigins, scoreOrigin, summarize } from '../../../../training/forecast/backtest';
import type { ForecastModel } from '../../../../training/forecast/model';
import { forecastGates } from '../../../../training/forecast/train_forecast';

/** A weekly series with a level that wanders (what naive follows and a constant misses). */
const y = Array.from({ length: 60 }, (_, t) => 100 + 30 * Math.sin(t / 6) + 10 * Math.cos(t * 1.7));

function backtestOf(forecast: (train: number[], h: number) => number) {
  return summarize(backtestOrigins(y.length, 12, 4).flatMap((o) => {
    const train = y.slice(0, o);
    const mean = Array.from({ length: 4 }, (_, h) => forecast(train, h));
    return scoreOrigin('S', y, o, { mean, sd: mean.map(() => 10) }, 4);
  }));
}

const point = (week: string, mean: number) => ({ week, mean, lo80: mean - 1, hi80: mean + 1, lo95: mean - 2, hi95: mean + 2 });
const series = (sku: string, means: number[]) => ({ sku, name: sku, method: 'x', history: [], forecast: means.map((m, i) => point(`2026-01-0${i + 5}`, m)), backtest: { mase: 0, smape: 0, coverage80: 0, coverage95: 0, naiveMase: 0 } });

describe('forecast gates', () => {
  const coherent: Pick<ForecastModel, 'series'> = { series: [series('TOTAL', [30, 40]), series('A', [10, 15]), series('B', [20, 25])] };
  const failed = (bt: ReturnType<typeof summarize>, model = coherent) => forecastGates(bt, model, false).filter((g) => !g.passed).map((g) => g.name);

  it('fail a constant and a random forecast on the backtest', () => {
    const level = (train: number[]) => train.reduce((a, b) => a + b, 0) / train.length;
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    expect(failed(backtestOf((train) => level(train)))).toContain('beats naive');
    expect(failed(backtestOf((train) => 2 * level(train) * rand()))).toContain('beats naive');
    // the last value carried forward is naive itself: not better than naive either
    expect(failed(backtestOf((train) => train[train.length - 1]))).toContain('beats naive');
  });

  it('fail a total that is not the sum of its SKUs', () => {
    const naiveLike = backtestOf((train) => train[train.length - 1]);
    expect(failed(naiveLike)).not.toContain('coherent');
    const incoherent = { series: [series('TOTAL', [30, 41]), ...coherent.series.slice(1)] };
    expect(failed(naiveLike, incoherent)).toContain('coherent');
  });
});
