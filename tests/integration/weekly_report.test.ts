import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegisteredModel } from '../../training/loaders';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import { buildReport, isoWeek, normalQuantile } from '../../serving/report/weekly_report';
import { fixtureCopy } from '../fixtures/cache';
import { runCli } from './cli_runner';

jest.setTimeout(180_000);

describe('weekly supplement forecast report', () => {
  const lake = fixtureCopy('serving');
  let tracker: FileRunTracker;
  const out = join(lake.root, 'reports');
  const env = () => ({ FITLAKE_LAKEHOUSE: lake.root, MLFLOW_TRACKING_URI: join(lake.root, 'mlruns'), FITLAKE_TIMEZONE: 'America/New_York' });
  const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

  beforeAll(async () => {
    tracker = new FileRunTracker(join(lake.root, 'mlruns'));
  });
  afterAll(() => lake.cleanup());

  it('computes ISO weeks and normal quantiles correctly', () => {
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
    expect(isoWeek('2025-06-30')).toBe('2025-W27');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
  });

  it('writes html, markdown, csv and chart whose numbers equal the model’s forecast', async () => {
    const r = runCli(['report', 'weekly', '--out', out, '--weeks', '6'], env());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { artifact, version } = await loadRegisteredModel(tracker, 'supplement-forecast', 'forecast');
    const week = isoWeek(artifact.series[0].forecast[0].week);
    expect(r.stdout.trim()).toBe(join(out, week));
    const f = files(join(out, week));
    expect(Object.keys(f)).toEqual(['chart.svg', 'forecast.csv', 'report.html', 'report.md']);
    const [head, ...rows] = f['forecast.csv'].trim().split('\n');
    expect(head.split(',')).toEqual(['iso_week', 'sku', 'name', 'week', 'mean', 'lo80', 'hi80', 'lo95', 'hi95', 'units_last_year', 'method', 'model_version']);
    expect(rows).toHaveLength(artifact.series.length * 6);
    for (const s of artifact.series) {
      const mine = rows.filter((l) => l.split(',')[1] === s.sku).map((l) => l.match(/,(\d{4}-\d{2}-\d{2}),([\d.]+),([\d.]+),([\d.]+),([\d.]+),([\d.]+),/)!);
      expect(mine.map((m) => m[1])).toEqual(s.forecast.slice(0, 6).map((p) => p.week));
      mine.forEach((m, i) => {
        expect(Number(m[2])).toBeCloseTo(s.forecast[i].mean, 3);
        expect(Number(m[4])).toBeCloseTo(s.forecast[i].hi80, 3);
        expect(Number(m[6])).toBeCloseTo(s.forecast[i].hi95, 3);
      });
    }
    const report = buildReport(artifact, { name: version.name, version: version.version }, { weeks: 6, leadTimeWeeks: 2, serviceLevel: 0.95 });
    const total = report.skus.find((s) => s.sku === 'TOTAL')!;
    expect(total.reorder.leadTimeDemand).toBeCloseTo(artifact.series[0].forecast[0].mean + artifact.series[0].forecast[1].mean, 9);
    expect(f['report.md']).toContain(`| TOTAL | All supplements | ${total.forecast.reduce((a, p) => a + p.mean, 0).toFixed(1)} |`);
    expect(f['report.md']).toContain(`| ${total.reorder.orderUpToLevel} |`);
    expect(f['report.html']).toMatch(/^<!doctype html>/);
    expect(f['report.html'].match(/<svg /g)).toHaveLength(artifact.series.length);
    expect(f['chart.svg']).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('is idempotent per week, and a run killed before the swap leaves the previous report intact', () => {
    const week = readdirSync(out)[0];
    const before = files(join(out, week));
    expect(runCli(['report', 'weekly', '--out', out, '--weeks', '6'], env()).status).toBe(0);
    expect(files(join(out, week))).toEqual(before);
    const killed = runCli(['report', 'weekly', '--out', out, '--weeks', '8'], { ...env(), FITLAKE_FAULT: 'report.before_swap' });
    expect(killed.signal).toBe('SIGKILL');
    expect(files(join(out, week))).toEqual(before);
    expect(runCli(['report', 'weekly', '--out', out, '--weeks', '8'], env()).status).toBe(0);
    expect(readdirSync(out)).toEqual([week]);
    expect(files(join(out, week))['forecast.csv']).not.toEqual(before['forecast.csv']);
  });

  it('rejects bad options and a bad schedule with exit 2, and says when no model is registered', () => {
    expect(runCli(['report', 'weekly', '--weeks', '12'], env())).toMatchObject({ status: 2, stderr: expect.stringMatching(/--weeks must be between 4 and 8/) });
    expect(runCli(['report', 'weekly', '--schedule', 'every monday'], env())).toMatchObject({ status: 2, stderr: expect.stringMatching(/--schedule: /) });
    expect(runCli(['report', 'weekly', '--service-level', '101'], env()).status).toBe(2);
    const empty = runCli(['report', 'weekly', '--out', out], { ...env(), MLFLOW_TRACKING_URI: join(lake.root, 'none') });
    expect(empty).toMatchObject({ status: 3, stderr: expect.stringMatching(/has no "champion" version/) });
    expect(existsSync(join(lake.root, 'none'))).toBe(false);
  });
});
