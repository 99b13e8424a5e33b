import type { TextSink } from '../../core/atomic_writer';
import type { Day } from './calendar';
import { isoLocal, localToUtcMs, usLocal } from './calendar';
import type { DirtRates } from './options';
import type { Rng } from './rng';
import type { TimestampStyle } from '../feeds';

export const DIRT_KINDS = [
  'double_scan',
  'replayed_row',
  'sku_variant',
  'unknown_sku',
  'timestamp_format',
  'late_arrival',
  'out_of_range',
  'orphan_member',
  'malformed_line',
] as const;
export type DirtKind = (typeof DIRT_KINDS)[number];

/**
 * Every piece of injected dirt, one row each (kind, feed, record id, landing file and line when
 * known, detail), streamed to a sink, plus counts per feed and kind. Torn lines are only counted
 * here: their line number is known once the club parts of a file are merged.
 */
export class DirtLog {
  readonly counts: Record<string, Record<string, number>> = {};

  /** While muted (days simulated past the data, for the truth only), nothing is logged or counted. */
  muted = false;

  constructor(private readonly out: TextSink) {}

  add(kind: DirtKind, feed: string, recordId: string, detail = ''): void {
    if (this.muted) return;
    this.tally(kind, feed);
    this.out.write(dirtRow(kind, feed, recordId, detail) + '\n');
  }

  tally(kind: DirtKind, feed: string): void {
    if (this.muted) return;
    const byFeed = (this.counts[feed] ??= {});
    byFeed[kind] = (byFeed[kind] ?? 0) + 1;
  }
}

export const DIRT_HEADER = 'kind,feed,record_id,file,line,detail';

export function dirtRow(kind: DirtKind, feed: string, recordId: string, detail: string, file = '', line = 0): string {
  return [kind, feed, csvCell(recordId), file, line || '', csvCell(detail)].join(',');
}

export function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Writes an event time in a feed's usual style or, at the dirt rate, in another system's style
 * (ISO with offset, epoch millis, naive local `MM/DD/YYYY hh:mm AM`), logging the true instant.
 */
export class TimestampWriter {
  constructor(
    private readonly rng: Rng,
    private readonly rates: DirtRates,
    private readonly dirt: DirtLog,
  ) {}

  write(feed: string, usual: TimestampStyle, day: Day, seconds: number, recordId: string): string {
    if (!this.rng.chance(this.rates.timestampFormat)) return format(usual, day, seconds);
    const others = (['iso', 'epoch_ms', 'us_local'] as const).filter((s) => s !== usual);
    const style = others[this.rng.int(others.length)];
    const secs = style === 'us_local' ? seconds - (seconds % 60) : seconds;
    const text = format(style, day, secs);
    this.dirt.add('timestamp_format', feed, recordId, `${text}|${new Date(localToUtcMs(day, secs)).toISOString()}`);
    return text;
  }
}

export function format(style: TimestampStyle, day: Day, seconds: number): string {
  if (style === 'iso') return isoLocal(day, seconds);
  if (style === 'epoch_ms') return String(localToUtcMs(day, seconds));
  return usLocal(day, seconds - (seconds % 60));
}

/** SKU as a till might print it: case, spacing, underscores, a legacy code or a known typo. */
export function skuVariant(rng: Rng, sku: string, legacy: string, typo: string): string {
  switch (rng.int(6)) {
    case 0:
      return sku.toLowerCase();
    case 1:
      return ` ${sku} `;
    case 2:
      return sku.replace(/-/g, '_');
    case 3:
      return legacy;
    case 4:
      return typo;
    default:
      return sku.replace(/-/g, ' ').toLowerCase();
  }
}

/** A line torn mid-write, or plain garbage. */
export function malformed(rng: Rng, line: string, csv: boolean): string {
  if (rng.chance(0.2)) return rng.pick(['<html>502 Bad Gateway</html>', '\ufffd\ufffd\ufffd', '#N/A', 'null', '{}{']);
  if (csv) return line.split(',').slice(0, 1 + rng.int(3)).join(',');
  return line.slice(0, Math.max(1, Math.floor(line.length * rng.range(0.2, 0.9))));
}
