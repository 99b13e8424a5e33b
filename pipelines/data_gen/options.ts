import { z } from 'zod';
import type { Scale } from '../../core/config';
import { parseIsoDate } from './calendar';

/** Rates of each kind of deliberate dirt, as fractions of the records they can touch. */
export const DirtRatesSchema = z
  .object({
    /** Class check-ins scanned twice, seconds apart (a new scan id). */
    doubleScan: z.number().min(0).max(0.5),
    /** Chance per day that a chunk of an earlier day's check-in file is re-sent. */
    replayedBatch: z.number().min(0).max(1),
    /** Retail lines whose printed SKU is a variant (case, spacing, underscores, legacy code, typo). */
    skuVariant: z.number().min(0).max(1),
    /** Retail lines with a SKU nobody can map. */
    unknownSku: z.number().min(0).max(0.2),
    /** Event timestamps written in another system's format. */
    timestampFormat: z.number().min(0).max(1),
    /** Events delivered 1–10 days after they happened. */
    lateArrival: z.number().min(0).max(0.5),
    /** Durations, reps or weights out of any sensible range. */
    outOfRange: z.number().min(0).max(0.2),
    /** Extra records carrying a member id the gym never issued. */
    orphanMember: z.number().min(0).max(0.2),
    /** Torn or garbage lines. */
    malformedLine: z.number().min(0).max(0.2),
  })
  .strict();
export type DirtRates = z.infer<typeof DirtRatesSchema>;

export const DEFAULT_DIRT: DirtRates = {
  doubleScan: 0.02,
  replayedBatch: 0.05,
  skuVariant: 0.1,
  unknownSku: 0.003,
  timestampFormat: 0.04,
  lateArrival: 0.01,
  outOfRange: 0.004,
  orphanMember: 0.003,
  malformedLine: 0.001,
};

export const GeneratorOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    /** Members on the books on the first day (joins and cancellations change it afterwards). */
    members: z.number().int().min(10).max(2_000_000),
    days: z.number().int().min(1).max(3660),
    start: z.string().refine((s) => {
      try {
        parseIsoDate(s);
        return true;
      } catch {
        return false;
      }
    }, 'must be a YYYY-MM-DD date'),
    clubs: z.number().int().min(1).max(200),
    timezone: z.string(),
    dirt: DirtRatesSchema,
  })
  .strict();
export type GeneratorOptions = z.infer<typeof GeneratorOptionsSchema>;

export const SCALE_PRESETS: Record<Scale, { members: number; days: number; clubs: number }> = {
  tiny: { members: 300, days: 61, clubs: 1 },
  small: { members: 3000, days: 365, clubs: 2 },
  medium: { members: 20000, days: 365, clubs: 4 },
  large: { members: 200000, days: 730, clubs: 20 },
};
export const DEFAULT_START = '2025-01-01';
