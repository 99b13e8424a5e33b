import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../engine/duckdb/db';
import type { BronzeLog, CommitOutput } from '../bronze/log';
import { sqlString } from '../sql/quote';
import { kafkaSourceName, type StreamEvent } from './bronze_batch';
import { applyWindows, emptyWindowState, type WindowState } from './windows';

/** Bronze tables the stream writes besides the feeds: finalized windows, late events, and its state. */
export const LIVE_WINDOWS_TABLE = '_live_windows';
export const LATE_EVENTS_TABLE = '_late_events';
export const STREAM_STATE_TABLE = '_stream_state';

export const LIVE_WINDOWS_COLUMNS = { window_start: 'TIMESTAMPTZ', window_end: 'TIMESTAMPTZ', metric: 'VARCHAR', club_id: 'VARCHAR', dimension: 'VARCHAR', value: 'DOUBLE' };
export const LATE_EVENTS_COLUMNS = { feed: 'VARCHAR', source: 'VARCHAR', offset: 'BIGINT', event_time: 'TIMESTAMPTZ', watermark: 'TIMESTAMPTZ', event: 'VARCHAR' };

/** Something computed from each stream batch and committed with it (its files and its state in the same log entry). */
export interface BatchOperator {
  /** Loads the state the latest commit saved (a session starts here, so a batch that failed is forgotten). */
  restore(log: BronzeLog): Promise<void>;
  /** Writes the batch's outputs under `stage`; `commit` adopts the new state once the batch is committed. */
  stage(events: readonly StreamEvent[], batchId: number, stage: string, db: Db): Promise<{ outputs: CommitOutput[]; commit: () => Promise<void> | void }>;
}

/** The path of the newest saved state file named `<prefix>-<batch>.json` in the log, if any. */
export function savedState(log: BronzeLog, prefix: string): string | undefined {
  for (let i = log.commits.length - 1; i >= 0; i--) {
    const o = log.commits[i].outputs.find((x) => x.table === STREAM_STATE_TABLE && x.path.startsWith(`${STREAM_STATE_TABLE}/${prefix}-`));
    if (o) return o.path;
  }
  return undefined;
}

/**
 * The live windows (see `applyWindows`) as a batch operator: each batch's finalized windows and late
 * events are Parquet files of the batch's commit, and the window state a JSON file of the same
 * commit, so a restart resumes the windows exactly where the last committed batch left them.
 */
export class LiveWindows implements BatchOperator {
  private state: WindowState = emptyWindowState();

  constructor(
    private readonly bronze: string,
    private readonly timeZone: string,
  ) {}

  async restore(log: BronzeLog): Promise<void> {
    const saved = savedState(log, 'windows');
    this.state = saved && existsSync(join(this.bronze, saved)) ? (JSON.parse(readFileSync(join(this.bronze, saved), 'utf8')) as WindowState) : emptyWindowState();
    this.savedPath = saved;
  }

  /** The committed state (the watermark, open windows, occupancy). */
  current(): WindowState {
    return this.state;
  }

  async stage(events: readonly StreamEvent[], batchId: number, stage: string, db: Db): Promise<{ outputs: CommitOutput[]; commit: () => void }> {
    const inputs = events.map((e) => ({ feed: e.feed.name, event: e.event, source: kafkaSourceName(e.record.topic, e.record.partition), offset: e.record.offset }));
    const { state, rows, late } = applyWindows(this.state, inputs, this.timeZone);
    const outputs: CommitOutput[] = [];
    const write = async (table: string, records: readonly object[], columns: Record<string, string>) => {
      if (records.length === 0) return;
      const path = `${table}/part-${batchId}-0.parquet`;
      const json = join(stage, '_in', `${table}.jsonl`);
      mkdirSync(dirname(json), { recursive: true });
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      writeFileSync(json, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const cols = `{${Object.entries(columns).map(([k, t]) => `'${k}': '${t}'`).join(', ')}}`;
      await db.run(`COPY (SELECT * FROM read_json(${sqlString(json)}, columns = ${cols}, format = 'newline_delimited')) TO ${sqlString(join(stage, path))} (FORMAT parquet)`);
      outputs.push({ table, path, rows: records.length });
    };
    await write(LIVE_WINDOWS_TABLE, rows, LIVE_WINDOWS_COLUMNS);
    await write(LATE_EVENTS_TABLE, late, LATE_EVENTS_COLUMNS);
    const statePath = `${STREAM_STATE_TABLE}/windows-${batchId}.json`;
    mkdirSync(join(stage, STREAM_STATE_TABLE), { recursive: true });
    writeFileSync(join(stage, statePath), JSON.stringify(state));
    outputs.push({ table: STREAM_STATE_TABLE, path: statePath, rows: 0 });
    const previous = this.savedPath;
    return {
      outputs,
      commit: () => {
        this.state = state;
        this.savedPath = statePath;
        if (previous) rmSync(join(this.bronze, previous), { force: true });
      },
    };
  }

  private savedPath: string | undefined;
}
