// Test-side reader of the landing zone and truth files, written independently of the pipelines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEEDS, type FeedSpec } from '../../pipelines/feeds';
import type { Manifest } from '../../pipelines/data_gen/generate';

export interface LandingLine {
  feed: FeedSpec;
  file: string;
  fileDate: string;
  line: number;
  text: string;
  record: Record<string, unknown> | null;
}

export function readManifestFile(root: string): Manifest {
  return JSON.parse(readFileSync(join(root, '_truth', 'manifest.json'), 'utf8')) as Manifest;
}

export function csvCells(line: string): string[] | null {
  const cells: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,"]*),/y;
  const text = line + ',';
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return null;
    cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    pos = re.lastIndex;
  }
  return cells;
}

/** Every data line of every landing file, with its record when it parses as one. */
export function readLanding(root: string, manifest: Manifest): LandingLine[] {
  const out: LandingLine[] = [];
  for (const f of manifest.files) {
    const feed = FEEDS.find((x) => x.name === f.feed)!;
    const lines = readFileSync(join(root, 'landing', f.path), 'utf8').split('\n');
    lines.pop();
    const header = feed.format === 'csv' ? lines.shift()!.split(',') : null;
    lines.forEach((text, i) => {
      let record: Record<string, unknown> | null = null;
      if (header) {
        const cells = csvCells(text);
        if (cells && cells.length === header.length) record = Object.fromEntries(header.map((h, k) => [h, cells[k]]));
      } else {
        try {
          const v = JSON.parse(text) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) record = v as Record<string, unknown>;
        } catch {
          record = null;
        }
      }
      out.push({ feed, file: f.path, fileDate: f.date, line: i + 1 + (header ? 1 : 0), text, record });
    });
  }
  return out;
}

export interface DirtRow {
  kind: string;
  feed: string;
  record_id: string;
  file: string;
  line: string;
  detail: string;
}

export function readDirt(root: string): DirtRow[] {
  const lines = readFileSync(join(root, '_truth', 'dirt.csv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split(',');
  return lines.map((l) => {
    const cells = csvCells(l)!;
    return Object.fromEntries(header.map((h, i) => [h, cells[i]])) as unknown as DirtRow;
  });
}

export function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines.shift()!.split(',');
  return lines.map((l) => Object.fromEntries(header.map((h, i) => [h, csvCells(l)![i]])));
}

const dateFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
/** The gym-local date of a raw event time in any of the generator's styles. */
export function localDate(raw: string): string {
  if (/^\d{11,14}$/.test(raw)) return dateFmt.format(new Date(Number(raw)));
  const us = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(raw);
  if (us) return `${us[3]}-${us[1]}-${us[2]}`;
  return raw.slice(0, 10);
}

export function styleOf(raw: string): 'iso' | 'epoch_ms' | 'us_local' | 'date' {
  if (/^\d{11,14}$/.test(raw)) return 'epoch_ms';
  if (/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} [AP]M$/.test(raw)) return 'us_local';
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return 'date';
  return 'iso';
}
