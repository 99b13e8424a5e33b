import { blendScores, encodeF32, Recommender, top, type RecommenderModel } from '../../../../training/recommend/model';
import { ownHistory, repeatScores } from '../../../../training/recommend/signals';

const model: RecommenderModel = {
  kind: 'recommender', formatVersion: 1, target: 'products',
  items: ['whey', 'bar', 'juice', 'shirt'].map((id) => ({ id, label: id.toUpperCase(), group: 'g' })),
  members: ['M1'], factors: 2,
  userFactors: encodeF32(Float32Array.from([1, 0])),
  itemFactors: encodeF32(Float32Array.from([0.9, 0, 0.8, 0.1, 0.1, 0.9, 0.5, 0.5])),
  history: [[0]], exclude: [[0]], excludeDays: 14,
  popularity: { global: [5, 1, 9, 0], byClub: { C01: [1, 7, 2, 0] } }, dataVersion: 'x', trainedThrough: '2025-12-31',
};

describe('Recommender', () => {
  const rec = new Recommender(model);

  it('ranks by factor score, skips exclusions and explains by the nearest history item', () => {
    const r = rec.recommend('M1', 2);
    expect(r.fallback).toBe(false);
    expect(r.items.map((i) => i.item)).toEqual(['bar', 'shirt']);
    expect(r.items[0].score).toBeCloseTo(0.8, 6);
    expect(r.items[0].reason).toBe('because you bought WHEY');
  });

  it('falls back to popularity at the home club, else overall, for unknown members', () => {
    expect(rec.recommend('M9', 2, 'C01')).toMatchObject({ fallback: true, items: [{ item: 'bar', reason: 'popular with members of C01' }, { item: 'juice' }] });
    expect(rec.recommend('M9', 1, 'C77').items.map((i) => i.item)).toEqual(['juice']);
  });

  it('blends factor scores with the member\'s decayed history shrunk towards popularity', () => {
    const b = { factor: 0.5, repeat: 2, prior: 0.1 };
    const out = blendScores([1, 0.2, 0.4], [[1, 3]], [0.5, 0.25, 0.25], b);
    // the member's history sums to 3: the prior adds 0.1 × 3 × share to every item
    expect(Array.from(out)).toEqual([0.5 + 2 * Math.log1p(0.15), 0.1 + 2 * Math.log1p(3.075), 0.2 + 2 * Math.log1p(0.075)].map((v) => expect.closeTo(v, 12)));
  });

  it('serves "buy again" from the member\'s history and "try something new" from the rest', () => {
    const blended = new Recommender({ ...model, exclude: [[]], repeat: [[[0, 2], [3, 0.5]]], repeatHalfLifeDays: 30, blend: { factor: 1, repeat: 1, prior: 0 } });
    // scores: whey 0.9 + log 3, bar 0.8, juice 0.1, shirt 0.5 + log 1.5
    expect(blended.recommend('M1', 4).items.map((i) => i.item)).toEqual(['whey', 'shirt', 'bar', 'juice']);
    expect(blended.recommend('M1', 4, null, undefined, 'again').items.map((i) => i.item)).toEqual(['whey', 'shirt']);
    expect(blended.recommend('M1', 4, null, undefined, 'new').items.map((i) => i.item)).toEqual(['bar', 'juice']);
    expect(blended.recommend('M1', 4, null, undefined, 'again').items[0].reason).toBe('you bought this before');
    expect(blended.recommend('M9', 4, 'C01', undefined, 'again')).toEqual({ items: [], fallback: true });
    expect([...blended.history('M1')]).toEqual([0, 3]);
  });

  it('decays history by its half-life and fills the own-history list by club popularity', () => {
    const rows = [
      { member: 'M1', item: 'whey', day: '2025-12-02', weight: 2 },
      { member: 'M1', item: 'bar', day: '2025-11-02', weight: 1 },
      { member: 'M1', item: 'bar', day: '2026-01-01', weight: 5 },
    ];
    const r = repeatScores(rows, new Map([['whey', 0], ['bar', 1], ['juice', 2]]), '2026-01-01', 30);
    expect([...r.get('M1')!]).toEqual([[0, expect.closeTo(1, 12)], [1, expect.closeTo(0.25, 12)]]);
    expect(top(ownHistory(r.get('M1'), [0, 0, 4]), 3, new Set())).toEqual([0, 1, 2]);
  });

  it('top breaks ties by index', () => {
    expect(top([1, 3, 3, 0], 3, new Set([0]))).toEqual([1, 2, 3]);
    expect(top([1, 2], 0, new Set())).toEqual([]);
    expect(top([1, 2], 5, new Set())).toEqual([1, 0]);
  });

  it('top equals a full sort (score desc, index asc) on random scores with ties and exclusions', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rand() * 60);
      const scores = Array.from({ length: n }, () => Math.floor(rand() * 8) / 4 - 1);
      const exclude = new Set(Array.from({ length: Math.floor(rand() * 5) }, () => Math.floor(rand() * n)));
      const k = Math.floor(rand() * 12);
      const reference = scores.map((_, j) => j).filter((j) => !exclude.has(j)).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
      expect(top(scores, k, exclude)).toEqual(reference);
    }
  });
});
