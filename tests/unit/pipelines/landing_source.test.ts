import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { feedSpec } from '../../../pipelines/feeds';
import { LandingSource } from '../../../pipelines/source/landing_source';

describe('the landing source (REST ingestion without Kafka)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-landing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = () => new Date('2026-01-02T15:00:00Z');

  it('appends whole lines to the day file of the feed, in order', async () => {
    const source = new LandingSource(join(dir, 'landing'), 'America/New_York', at);
    const feed = feedSpec('class_checkins');
    await Promise.all([source.append(feed, [{ scan_id: 'S1', scanned_at: 't' }]), source.append(feed, [{ scan_id: 'S2', scanned_at: 't' }, { scan_id: 'S3', scanned_at: 't' }])]);
    expect(source.fileFor(feed)).toBe(join(dir, 'landing', 'class_checkins', 'class_checkins_rest_2026-01-02.jsonl'));
    expect(readFileSync(source.fileFor(feed), 'utf8')).toBe('{"scan_id":"S1","scanned_at":"t"}\n{"scan_id":"S2","scanned_at":"t"}\n{"scan_id":"S3","scanned_at":"t"}\n');
  });

  it('says which feed it could not make durable, and why, when the disk refuses', async () => {
    writeFileSync(join(dir, 'not-a-folder'), '');
    const source = new LandingSource(join(dir, 'not-a-folder'), 'America/New_York', at);
    await expect(source.append(feedSpec('retail_sales'), [{ txn_id: 'T1', sold_at: 't' }])).rejects.toMatchObject({
      code: 'unavailable',
      httpStatus: 503,
      message: expect.stringMatching(/^cannot make retail_sales events durable: ENOTDIR: not a directory, mkdir '.*not-a-folder\/retail_sales'$/),
    });
  });
});
