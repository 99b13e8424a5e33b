import type { TextSink } from '../../core/atomic_writer';
import { CLASS_TYPES, PRODUCTS } from './catalog';
import type { Day } from './calendar';
import type { Member } from './members';

export const SUPPLEMENTS = PRODUCTS.map((p, i) => ({ p, i })).filter((x) => x.p.category === 'supplements');

/**
 * Days simulated past the data for the truth only (no records, no dirt): the expected supplement
 * demand of the 8 weeks a forecast covers after the last complete week.
 */
export const AHEAD_DAYS = 63;

/** Where a club's truth rows go: part files, one per truth table. */
export type TruthSinks = Record<'churn' | 'members' | 'affinities', TextSink>;

export const TRUTH_FILES = {
  churn: { file: 'churn_monthly.csv', header: 'member_id,snapshot_date,churn_probability,churned,effective_date' },
  members: { file: 'members.csv', header: 'member_id,join_day,end_day,motivation,price_sensitivity,class_propensity,app_user,wearable,moved_day' },
  affinities: { file: 'member_affinities.csv', header: 'member_id,kind,item,affinity' },
} as const;

/**
 * One club's ground truth, for evaluation and tests only (pipelines and training never read it):
 * monthly churn probabilities and outcomes, latent traits and affinities (streamed to part files),
 * and expected and realised supplement units per day, summed over clubs by the chain.
 */
export class Truth {
  /** Expected and realised units per day and supplement (row = day, column = SUPPLEMENTS index). */
  readonly expectedDaily: Float64Array;
  readonly actualDaily: Float64Array;

  constructor(
    days: number,
    private readonly out: TruthSinks,
  ) {
    this.expectedDaily = new Float64Array(days * SUPPLEMENTS.length);
    this.actualDaily = new Float64Array(days * SUPPLEMENTS.length);
  }

  churnRow(m: Member, month: string, probability: number, churned: boolean, effectiveDate: string): void {
    this.out.churn.write(`${m.id},${month},${probability.toFixed(6)},${churned ? 1 : 0},${effectiveDate}\n`);
  }

  /** Writes each member's latent traits and affinities, at the end of the simulation. */
  members(members: Member[]): void {
    for (const m of members) {
      this.out.members.write(
        [m.id, m.joinDay, fin(m.endDay), m.motivation.toFixed(4), m.priceSensitivity.toFixed(4), m.classPropensity.toFixed(4), m.appUser ? 1 : 0, m.wearable >= 0 ? 1 : 0, fin(m.movedDay)].join(',') + '\n',
      );
      const rows: string[] = [];
      CLASS_TYPES.forEach((c, i) => rows.push(`${m.id},class_type,${c.code},${m.classAffinity[i].toFixed(6)}\n`));
      PRODUCTS.forEach((p, i) => rows.push(`${m.id},product,${p.sku},${m.productAffinity[i].toFixed(6)}\n`));
      this.out.affinities.write(rows.join(''));
    }
  }
}

/**
 * Expected units per supplement of every Monday-start week with days past the data (`dataDays`),
 * summed over all 7 days, whole weeks only: what a forecast made at the end of the data is scored on.
 */
export function aheadDemandCsv(days: Day[], dataDays: number, expectedDaily: Float64Array): string {
  const rows = ['week_start,sku,expected_units'];
  for (let i = 0; i + 6 < days.length; i++) {
    if (days[i].dow !== 1 || i + 6 < dataDays) continue;
    SUPPLEMENTS.forEach((s, k) => {
      let e = 0;
      for (let d = i; d < i + 7; d++) e += expectedDaily[d * SUPPLEMENTS.length + k];
      rows.push(`${days[i].date},${s.p.sku},${e.toFixed(4)}`);
    });
  }
  return rows.join('\n') + '\n';
}

/** Expected and realised units per ISO week (Monday) and supplement, from the chain's daily sums. */
export function weeklyDemandCsv(days: Day[], expectedDaily: Float64Array, actualDaily: Float64Array): string {
  const rows = ['week_start,sku,days_observed,expected_units,actual_units'];
  const weeks = new Map<string, number[]>();
  days.forEach((d, i) => {
    const monday = new Date(d.utcMidnightMs - ((d.dow + 6) % 7) * 86400000).toISOString().slice(0, 10);
    const list = weeks.get(monday) ?? [];
    list.push(i);
    weeks.set(monday, list);
  });
  for (const [week, dayIdx] of weeks) {
    SUPPLEMENTS.forEach((s, k) => {
      let e = 0;
      let a = 0;
      for (const i of dayIdx) {
        e += expectedDaily[i * SUPPLEMENTS.length + k];
        a += actualDaily[i * SUPPLEMENTS.length + k];
      }
      rows.push(`${week},${s.p.sku},${dayIdx.length},${e.toFixed(4)},${a}`);
    });
  }
  return rows.join('\n') + '\n';
}

function fin(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}
