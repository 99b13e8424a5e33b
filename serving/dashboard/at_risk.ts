import { scoreChurn } from '../../training/churn/model';
import type { ModelSet } from '../models';

export interface AtRiskRow {
  member_id: string;
  club_id: string;
  plan: string;
  probability: number;
  band: 'low' | 'medium' | 'high';
  /** The three largest contributions (log-odds against the average member). */
  reasons: { feature: string; value: unknown; contribution: number }[];
}

export interface AtRiskFilter {
  club?: string;
  band?: 'low' | 'medium' | 'high';
  sort: 'probability' | 'member_id' | 'club_id';
  order: 'asc' | 'desc';
  limit: number;
}

type Churn = NonNullable<ModelSet['churn']>;
const CHUNK = 5_000;

/**
 * Every active member scored by the served churn model from the online store (as POST /predict/churn
 * scores one), kept until the model version, the online data or the member list changes.
 */
export class AtRiskList {
  private cached: { key: string; rows: Promise<AtRiskRow[]> } | null = null;

  /** All scored rows (members without online features are left out). */
  rows(churn: Churn, members: { member_id: string; club_id: string; plan: string }[], dataKey: string, now: Date): Promise<AtRiskRow[]> {
    const key = `${churn.version}|${dataKey}|${members.length}`;
    if (this.cached?.key !== key) {
      const rows = score(churn, members, now);
      this.cached = { key, rows };
      rows.catch(() => this.cached?.rows === rows && (this.cached = null));
    }
    return this.cached.rows;
  }
}

async function score(churn: Churn, members: { member_id: string; club_id: string; plan: string }[], now: Date): Promise<AtRiskRow[]> {
  const out: AtRiskRow[] = [];
  for (let i = 0; i < members.length; i += CHUNK) {
    const chunk = members.slice(i, i + CHUNK);
    const features = (await churn.reader.read(chunk.map((m) => m.member_id), now)).filter((f) => f.freshness !== 'missing');
    const scores = scoreChurn(churn.model, features.map((f) => f.values));
    const byId = new Map(chunk.map((m) => [m.member_id, m]));
    features.forEach((f, j) => {
      const m = byId.get(f.key)!;
      const s = scores[j];
      out.push({ member_id: f.key, club_id: m.club_id, plan: m.plan, probability: s.probability, band: s.band, reasons: s.contributions.slice(0, 3) });
    });
  }
  return out;
}

/** The rows that pass the filter, sorted, the first `limit`; with the count before the limit. */
export function filterAtRisk(rows: AtRiskRow[], f: AtRiskFilter): { total: number; rows: AtRiskRow[] } {
  const kept = rows.filter((r) => (!f.club || r.club_id === f.club) && (!f.band || r.band === f.band));
  const sign = f.order === 'asc' ? 1 : -1;
  const key = f.sort;
  kept.sort((a, b) => {
    const d = key === 'probability' ? a.probability - b.probability : a[key].localeCompare(b[key]);
    return d !== 0 ? sign * d : a.member_id.localeCompare(b.member_id);
  });
  return { total: kept.length, rows: kept.slice(0, f.limit) };
}
