import { parentPort, workerData } from 'node:worker_threads';
import type { GeneratorOptions } from './options';
import { ClubGroup } from './shard';
import type { DayParts } from './sink';

interface ShardWorkerData {
  opts: GeneratorOptions;
  clubs: number[];
  partsDir: string;
  ahead: number;
}

/** Worker thread entry: simulates its clubs day by day, posting each day's parts (their bytes moved, not copied). */
async function run(port: NonNullable<typeof parentPort>, data: ShardWorkerData): Promise<void> {
  let written = -1;
  let wake: (() => void) | null = null;
  port.on('message', (m: { type: 'written'; day: number }) => {
    written = Math.max(written, m.day);
    wake?.();
  });
  const group = new ClubGroup(data.opts, data.clubs, data.partsDir);
  try {
    for (let d = 0; d < data.opts.days; d++) {
      while (d - written > data.ahead) await new Promise<void>((resolve) => (wake = resolve));
      const parts: DayParts[] = group.day(d);
      port.postMessage({ type: 'day', parts }, parts.flatMap((p) => p.parts.map((f) => f.bytes.buffer as ArrayBuffer)));
    }
    port.postMessage({ type: 'done', summaries: group.finish() });
  } catch (e) {
    group.abort();
    throw e;
  }
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ShardWorkerData).catch((e: unknown) => {
    setImmediate(() => {
      throw e;
    });
  });
}
