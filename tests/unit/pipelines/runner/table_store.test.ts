import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
      expect(readdirSync(join(lake.root, 't')).sort()).toEqual(['_current.json', 'data-2.parquet', 'data-3.parquet']);
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
});
