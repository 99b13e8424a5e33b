import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic_fs';
import { faultPoint } from '../../core/faults';
import { readJsonFile } from '../../core/json';
import type { Logger } from '../../core/logger';
import type { Engine } from '../../pipelines/engine/engine';
import type { Pointer, TableStore } from '../../pipelines/runner/table_store';
import { sqlIdent } from '../../pipelines/sql/quote';
import type { Definitions } from '../definitions';
import { dayDigests, GroupStateSchema, type GroupState } from './day_digests';
import { buildGroup, gridProperties, prepareSpine, type PreparedSpine } from './group_build';
import { spineGroupSql, viewSql } from './group_sql';
import type { TableGroup } from './groups';
import type { BuildReport } from './offline_store';
import { sourceFileSql } from './source_sql';

const hash = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** A group and what its current table must have been built from to be fresh. */
export interface TablePlan {
  group: TableGroup;
  /** Hash of the group's SQL (views, spines, change sources): a change means a full rebuild. */
  definition: string;
  /** The definition and the lakehouse (and bronze, for a streaming view) as they are now. */
  fingerprint: string;
}

/** Each group's definition hash and fingerprint against the lakehouse's current tables. */
export function planTables(defs: Definitions, groups: TableGroup[], lakeHash: string, bronzeHash: string): TablePlan[] {
  const spineSql = defs.spines.map((s) => sourceFileSql(s)).join('\n');
  const entities = new Map(defs.entities.map((e) => [e.name, e]));
  return groups.map((group) => {
    const sql = group.spine ? spineGroupSql(group.views, group.spine, group.key, { month: true }) : viewSql(group.views[0], entities);
    const changes = group.views.flatMap((v) => (v.source.kind === 'sql' && v.source.changes ? [sourceFileSql(v.source.changes)] : []));
    const definition = hash([sql, spineSql, ...changes]);
    return { group, definition, fingerprint: hash([definition, lakeHash, group.spine ? '' : bronzeHash]) };
  });
}

const stateFile = (dir: string, version: number) => join(dir, `state-${version}.json`);

/** The state the current version was built with (null: none or unreadable, and a full build follows). */
function previousState(tables: TableStore, table: string, logger: Logger): { pointer: Pointer; state: GroupState } | null {
  const pointer = tables.current(table);
  if (!pointer?.partitions) return null;
  const path = stateFile(tables.tableDir(table), pointer.version);
  if (!existsSync(path)) return null;
  try {
    const state = readJsonFile(path, GroupStateSchema, 'feature table state', 'the table is rebuilt in full');
    return state.version === pointer.version ? { pointer, state } : null;
  } catch (e) {
    logger.warn({ table, path, error: (e as Error).message }, 'unreadable build state: rebuilding the table in full');
    return null;
  }
}

/** Builds stale tables: spine groups (fully or from their first changed day) and streaming views' own tables. */
export class TableBuilder {
  private readonly spines = new Map<string, PreparedSpine>();

  constructor(
    private readonly engine: Engine,
    private readonly tables: TableStore,
    private readonly ctx: { defs: Definitions; scratch: string; rowsPerBucket: number; timeZone: string; logger: Logger },
  ) {}

  /** Writes every spine once, in declaration order (a spine may read an earlier one). */
  private async spine(name: string): Promise<PreparedSpine> {
    if (this.spines.size === 0) {
      for (const s of this.ctx.defs.spines) {
        const user = planKey(this.ctx.defs, s);
        this.spines.set(s, await prepareSpine(this.engine, s, user, this.ctx.scratch, this.ctx.rowsPerBucket));
      }
    }
    return this.spines.get(name)!;
  }

  async build(plan: TablePlan, force: boolean): Promise<BuildReport> {
    const started = Date.now();
    const { group } = plan;
    const views = group.views.map((v) => v.name);
    const seconds = () => (Date.now() - started) / 1000;
    const target = this.tables.stage(group.table);
    const builtAt = new Date().toISOString();
    if (!group.spine) {
      const view = group.views[0];
      const entities = new Map(this.ctx.defs.entities.map((e) => [e.name, e]));
      const rows = await this.engine.writeParquet(`${viewSql(view, entities)}\nORDER BY ${sqlIdent(group.key)}, feature_ts, created_ts`, target.path);
      const digest = `${plan.definition}:${(await dayDigests(this.engine, `${group.table}__digest`, [target.path])).all ?? 'empty'}`;
      const current = this.tables.current(group.table);
      if (!force && current?.properties?.digest === digest) {
        // the same rows as the current version (e.g. silver rebuilt with the same contents): keep it
        rmSync(target.path, { force: true });
        this.tables.swap({ ...current, fingerprint: plan.fingerprint });
        return { table: group.table, views, action: 'skipped', rows: current.rows, written: 0, seconds: seconds() };
      }
      const properties = await gridProperties(this.engine, [target.path], group.key, this.ctx.timeZone);
      this.tables.swap({ table: group.table, version: target.version, file: target.file, rows, fingerprint: plan.fingerprint, built_at: builtAt, properties: { ...properties, views: view.name, digest } });
      return { table: group.table, views, action: 'built', rows, written: rows, seconds: seconds() };
    }
    const previous = force ? null : previousState(this.tables, group.table, this.ctx.logger);
    const tableDir = this.tables.tableDir(group.table);
    const spec = { group, spine: await this.spine(group.spine), scratch: this.ctx.scratch, tableDir, version: target.version, rowsPerBucket: this.ctx.rowsPerBucket, timeZone: this.ctx.timeZone };
    const r = await buildGroup(this.engine, spec, previous, plan.definition);
    if (!r.pointer) {
      // no input changed: the table stands; note the new fingerprint so the next build skips at once
      const current = previous!.pointer;
      this.tables.swap({ ...current, fingerprint: plan.fingerprint });
      return { table: group.table, views, action: 'skipped', rows: current.rows, written: 0, seconds: seconds() };
    }
    writeFileAtomic(stateFile(tableDir, target.version), JSON.stringify({ version: target.version, ...r.state }) + '\n');
    faultPoint('features.before_swap');
    this.tables.swap({ ...r.pointer, fingerprint: plan.fingerprint, built_at: builtAt });
    this.removeOldStates(tableDir, target.version, previous?.pointer.version);
    const action = r.from === undefined ? 'built' : 'updated';
    return { table: group.table, views, action, rows: r.pointer.rows, written: r.written, ...(r.from ? { from: r.from } : {}), seconds: seconds() };
  }

  private removeOldStates(dir: string, current: number, previous: number | undefined): void {
    for (const n of readdirSync(dir)) {
      const v = Number(/^state-(\d+)\.json$/.exec(n)?.[1]);
      if (v && v !== current && v !== previous) rmSync(join(dir, n), { force: true });
    }
  }
}

/** The join key of the entity whose views read a spine (undefined when no view does). */
function planKey(defs: Definitions, spine: string): string | undefined {
  const user = defs.views.find((v) => 'spine' in v.source && v.source.spine === spine);
  return user ? defs.entities.find((e) => e.name === user.entities[0])?.joinKey : undefined;
}
