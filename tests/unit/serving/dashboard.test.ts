import { existsSync } from 'node:fs';
import { filterAtRisk, type AtRiskRow } from '../../../serving/dashboard/at_risk';
import { loadAssets, packageFile, pageHtml, PAGES } from '../../../serving/dashboard/shell';

const row = (member_id: string, club_id: string, probability: number, band: AtRiskRow['band']): AtRiskRow => ({ member_id, club_id, plan: 'basic', probability, band, reasons: [] });

describe('dashboard: the at-risk list', () => {
  const rows = [row('M3', 'C01', 0.2, 'medium'), row('M1', 'C02', 0.9, 'high'), row('M2', 'C01', 0.9, 'high'), row('M4', 'C02', 0.01, 'low')];

  it('sorts by probability (ties by member id), filters by club and band, counts before the limit', () => {
    expect(filterAtRisk(rows, { sort: 'probability', order: 'desc', limit: 3 })).toEqual({ total: 4, rows: [rows[1], rows[2], rows[0]] });
    expect(filterAtRisk(rows, { sort: 'probability', order: 'asc', limit: 10 }).rows.map((r) => r.member_id)).toEqual(['M4', 'M3', 'M1', 'M2']);
    expect(filterAtRisk(rows, { club: 'C01', sort: 'probability', order: 'desc', limit: 10 }).rows.map((r) => r.member_id)).toEqual(['M2', 'M3']);
    expect(filterAtRisk(rows, { band: 'high', club: 'C02', sort: 'member_id', order: 'asc', limit: 10 })).toEqual({ total: 1, rows: [rows[1]] });
    expect(filterAtRisk(rows, { sort: 'club_id', order: 'desc', limit: 10 }).rows.map((r) => r.member_id)).toEqual(['M1', 'M4', 'M2', 'M3']);
    expect(filterAtRisk(rows, { band: 'low', club: 'C01', sort: 'probability', order: 'desc', limit: 10 })).toEqual({ total: 0, rows: [] });
  });

  it('leaves the cached list as it was (filtering sorts a copy)', () => {
    const before = rows.map((r) => r.member_id);
    filterAtRisk(rows, { sort: 'member_id', order: 'asc', limit: 10 });
    expect(rows.map((r) => r.member_id)).toEqual(before);
  });
});

describe('dashboard: pages and assets', () => {
  it('marks the current page in the navigation and escapes what it prints', () => {
    const html = pageHtml('forecast', 'America/New_York');
    expect(html).toContain('<a href="/ui/forecast" aria-current="page">Forecast</a>');
    expect(html.match(/aria-current/g)).toHaveLength(1);
    expect(html).toContain('<main id="main" tabindex="-1" data-page="forecast" data-time-zone="America/New_York">');
    expect(pageHtml('member', 'UTC', 'M1"<x>')).toContain('data-member="M1&#34;&#60;x&#62;"');
    expect(pageHtml('member', 'UTC', 'M1')).toContain('<a href="/ui/churn" aria-current="page">');
  });

  it('serves every page module, the styles and the chart library from node_modules', () => {
    const assets = loadAssets();
    for (const page of [...Object.keys(PAGES), 'member']) expect(assets.get(`pages/${page}.js`)?.type).toBe('text/javascript; charset=utf-8');
    expect(assets.get('style.css')?.type).toBe('text/css; charset=utf-8');
    expect(assets.get('vendor/plot.js')!.body.toString('utf8', 0, 200)).toMatch(/@observablehq\/plot/);
    expect(assets.get('vendor/d3.js')!.body.length).toBeGreaterThan(100_000);
    expect(existsSync(packageFile('d3', 'package.json'))).toBe(true);
    expect(() => packageFile('no-such-package', 'x')).toThrow(/no-such-package/);
  });
});
