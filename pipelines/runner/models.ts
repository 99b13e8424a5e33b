import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors';

export const ModelHeaderSchema = z
  .object({
    model: z.string().regex(/^[a-z][a-z0-9_]*$/),
    layer: z.enum(['silver', 'gold']),
    materialized: z.enum(['table', 'view']).default('table'),
    depends: z.array(z.string()).min(1),
    description: z.string().min(1),
    /** A DATE column: the table is stored one file per value and rebuilt partition by partition. */
    partition_by: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
    /** What one partition value covers: a day (default), or the week/month starting on it. */
    partition_grain: z.enum(['day', 'week', 'month']).default('day'),
    /**
     * Inputs read only as key lookups, `name(key)`: when one changes, only partitions holding rows
     * with a key whose lookup rows changed are rebuilt.
     */
    lookups: z.array(z.string().regex(/^[a-z_][a-z0-9_]*\([a-z_][a-z0-9_]*\)$/)).optional(),
  })
  .strict();

/** One SQL model: a table (or view) defined by a SELECT, with its declared inputs. */
export interface Model extends z.infer<typeof ModelHeaderSchema> {
  sql: string;
  file: string;
}

export const MODELS_DIR = join(__dirname, '..', 'models');

/** Parses the `-- key: value` header (continuation lines start with `--   `) and the SQL body. */
export function parseModel(text: string, file: string): Model {
  const header: Record<string, string> = {};
  const body: string[] = [];
  let last = '';
  let inHeader = true;
  for (const line of text.split('\n')) {
    const kv = inHeader ? /^--\s*([a-z_]+):\s*(.*)$/.exec(line) : null;
    if (kv) {
      last = kv[1];
      header[last] = kv[2].trim();
    } else if (inHeader && /^--\s{2,}/.test(line) && last) header[last] += ' ' + line.replace(/^--\s+/, '').trim();
    else {
      inHeader = false;
      body.push(line);
    }
  }
  const list = (v?: string) => v?.split(',').map((x) => x.trim()).filter(Boolean);
  const parsed = ModelHeaderSchema.safeParse({ ...header, depends: list(header.depends), lookups: list(header.lookups) });
  if (!parsed.success) throw new DataError(`model ${file}: header ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return { ...parsed.data, sql: body.join('\n').trim(), file };
}

export function loadModels(dir = MODELS_DIR): Model[] {
  const models: Model[] = [];
  for (const layer of ['silver', 'gold']) {
    for (const name of readdirSync(join(dir, layer)).filter((n) => n.endsWith('.sql')).sort()) {
      const m = parseModel(readFileSync(join(dir, layer, name), 'utf8'), `${layer}/${name}`);
      if (`${m.model}.sql` !== name) throw new DataError(`model ${layer}/${name} declares name ${m.model}`);
      if (m.layer !== layer) throw new DataError(`model ${layer}/${name} declares layer ${m.layer}`);
      models.push(m);
    }
  }
  return models;
}

/** Models in dependency order (inputs first); `bronze_*` names are sources. Rejects cycles and unknown inputs. */
export function topoSort(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.model, m]));
  const out: Model[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: Model, path: string[]) => {
    if (state.get(m.model) === 'done') return;
    if (state.get(m.model) === 'visiting') throw new DataError(`model cycle: ${[...path, m.model].join(' → ')}`);
    state.set(m.model, 'visiting');
    for (const d of m.depends) {
      if (d.startsWith('bronze_')) continue;
      const dep = byName.get(d);
      if (!dep) throw new DataError(`model ${m.model} depends on unknown ${d}`);
      if (m.layer === 'silver' && dep.layer === 'gold') throw new DataError(`silver model ${m.model} may not read gold ${d}`);
      visit(dep, [...path, m.model]);
    }
    state.set(m.model, 'done');
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}
