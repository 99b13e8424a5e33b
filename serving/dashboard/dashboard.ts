import type { EntityReader } from '../../features/online/entity_reader';
import { sqlString } from '../../pipelines/sql/quote';
import { churnInputs } from '../../training/churn/model';
import type { RunTracker } from '../../training/tracking/run_tracker';
import { NotFoundError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { servedChurn, servedForecast, type ModelManager } from '../models';
import { buildReport, type ReportOptions } from '../report/weekly_report';
import { AtRiskList, filterAtRisk, type AtRiskFilter } from './at_risk';
import { DATASETS, type DatasetName } from './datasets';
import { BronzeFreshness, freshness, qualityStatus } from './freshness';
import type { LakeData } from './lake_data';
import { modelsView, PLOT_PATHS } from './models_view';

export interface DashboardDeps {
  lake: LakeData;
  tracker: RunTracker;
  models: ModelManager;
  /** Every member view online (the member page's features and their freshness). */
  memberFeatures: EntityReader;
  now: () => Date;
  /** Changes when the online store's data does (the at-risk list is rescored then). */
  onlineVersion: () => string;
}

const HISTORY_WEEKS = 104;

/** What the dashboard's pages show, each from the lakehouse, the registry or the served models. */
export class Dashboard {
  private readonly atRisk = new AtRiskList();
  private readonly bronze: BronzeFreshness;

  private timer: NodeJS.Timeout | null = null;
  private warmed = '';

  constructor(private readonly deps: DashboardDeps) {
    this.bronze = new BronzeFreshness(deps.lake.root);
  }

  /**
   * Computes every page's data now and again whenever the lakehouse, the online data or the served
   * models change (checked every `intervalMs`), so no visitor waits for a cold query. Failures are
   * logged and retried at the next check; the pages then say why.
   */
  start(intervalMs: number, logger: Logger): void {
    const tick = () => void this.warm().catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'dashboard data could not be prepared; the pages will say why'));
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Computes (and caches) every page's data unless nothing changed since the last time. */
  async warm(): Promise<void> {
    const key = `${this.deps.lake.version()}|${this.deps.onlineVersion()}|${this.deps.models.current().loadedAt}`;
    if (key === this.warmed) return;
    for (const name of Object.keys(DATASETS) as DatasetName[]) await this.dataset(name);
    if (this.deps.models.current().churn) {
      const [top] = (await this.atRiskList({ sort: 'probability', order: 'desc', limit: 1 })).rows;
      // reads the member tables' file statistics once, so the first member page is as quick as the next
      if (top) await this.member(top.member_id);
    }
    this.warmed = key;
  }

  get root(): string {
    return this.deps.lake.root;
  }

  dataset(name: DatasetName) {
    return this.deps.lake.dataset(name, DATASETS[name]);
  }

  async overview() {
    const [layers, kpis] = await Promise.all([freshness(this.root, this.bronze, this.deps.tracker), this.dataset('kpis')]);
    return { layers, quality: qualityStatus(this.root), kpis, served: this.deps.models.current().loadedAt };
  }

  private churn() {
    return servedChurn(this.deps.models.current());
  }

  async atRiskList(filter: AtRiskFilter) {
    const churn = this.churn();
    const members = (await this.dataset('active_members')).members as { member_id: string; club_id: string; plan: string }[];
    const rows = await this.atRisk.rows(churn, members, `${this.deps.lake.version()}|${this.deps.onlineVersion()}`, this.deps.now());
    return { model: { name: churn.name, version: churn.version, alias: churn.alias }, bands: churn.model.bands, scored: rows.length, ...filterAtRisk(rows, filter) };
  }

  /** A member's profile (name included: the member page only), recent daily activity and online features. */
  async member(id: string) {
    const profile = await this.deps.lake.query(`
      SELECT member_id, first_name, last_name, club_id, plan, billing_cycle, price, status, join_date::VARCHAR AS join_date
      FROM dim_member WHERE is_current AND member_id = ${sqlString(id)}`);
    if (profile.length === 0) throw new NotFoundError(`no member ${id} in silver dim_member`, 'member');
    // the data's last day from the cached key figures: the member's rows are then found from the partitions' statistics
    const last = (await this.dataset('kpis')).last_day[0]?.date as string | undefined;
    const activity = last
      ? await this.deps.lake.query(`
      SELECT date::VARCHAR AS date, class_checkins, facility_visits, equipment_sessions, app_sessions, retail_lines, round(retail_spend, 2) AS retail_spend, wearable_steps
      FROM member_daily_activity WHERE member_id = ${sqlString(id)} AND date > DATE ${sqlString(last)} - 60 ORDER BY date`)
      : [];
    const [f] = await this.deps.memberFeatures.read([id], this.deps.now());
    const features = f && f.freshness !== 'missing' ? { values: f.values, feature_timestamp: f.featureTs, freshness: f.freshness, missing_views: f.missingViews, stale_views: f.staleViews } : null;
    return { profile: profile[0], activity, features };
  }

  /** The churn model's inputs a what-if may change, with the values each category takes in the data. */
  async whatIfInputs() {
    const churn = this.churn();
    const inputs = churnInputs(churn.model);
    // older artifacts know only the coded levels: the data's values complete them
    const seen = inputs.categorical.every((c) => c.complete) ? {} : await this.dataset('categories');
    const categorical = inputs.categorical.map((c) => ({ name: c.name, values: c.complete ? c.values : [...new Set([...(seen[c.name] ?? []).map((r) => String(r.v)), ...c.values])].sort() }));
    return { model: { name: churn.name, version: churn.version }, numeric: inputs.numeric, categorical };
  }

  /** The weekly report's numbers for the served forecast, with each SKU's weekly history. */
  forecast(opts: ReportOptions) {
    const fc = servedForecast(this.deps.models.current());
    const report = buildReport(fc.model, { name: fc.name, version: fc.version }, opts);
    const history = Object.fromEntries(fc.model.series.map((s) => [s.sku, s.history.slice(-HISTORY_WEEKS)]));
    return { ...report, history };
  }

  models() {
    return modelsView(this.deps.tracker);
  }

  /** A plot of a registered version's run (SVG). */
  async plot(name: string, version: string, file: string): Promise<Buffer> {
    const path = `plots/${file}`;
    if (!PLOT_PATHS.includes(path)) throw new NotFoundError(`no plot ${file} (plots: ${PLOT_PATHS.join(', ')})`, 'file');
    const v = (await this.deps.tracker.listVersions(name)).find((x) => x.version === version);
    if (!v) throw new NotFoundError(`model ${name} has no version ${version}`, 'version');
    return this.deps.tracker.readArtifact(await this.deps.tracker.getRun(v.runId), path);
  }
}
