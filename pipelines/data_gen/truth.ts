import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic_fs';
import { CLASS_TYPES, PRODUCTS } from './catalog';
import type { Day } from './calendar';
import type { Member } from './members';

export const SUPPLEMENTS = PRODUCTS.map((p, i) => ({ p, i })).filter((x) => x.p.category === 'supplements');

/**
 * Ground truth beside the data, for evaluation and tests only (pipelines and training never read it):
 * monthly churn probabilities and outcomes, latent affinities, expected weekly supplement demand.
 */
export class Truth {
  readonly churn: string[] = [];
  /** Expected and realised units per day and supplement (row = day, column = SUPPLEMENTS index). */
  readonly expectedDaily: Float64Array;
  readonly actualDaily: Float64Array;

  constructor(private readonly days: Day[]) {
    this.expectedDaily = new Float64Array(days.length * SUPPLEMENTS.length);
    this.actualDaily = new Float64Array(days.length * SUPPLEMENTS.length);
  }

  churnRow(m: Member, month: string, probability: number, churned: boolean, effectiveDate: string): void {
    this.churn.push(`${m.id},${month},${probability.toFixed(6)},${churned ? 1 : 0},${effectiveDate}`);
  }

  write(dir: string, members: Member[]): void {
    writeFileAtomic(join(dir, 'churn_monthly.csv'), ['member_id,snapshot_date,churn_probability,churned,effective_date', ...this.churn].join('\n') + '\n');
    writeFileAtomic(join(dir, 'member_affinities.csv'), affinityCsv(members));
    writeFileAtomic(join(dir, 'members.csv'), memberCsv(members));
    writeFileAtomic(join(dir, 'supplement_weekly_demand.csv'), this.weeklyCsv());
  }

  private weeklyCsv(): string {
    const rows = ['week_start,sku,days_observed,expected_units,actual_units'];
    const weeks = new Map<string, number[]>();
    this.days.forEach((d, i) => {
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
          e += this.expectedDaily[i * SUPPLEMENTS.length + k];
          a += this.actualDaily[i * SUPPLEMENTS.length + k];
        }
        rows.push(`${week},${s.p.sku},${dayIdx.length},${e.toFixed(4)},${a}`);
      });
    }
    return rows.join('\n') + '\n';
  }
}

function affinityCsv(members: Member[]): string {
  const rows = ['member_id,kind,item,affinity'];
  for (const m of members) {
    CLASS_TYPES.forEach((c, i) => rows.push(`${m.id},class_type,${c.code},${m.classAffinity[i].toFixed(6)}`));
    PRODUCTS.forEach((p, i) => rows.push(`${m.id},product,${p.sku},${m.productAffinity[i].toFixed(6)}`));
  }
  return rows.join('\n') + '\n';
}

function memberCsv(members: Member[]): string {
  const rows = ['member_id,join_day,end_day,motivation,price_sensitivity,class_propensity,app_user,wearable,moved_day'];
  for (const m of members) {
    rows.push(
      [m.id, m.joinDay, fin(m.endDay), m.motivation.toFixed(4), m.priceSensitivity.toFixed(4), m.classPropensity.toFixed(4), m.appUser ? 1 : 0, m.wearable >= 0 ? 1 : 0, fin(m.movedDay)].join(','),
    );
  }
  return rows.join('\n') + '\n';
}

function fin(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}
