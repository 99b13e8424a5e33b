import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lakeTables } from '../../../../pipelines/runner/reader';
import { TableStore } from '../../../../pipelines/runner/table_store';
import { tmpLake } from '../../../helpers';

describe('TableStore', () => {
  it('stages new versions aside and swaps the pointer, keeping the previous version one swap longer', () => {
    const lake = tmpLake();
    try {
      const store = new TableStore(lake.root);
      expect(store.current('t')).toBeNull();
      const versions = [1, 2, 3].map((i) => {
        const s = store.stage('t');
        writeFileSync(s.path, `v${i}`);
        expect(store.current('t')?.version ?? 0).toBe(i - 1);
        store.swap({ table: 't', version: s.version, file: s.file, rows: i, fingerprint: `f${i}`, built_at: '2026-01-01T00:00:00Z' });
        return s;
      });
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
      expect(store.current('t')).toMatchObject({ version: 3, rows: 3, fingerprint: 'f3' });
      expect(store.currentFiles('t')).toEqual([join(lake.root, 't', 'data-3.parquet')]);
      expect(readdirSync(join(lake.root, 't')).sort()).toEqual(['data-2.parquet', 'data-3.parquet']);
      expect(readdirSync(lake.root).sort()).toEqual(['_layer.json', 't']);
    } finally {
      lake.cleanup();
    }
  });

  it('never reuses the number of a staged file left by a crash', () => {
    const lake = tmpLake();
    try {
      const store = new TableStore(lake.root);
      const orphan = store.stage('t');
      writeFileSync(orphan.path, 'crashed build');
      const next = store.stage('t');
      expect(next.version).toBe(orphan.version + 1);
      expect(existsSync(next.path)).toBe(false);
    } finally {
      lake.cleanup();
    }
  });

  const pointer = (table: string, version: number, fingerprint: string) => ({ table, version, file: `data-${version}.parquet`, rows: version, fingerprint, built_at: '2026-01-01T00:00:00Z' });

  it('swaps many tables in one step: one manifest names every table, with one version per swap', () => {
    const lake = tmpLake();
    try {
      const store = new TableStore(lake.root);
      for (const t of ['a', 'b', 'c']) writeFileSync(store.stage(t).path, 'v1');
      store.swap(['a', 'b', 'c'].map((t) => pointer(t, 1, `${t}1`)));
      for (const t of ['a', 'b']) writeFileSync(store.stage(t).path, 'v2');
      store.swap(['a', 'b'].map((t) => pointer(t, 2, `${t}2`)));
      const manifest = JSON.parse(readFileSync(join(lake.root, '_layer.json'), 'utf8'));
      expect(manifest.version).toBe(2);
      expect(Object.fromEntries(Object.entries(store.snapshot()).map(([k, p]) => [k, p.fingerprint]))).toEqual({ a: 'a2', b: 'b2', c: 'c1' });
    } finally {
      lake.cleanup();
    }
  });

  it('reads a layer written before manifests (one _current.json per table) and replaces it on the next swap', () => {
    const lake = tmpLake();
    try {
      mkdirSync(join(lake.root, 'old'));
      writeFileSync(join(lake.root, 'old', 'data-4.parquet'), 'x');
      writeFileSync(join(lake.root, 'old', '_current.json'), JSON.stringify(pointer('old', 4, 'o4')));
      const store = new TableStore(lake.root);
      expect(store.current('old')).toMatchObject({ version: 4, fingerprint: 'o4' });
      const next = store.stage('old');
      writeFileSync(next.path, 'y');
      store.swap(pointer('old', next.version, 'o5'));
      expect(readdirSync(join(lake.root, 'old')).sort()).toEqual(['data-4.parquet', 'data-5.parquet']);
      expect(store.current('old')).toMatchObject({ version: 5 });
    } finally {
      lake.cleanup();
    }
  });

  it('removes the build folders a crash left behind', () => {
    const lake = tmpLake();
    try {
      mkdirSync(join(lake.root, 't', '_staging-3', 'date=2025-01-01'), { recursive: true });
      writeFileSync(join(lake.root, 't', '_staging-3', 'date=2025-01-01', 'part-3-0.parquet'), 'x');
      mkdirSync(join(lake.root, 'u', '_staging-9'), { recursive: true });
      expect(new TableStore(lake.root).removeStaging()).toBe(2);
      expect([readdirSync(join(lake.root, 't')), readdirSync(join(lake.root, 'u'))]).toEqual([[], []]);
    } finally {
      lake.cleanup();
    }
  });

  it('says which file is wrong and how to rebuild: a corrupt manifest, a data file gone', () => {
    const lake = tmpLake();
    try {
      const gold = join(lake.root, 'gold');
      mkdirSync(gold);
      writeFileSync(join(gold, '_layer.json'), '{"version": 1, "tables": ');
      expect(() => new TableStore(gold).snapshot()).toThrow(`layer manifest ${join(gold, '_layer.json')} is not valid JSON`);
      const store = new TableStore(gold);
      rmSync(join(gold, '_layer.json'));
      store.stage('t');
      store.swap(pointer('t', 1, 'f1'));
      expect(() => lakeTables(lake.root)).toThrow(`gold table t is damaged: its data file ${join(gold, 't', 'data-1.parquet')} is missing (run \`fitlake pipeline run --full-refresh\` to rebuild it)`);
    } finally {
      lake.cleanup();
    }
  });
});
