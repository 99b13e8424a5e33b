import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger';
import type { BronzeLog, CommitOutput } from '../pipelines/bronze/log';
import type { StreamEvent } from '../pipelines/stream/bronze_batch';
import { savedState, STREAM_STATE_TABLE, type BatchOperator } from '../pipelines/stream/live_windows';
import type { OnlineStore } from './online/online_store';
import type { Registry } from './registry';
import { isStreamView, LiveFold, type LiveRow, type StreamView } from './stream_view';

/**
 * The streaming feature views, online: each stream batch's events are folded into every streaming
 * view (`LiveFold`), the fold's state is saved with the batch's commit, and once committed the
 * changed members' rows are written to the online store. A restart reloads the saved state and
 * writes every member's row again (writes are idempotent: an older row never replaces a newer one).
 */
export class LiveFeatures implements BatchOperator {
  private readonly folds: { fold: LiveFold; entity: string; saved?: string }[];
  /** When the newest row reached the online store, per view (ms), for latency metrics. */
  onWrite?: (view: string, rows: LiveRow[]) => void;

  constructor(
    registry: Registry,
    private readonly online: OnlineStore,
    private readonly bronze: string,
    timeZone: string,
    private readonly logger: Logger,
  ) {
    this.folds = registry.views.filter((v): v is Registry['views'][number] & StreamView => isStreamView(v) && v.online).map((v) => ({ fold: new LiveFold(v, timeZone), entity: v.entities[0] }));
  }

  /** The streaming views this operator keeps online. */
  views(): string[] {
    return this.folds.map((f) => f.fold.view.name);
  }

  async restore(log: BronzeLog): Promise<void> {
    for (const f of this.folds) {
      f.saved = savedState(log, `live-${f.fold.view.name}`);
      f.fold.restore(f.saved && existsSync(join(this.bronze, f.saved)) ? readFileSync(join(this.bronze, f.saved), 'utf8') : undefined);
      await this.write(f, f.fold.rows());
    }
  }

  async stage(events: readonly StreamEvent[], batchId: number, stage: string): Promise<{ outputs: CommitOutput[]; commit: () => Promise<void> }> {
    const outputs: CommitOutput[] = [];
    const changes = this.folds.map((f) => {
      const rows = f.fold.apply(events.map((e) => ({ feed: e.feed.name, event: e.event })));
      const path = `${STREAM_STATE_TABLE}/live-${f.fold.view.name}-${batchId}.json`;
      mkdirSync(join(stage, STREAM_STATE_TABLE), { recursive: true });
      writeFileSync(join(stage, path), f.fold.snapshot());
      outputs.push({ table: STREAM_STATE_TABLE, path, rows: 0 });
      return { f, rows, path };
    });
    return {
      outputs,
      commit: async () => {
        for (const { f, rows, path } of changes) {
          if (f.saved) rmSync(join(this.bronze, f.saved), { force: true });
          f.saved = path;
          await this.write(f, rows);
        }
      },
    };
  }

  private async write(f: (typeof this.folds)[number], rows: LiveRow[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    const names = f.fold.view.schema.map((s) => s.name);
    await this.online.write(f.fold.view.name, f.entity, names, rows.map((r) => ({ key: r.key, featureTs: r.featureTs, createdTs: now, values: r.values })));
    this.logger.debug({ view: f.fold.view.name, members: rows.length }, 'live features written online');
    this.onWrite?.(f.fold.view.name, rows);
  }
}
