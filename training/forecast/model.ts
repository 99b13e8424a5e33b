import { z } from 'zod';
import { TrainedOnFields } from '../features_used';

const Point = z.object({ week: z.string(), mean: z.number(), lo80: z.number(), hi80: z.number(), lo95: z.number(), hi95: z.number() }).strict();

export const ForecastModelSchema = z
  .object({
    kind: z.literal('forecast'),
    formatVersion: z.literal(1),
    /** Monday of the last complete week in the data; forecasts start the week after. */
    lastWeek: z.string(),
    horizon: z.number().int().positive(),
    series: z.array(
      z
        .object({
          /** A supplement SKU, or TOTAL for all supplements. */
          sku: z.string(),
          name: z.string(),
          method: z.string(),
          /** The smoothing parameters when the method is ETS. */
          params: z.object({ alpha: z.number(), beta: z.number(), phi: z.number(), gamma: z.number(), season: z.number().int() }).strict().optional(),
          history: z.array(z.object({ week: z.string(), units: z.number() }).strict()),
          forecast: z.array(Point),
          backtest: z.object({ mase: z.number(), smape: z.number(), coverage80: z.number(), coverage95: z.number(), naiveMase: z.number() }).strict(),
        })
        .strict(),
    ),
    dataVersion: z.string(),
    trainedThrough: z.string(),
    ...TrainedOnFields,
  })
  .strict();
export type ForecastModel = z.infer<typeof ForecastModelSchema>;
export type ForecastSeries = ForecastModel['series'][number];

export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;
