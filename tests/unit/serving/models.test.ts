import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../core/logger';
import type { EntityReader } from '../../../features/online/entity_reader';
import { ModelManager } from '../../../serving/models';
import { FileRunTracker } from '../../../training/tracking/file_tracker';
import type { RunTracker } from '../../../training/tracking/run_tracker';

const forecast = (dataVersion: string) => JSON.stringify({ kind: 'forecast', formatVersion: 1, lastWeek: '2025-12-22', horizon: 8, series: [], dataVersion, trainedThrough: '2025-12-29' });

describe('ModelManager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the artifact of the version the alias named when it was read, even if the alias moves meanwhile', async () => {
    const tracker = new FileRunTracker(join(dir, 'mlruns'));
    const exp = await tracker.experiment('fitlake/supplement-forecast');
    for (const v of ['first', 'second']) {
      const run = await tracker.startRun(exp, v, []);
      await tracker.logArtifact(run, 'model/model.json', forecast(v));
      await tracker.endRun(run.runId, 'FINISHED');
      await tracker.createModelVersion('supplement-forecast', run, 'model', []);
    }
    await tracker.setAlias('supplement-forecast', 'champion', '1');
    // A promotion lands right after the manager read the alias: every later read sees version 2.
    let promoted = false;
    const racing: RunTracker = Object.create(tracker, {
      getVersionByAlias: {
        value: async (name: string, alias: string) => {
          const v = await tracker.getVersionByAlias(name, alias);
          if (name === 'supplement-forecast' && !promoted) await tracker.setAlias(name, alias, '2');
          promoted ||= name === 'supplement-forecast';
          return v;
        },
      },
    });
    const manager = new ModelManager({ tracker: racing, readerFor: () => ({}) as EntityReader, logger: silentLogger });
    await manager.reload();
    const served = manager.current().forecast!;
    expect(served.version).toBe('1');
    expect(served.model.dataVersion).toBe('first');
    await manager.reload();
    expect(manager.current().forecast).toMatchObject({ version: '2', model: { dataVersion: 'second' } });
  });
});
