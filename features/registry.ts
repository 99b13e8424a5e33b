import { LIVE_DAY } from './stream_view';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive } from '../core/atomic_fs';
import { DataError, NotFoundError } from '../core/errors';
import { EntitySchema, FeatureServiceSchema, FeatureViewObjectSchema } from './define';
import type { Definitions } from './definitions';
import { resolveFeatures } from './refs';
import { viewSql } from './offline/group_sql';
import { SOURCES_DIR } from './offline/source_sql';

export const RegistrySchema = z
  .object({
    version: z.number().int().min(1),
    /** Hash of the definitions and their source SQL: equal hashes mean nothing changed. */
    hash: z.string(),
    applied_at: z.string(),
    entities: z.array(EntitySchema),
    views: z.array(FeatureViewObjectSchema.extend({ sql_hash: z.string() })),
    services: z.array(FeatureServiceSchema),
    spines: z.array(z.string()),
  })
  .strict();
export type Registry = z.infer<typeof RegistrySchema>;

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);
const FILE = /^v(\d{6})\.json$/;

/** Checks that the definitions hang together: unique names, known entities, source files, resolvable services. */
export function validateDefinitions(defs: Definitions): void {
  const dup = (names: string[], what: string) => {
    const d = names.find((n, i) => names.indexOf(n) !== i);
    if (d) throw new DataError(`two ${what} named "${d}"`);
  };
  dup(defs.entities.map((e) => e.name), 'entities');
  dup(defs.views.map((v) => v.name), 'feature views');
  dup(defs.services.map((s) => s.name), 'feature services');
  const files = [...defs.spines, ...defs.views.flatMap((v) => [...('file' in v.source ? [v.source.file] : []), ...('changes' in v.source && v.source.changes ? [v.source.changes] : [])])];
  for (const f of files) if (!existsSync(join(SOURCES_DIR, `${f}.sql`))) throw new DataError(`source file features/sources/${f}.sql does not exist`);
  for (const v of defs.views) {
    for (const e of v.entities) if (!defs.entities.some((x) => x.name === e)) throw new DataError(`feature view ${v.name}: unknown entity "${e}"`);
    if (v.entities.length !== 1) throw new DataError(`feature view ${v.name}: exactly one entity is supported`);
    if (v.source.kind === 'stream') {
      const outputs = new Set([LIVE_DAY, ...v.source.aggregations.map((a) => a.name)]);
      const stray = v.schema.find((f) => !outputs.has(f.name) && f.expr === undefined);
      if (stray) throw new DataError(`feature view ${v.name}: feature ${stray.name} is neither an aggregation nor ${LIVE_DAY}`);
    }
    if ('spine' in v.source && v.source.spine !== undefined && !defs.spines.includes(v.source.spine)) throw new DataError(`feature view ${v.name}: spine ${v.source.spine} is not declared`);
    dup(v.schema.map((f) => f.name), `features in ${v.name}`);
  }
  for (const s of defs.services) resolveFeatures(defs, { service: s.name });
}

/** The registry content for `defs` (without version and time), and its hash. */
export function registryContent(defs: Definitions): Omit<Registry, 'version' | 'applied_at'> {
  validateDefinitions(defs);
  const entityMap = new Map(defs.entities.map((e) => [e.name, e]));
  const spineSql = defs.spines.map((s) => readFileSync(join(SOURCES_DIR, `${s}.sql`), 'utf8')).join('\n');
  const views = defs.views.map((v) => ({ ...v, sql_hash: sha(viewSql(v, entityMap) + spineSql) }));
  const body = { entities: defs.entities, views, services: defs.services, spines: defs.spines };
  return { hash: sha(JSON.stringify(body)), ...body };
}

/**
 * The versioned registry under `<lakehouse>/features/registry/`: `v000001.json`, `v000002.json`…
 * Each version is created exclusively and whole (written aside, then hard-linked), so concurrent
 * `apply`s never overwrite each other and a reader always finds a complete latest version.
 */
export class RegistryStore {
  private cache: { mtimeMs: number; registry: Registry | null } | null = null;

  constructor(private readonly dir: string) {}

  /**
   * The latest version, parsed once and kept until the registry folder changes (a new version
   * file changes its mtime): one stat per call, so serving never reads a stale registry.
   */
  latest(): Registry | null {
    const mtimeMs = statSync(this.dir, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (this.cache?.mtimeMs !== mtimeMs) this.cache = { mtimeMs, registry: this.read() };
    return this.cache.registry;
  }

  static at(root: string): RegistryStore {
    return new RegistryStore(join(root, 'features', 'registry'));
  }

  versions(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((n) => FILE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** The latest version, or a specific one; null when nothing was applied yet. */
  read(version?: number): Registry | null {
    const v = version ?? this.versions().at(-1);
    if (v === undefined) return null;
    const path = join(this.dir, `v${String(v).padStart(6, '0')}.json`);
    if (!existsSync(path)) throw new NotFoundError(`registry version ${v} does not exist`, 'version');
    const parsed = RegistrySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new DataError(`registry ${path} is invalid: ${parsed.error.issues[0].message}`);
    return parsed.data;
  }

  /** Registers `defs` as a new version unless the latest is identical. Safe with concurrent callers. */
  apply(defs: Definitions, now: Date = new Date()): { registry: Registry; changed: boolean } {
    const content = registryContent(defs);
    for (;;) {
      const latest = this.read();
      if (latest && latest.hash === content.hash) return { registry: latest, changed: false };
      const registry: Registry = { version: (latest?.version ?? 0) + 1, applied_at: now.toISOString(), ...content };
      const path = join(this.dir, `v${String(registry.version).padStart(6, '0')}.json`);
      if (createExclusive(path, JSON.stringify(registry, null, 1) + '\n')) return { registry, changed: true };
    }
  }
}
