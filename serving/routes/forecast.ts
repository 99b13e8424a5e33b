import type { IRouter } from 'express';
import { NotFoundError } from '../../core/errors';
import type { ApiContext } from '../context';
import { parse, route } from '../http';
import { servedForecast } from '../models';
import { ForecastQuery } from '../schemas';

/** GET /forecast/supplements?weeks=4&sku=… — point forecasts and 80/95% intervals per SKU (TOTAL = all supplements). */
export function forecastRoutes(router: IRouter, ctx: ApiContext): void {
  router.get(
    '/forecast/supplements',
    route((req, res) => {
      const { weeks, sku } = parse(ForecastQuery, req.query, 'query');
      const fc = servedForecast(ctx.models.current());
      const series = sku ? fc.model.series.filter((s) => s.sku === sku) : fc.model.series;
      if (sku && series.length === 0) throw new NotFoundError(`unknown SKU ${sku} (known: ${fc.model.series.map((s) => s.sku).join(', ')})`, 'sku');
      res.json({
        model: { name: fc.name, version: fc.version, alias: fc.alias },
        last_week: fc.model.lastWeek,
        series: series.map((s) => ({ sku: s.sku, name: s.name, method: s.method, forecast: s.forecast.slice(0, weeks), backtest: { mase: s.backtest.mase, smape: s.backtest.smape, coverage80: s.backtest.coverage80, coverage95: s.backtest.coverage95 } })),
      });
    }),
  );
}
