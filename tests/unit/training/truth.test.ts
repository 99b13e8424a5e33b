import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTruthCsv, truthChurnProbabilities } from '../../../training/truth';

describe("the generator's truth files", () => {
  const root = mkdtempSync(join(tmpdir(), 'truth-'));
  mkdirSync(join(root, '_truth'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are streamed across chunk boundaries: every line once, whole, filtered by `keep`', () => {
    // 400,000 lines of varied length (about 14 MB): lines straddle the 8 MB chunks; no newline at the end
    const lines = Array.from({ length: 400_000 }, (_, i) => `M${String(i).padStart(7, '0')},${i % 3 === 0 ? 'product' : 'class_type'},item${i % 17},${(i / 7).toFixed(i % 5)}`);
    writeFileSync(join(root, '_truth', 'member_affinities.csv'), `member_id,kind,item,affinity\n${lines.join('\n')}`);
    const all = readTruthCsv(root, 'member_affinities.csv')!;
    expect(all).toHaveLength(400_000);
    expect(all.map((r) => `${r.member_id},${r.kind},${r.item},${r.affinity}`)).toEqual(lines);
    const products = readTruthCsv(root, 'member_affinities.csv', (r) => r.kind === 'product')!;
    expect(products).toHaveLength(133_334);
    expect(products[1]).toEqual({ member_id: 'M0000003', kind: 'product', item: 'item3', affinity: '0.429' });
  });

  it('churn probabilities for the members asked for only; null without a truth folder', () => {
    writeFileSync(join(root, '_truth', 'churn_monthly.csv'), 'member_id,snapshot_date,churn_probability\nM1,2025-01-01,0.1\nM2,2025-01-01,0.2\nM1,2025-02-01,0.3\n');
    expect(truthChurnProbabilities(root)).toEqual(new Map([['M1|2025-01-01', 0.1], ['M2|2025-01-01', 0.2], ['M1|2025-02-01', 0.3]]));
    expect(truthChurnProbabilities(root, new Set(['M1']))).toEqual(new Map([['M1|2025-01-01', 0.1], ['M1|2025-02-01', 0.3]]));
    expect(truthChurnProbabilities(join(root, 'nowhere'))).toBeNull();
  });
});
