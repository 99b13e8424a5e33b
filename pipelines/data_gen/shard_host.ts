import { Worker } from 'node:worker_threads';
import type { GeneratorOptions } from './options';
import { ClubGroup, type ClubSummary } from './shard';
import type { DayParts } from './sink';

/** Days a worker may simulate ahead of the day the chain last wrote (bounds the memory in flight). */
const AHEAD = 2;

/** Runs some of the chain's clubs and hands over their parts day by day, in day order. */
export interface ShardHost {
  /** The next day's parts of this host's clubs. */
  next(): Promise<DayParts[]>;
  /** Tells the host the chain has written day `d`, so it may run further ahead. */
  written(d: number): void;
  /** Closes the clubs' part files and returns their summaries (after the last day). */
  finish(): Promise<ClubSummary[]>;
  /** Stops the host; drops unfinished part files. */
  close(): Promise<void>;
}

/** Clubs simulated on the calling thread. */
export class InThreadHost implements ShardHost {
  private readonly group: ClubGroup;
  private d = 0;
  private done = false;

  constructor(opts: GeneratorOptions, clubs: number[], partsDir: string) {
    this.group = new ClubGroup(opts, clubs, partsDir);
  }

  next(): Promise<DayParts[]> {
    return Promise.resolve(this.group.day(this.d++));
  }

  written(): void {}

  finish(): Promise<ClubSummary[]> {
    this.done = true;
    return Promise.resolve(this.group.finish());
  }

  close(): Promise<void> {
    if (!this.done) this.group.abort();
    return Promise.resolve();
  }
}

type FromWorker = { type: 'day'; parts: DayParts[] } | { type: 'done'; summaries: ClubSummary[] };

/** Clubs simulated on a worker thread, which runs at most `AHEAD` days ahead of the chain. */
export class WorkerHost implements ShardHost {
  private readonly worker: Worker;
  private readonly inbox: FromWorker[] = [];
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(opts: GeneratorOptions, clubs: number[], partsDir: string) {
    const workerData = { tsx: require.resolve('tsx/cjs'), module: require.resolve('./shard_worker'), opts, clubs, partsDir, ahead: AHEAD };
    this.worker = new Worker(`require(require('node:worker_threads').workerData.tsx); require(require('node:worker_threads').workerData.module);`, { eval: true, workerData });
    this.worker.on('message', (m: FromWorker) => this.deliver(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`generator worker for clubs ${clubs.join(',')} exited with code ${code}`));
    });
  }

  async next(): Promise<DayParts[]> {
    const m = await this.receive();
    if (m.type !== 'day') throw new Error('generator worker finished early');
    return m.parts;
  }

  written(d: number): void {
    this.worker.postMessage({ type: 'written', day: d });
  }

  async finish(): Promise<ClubSummary[]> {
    const m = await this.receive();
    if (m.type !== 'done') throw new Error('generator worker sent a day after the last');
    return m.summaries;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private receive(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private deliver(m: FromWorker): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve(m);
    } else this.inbox.push(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(this.failure);
  }
}

/** Clubs dealt round-robin to `workers` hosts: on this thread when one, else on worker threads. */
export function openHosts(opts: GeneratorOptions, partsDir: string, workers: number): ShardHost[] {
  const n = Math.max(1, Math.min(workers, opts.clubs));
  const groups = Array.from({ length: n }, (_, w) => Array.from({ length: opts.clubs }, (_, c) => c).filter((c) => c % n === w));
  if (n === 1) return [new InThreadHost(opts, groups[0], partsDir)];
  return groups.map((clubs) => new WorkerHost(opts, clubs, partsDir));
}
